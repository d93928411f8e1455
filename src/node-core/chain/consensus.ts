/**
 * Consensus rules that are pure functions of genesis + blocks (DESIGN.md "Rules of the chain →
 * Consensus"): the validator set with its stake weights, the proposer schedule and the proposer
 * check used by import and replay alike.
 *
 * Proposer schedule (multi-validator chains, Tendermint `proposer(h, r)`, chain/engine.ts): the
 * validators are ordered as listed in genesis; in round r of height h the validator at index
 * `(h + r) mod n` proposes (its "rank" at h is r). Blocks are final by their commit certificate
 * (> 2/3 of the stake precommitted them), so import checks only that the proposer is a validator.
 *
 * A chain with a single validator keeps the v1 rule (any timestamp after the parent's): its one
 * validator is always rank 0, and `dev.mine_one` must be able to produce at once.
 */
import { fromHex, toHex } from '../crypto/hash.js';
import type { Block } from './block.js';
import type { Genesis } from './genesis.js';
import { ImportError } from './verify.js';
import { excludedAt, exclusionsOf } from './exclusions.js';
import type { ModuleStates } from './run.js';
import { checkEvidence, type EvidenceRules } from './tendermint/committed-evidence.js';

export interface Validator {
  /** 40-hex address bytes (no `tb1`). */
  addrHex: string;
  /** `tb1…` */
  address: string;
  publicKey: string;
  stake: bigint;
  index: number;
}

/** The genesis validator set, in genesis order. */
export class ValidatorSet {
  readonly list: readonly Validator[];
  readonly total: bigint;
  private readonly byAddr: Map<string, Validator>;
  /** What committed evidence is checked against (tendermint/committed-evidence.ts). */
  readonly evidenceRules: EvidenceRules;

  constructor(g: Pick<Genesis, 'validators'> & { chain_id?: number }) {
    this.list = g.validators.map((v, index) => ({ addrHex: v.address.slice(3), address: v.address, publicKey: v.public_key, stake: BigInt(v.stake), index }));
    this.byAddr = new Map(this.list.map((v) => [v.addrHex, v]));
    this.total = this.list.reduce((s, v) => s + v.stake, 0n);
    this.evidenceRules = { chainId: g.chain_id ?? 0, keys: new Map(this.list.map((v) => [v.addrHex, fromHex(v.publicKey, 32)])), stakes: new Map(this.list.map((v) => [v.addrHex, v.stake])) };
  }

  get size(): number {
    return this.list.length;
  }

  /** True for chains with more than one validator (votes, fallback slots, undo records). */
  get multi(): boolean {
    return this.list.length > 1;
  }

  /** Validator by 40-hex address, or undefined. */
  get(addrHex: string): Validator | undefined {
    return this.byAddr.get(addrHex);
  }

  /** Rank of a validator for height h (0 = its turn), or -1 when it is not a validator. */
  rank(height: number, addrHex: string): number {
    const v = this.byAddr.get(addrHex);
    if (!v) return -1;
    const n = this.list.length;
    return (((v.index - height) % n) + n) % n;
  }

  /**
   * Tendermint proposer(h, r) over the validators active at h (genesis order without `excluded`):
   * the one at index (h + r) mod n. With no exclusion it is the genesis list's (h + r) mod n.
   */
  proposer(height: number, round: number, excluded: ReadonlySet<string>): Validator {
    const active = excluded.size === 0 ? this.list : this.list.filter((v) => !excluded.has(v.addrHex));
    return active[(height + round) % active.length];
  }

  /** The validator whose turn height h is (rank 0). */
  primary(height: number): Validator {
    return this.list[height % this.list.length];
  }
}

/**
 * The proposer and evidence rules of a block on its parent (multi-validator chains; a
 * single-validator chain takes no evidence and any proposer check is a no-op): its proposer is a
 * validator not excluded at its height, and its committed evidence holds
 * (tendermint/committed-evidence.ts). Under Tendermint (chain/engine.ts) a block is final by its
 * commit certificate, and whoever proposes in a round may re-propose a block another validator
 * built (the paper's validValue), so no timing is attached to a proposer. `blockTimeMs` is kept
 * for the callers' signature (replay checks the same rule).
 * @param before the module states after the parent (the exclusions so far).
 * @returns the validators the block's evidence excludes from the next height on.
 * @throws ImportError unknown_proposer | excluded_proposer | unexpected_evidence | an evidence reason.
 */
export function checkSlot(block: Block, _parent: Block, set: ValidatorSet, _blockTimeMs: number, before?: ModuleStates): string[] {
  const h = block.header;
  if (!set.multi) {
    if (block.evidence.length > 0) throw new ImportError('unexpected_evidence', `block ${h.height}: a single-validator chain takes no evidence`);
    return [];
  }
  const p = toHex(h.proposer);
  if (set.rank(h.height, p) < 0) throw new ImportError('unknown_proposer', `block ${h.height}: proposer is not a validator`);
  const ex = before ? exclusionsOf(before) : [];
  if (excludedAt(ex, h.height).has(p)) throw new ImportError('excluded_proposer', `block ${h.height}: proposer ${set.get(p)!.address} is excluded (committed evidence)`);
  return block.evidence.length > 0 ? checkEvidence(block, ex, set.evidenceRules) : [];
}

/** Least stake that commits under Tendermint: more than 2/3 of `effective` (w × 3 > effective × 2). */
export function finalityThreshold(effective: bigint): bigint {
  return (effective * 2n) / 3n + 1n;
}
