/**
 * The finality gadget's bookkeeping (spec/chain_core.md §6), pure and synchronous: collects
 * verified votes, detects equivocation, and decides the highest final block of a canonical chain.
 *
 * - A vote for block B at height h approves B and its ancestors, so a validator's support for a
 *   canonical block at height x is its highest vote on the canonical chain at a height ≥ x.
 * - Block at height x is final when the stake supporting it is ≥ 2/3 of the effective total stake:
 *   `support × 3 ≥ effective × 2`, where `effective = total − equivocated_stake`.
 * - Two votes of one validator for different blocks at one height are an equivocation: the pair
 *   is kept as proof, the validator is marked faulty, its stake leaves the effective total and its
 *   votes stop counting. It stays out (until the validator set is refreshed by governance).
 * - Finality is monotonic: the caller only ever moves the finalized height up.
 */
import { formatAddress } from './address.js';
import { finalityThreshold, type ValidatorSet } from './consensus.js';
import { conflicting, type Vote } from './vote.js';

export interface Equivocation {
  /** `tb1…` of the faulty validator. */
  validator: string;
  validatorHex: string;
  height: number;
  /** The two conflicting signed votes (the proof). */
  votes: [Vote, Vote];
  detectedAtMs: number;
}

export type AddOutcome = 'added' | 'duplicate' | 'equivocation' | 'faulty' | 'unknown_validator';

/** Heights of votes kept below the finalized height (to still catch late equivocations). */
export const VOTE_WINDOW = 256;

export interface FinalityDecision {
  height: number;
  hashHex: string;
  /** The votes that make it final (each validator's highest canonical vote at or above `height`). */
  votes: Vote[];
}

export class FinalityTracker {
  private readonly votes = new Map<number, Map<string, Vote>>();
  private readonly faulty = new Map<string, Equivocation>();
  /** Support (stake) of the most recent canonical heights, from the last `decide` (newest first). */
  lastSupport: { height: number; stake: bigint }[] = [];

  constructor(private readonly set: ValidatorSet) {}

  /** Stake of validators caught equivocating. */
  equivocatedStake(): bigint {
    let s = 0n;
    for (const e of this.faulty.values()) s += this.set.get(e.validatorHex)?.stake ?? 0n;
    return s;
  }

  /** Total stake minus equivocated stake. */
  effectiveTotal(): bigint {
    return this.set.total - this.equivocatedStake();
  }

  /** Least support that finalizes now (⌈2/3 × effective⌉). */
  threshold(): bigint {
    return finalityThreshold(this.effectiveTotal());
  }

  isFaulty(addrHex: string): boolean {
    return this.faulty.has(addrHex);
  }

  /** Every equivocation seen (oldest first). */
  evidence(): Equivocation[] {
    return [...this.faulty.values()];
  }

  /** Marks a validator faulty from stored or received evidence (already verified). */
  addEvidence(e: Equivocation): boolean {
    if (this.faulty.has(e.validatorHex) || !this.set.get(e.validatorHex)) return false;
    this.faulty.set(e.validatorHex, e);
    return true;
  }

  /**
   * Records a vote whose signature and chain id the caller has verified.
   * @returns what it was: new, a duplicate, the second half of an equivocation (validator now
   *   faulty; `evidence()` has the pair), from an already faulty validator, or not from a validator.
   */
  add(v: Vote, nowMs = Date.now()): AddOutcome {
    if (!this.set.get(v.validatorHex)) return 'unknown_validator';
    let atHeight = this.votes.get(v.height);
    const prev = atHeight?.get(v.validatorHex);
    if (prev) {
      if (!conflicting(prev, v)) return 'duplicate';
      if (this.faulty.has(v.validatorHex)) return 'faulty';
      this.faulty.set(v.validatorHex, { validator: formatAddress(v.validator), validatorHex: v.validatorHex, height: v.height, votes: [prev, v], detectedAtMs: nowMs });
      return 'equivocation';
    }
    if (this.faulty.has(v.validatorHex)) return 'faulty';
    if (!atHeight) this.votes.set(v.height, (atHeight = new Map()));
    atHeight.set(v.validatorHex, v);
    return 'added';
  }

  /** The vote a validator gave at a height, if any. */
  voteOf(height: number, addrHex: string): Vote | undefined {
    return this.votes.get(height)?.get(addrHex);
  }

  /**
   * The highest block in (`finalized`, `head`] of the canonical chain that ≥ 2/3 of the effective
   * stake supports, or undefined. Also refreshes `lastSupport` (the 10 highest heights).
   * @param hashAt canonical block hash (hex) at a height, undefined above the head.
   */
  decide(hashAt: (height: number) => string | undefined, finalized: number, head: number): FinalityDecision | undefined {
    const best = new Map<string, Vote>();
    const honest = this.set.list.filter((v) => !this.faulty.has(v.addrHex));
    for (let h = head; h > finalized && best.size < honest.length; h--) {
      const at = this.votes.get(h);
      if (!at) continue;
      const canonical = hashAt(h);
      for (const [addr, v] of at) if (!best.has(addr) && !this.faulty.has(addr) && v.hashHex === canonical) best.set(addr, v);
    }
    const ranked = [...best.entries()].sort((a, b) => b[1].height - a[1].height);
    const support: { height: number; stake: bigint }[] = [];
    for (let h = head; h > Math.max(finalized, head - 10); h--) {
      let s = 0n;
      for (const [addr, v] of ranked) if (v.height >= h) s += this.set.get(addr)!.stake;
      support.push({ height: h, stake: s });
    }
    this.lastSupport = support;
    const need = this.threshold();
    if (need === 0n) return undefined;
    let acc = 0n;
    const used: Vote[] = [];
    for (const [addr, v] of ranked) {
      acc += this.set.get(addr)!.stake;
      used.push(v);
      if (acc >= need) {
        const hashHex = hashAt(v.height);
        return hashHex === undefined ? undefined : { height: v.height, hashHex, votes: used };
      }
    }
    return undefined;
  }

  /** Forgets votes more than VOTE_WINDOW heights below the finalized height. */
  prune(finalized: number): void {
    const below = finalized - VOTE_WINDOW;
    for (const h of this.votes.keys()) if (h < below) this.votes.delete(h);
  }
}
