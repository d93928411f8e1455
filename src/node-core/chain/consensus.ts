/**
 * Consensus rules that are pure functions of genesis + blocks (DESIGN.md "Rules of the chain →
 * Consensus"): the validator set with its stake weights, the turn-based proposer schedule with
 * its fallback, and the block-slot check used by import and replay alike.
 *
 * Proposer schedule (multi-validator chains): the validators are ordered as listed in genesis;
 * for height h the validator at index `(h + r) mod n` has rank r. Rank 0 (whose turn it is) may
 * propose once `parent.timestamp + block_time`; rank r may propose a fallback block from
 * `parent.timestamp + (1 + r) × block_time`, i.e. one block time later per rank, when those before
 * it are late or offline. The rule is checked on the block's own timestamp, so it is
 * deterministic (replay gives the same answer); the wall clock only decides *when* a validator
 * proposes and whether a gossiped block is too far in the future (net layer).
 *
 * A chain with a single validator keeps the v1 rule (any timestamp after the parent's): its one
 * validator is always rank 0, and `dev.mine_one` must be able to produce at once.
 */
import { toHex } from '../crypto/hash.js';
import type { Block } from './block.js';
import type { Genesis } from './genesis.js';
import { ImportError } from './verify.js';

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

  constructor(g: Pick<Genesis, 'validators'>) {
    this.list = g.validators.map((v, index) => ({ addrHex: v.address.slice(3), address: v.address, publicKey: v.public_key, stake: BigInt(v.stake), index }));
    this.byAddr = new Map(this.list.map((v) => [v.addrHex, v]));
    this.total = this.list.reduce((s, v) => s + v.stake, 0n);
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

  /** The validator whose turn height h is (rank 0). */
  primary(height: number): Validator {
    return this.list[height % this.list.length];
  }
}

/** Earliest timestamp (ms) at which a validator of rank `rank` may propose on a parent with timestamp `parentMs`. */
export function earliestSlotMs(parentMs: number, blockTimeMs: number, rank: number): number {
  return parentMs + (1 + rank) * blockTimeMs;
}

/**
 * The slot rule of a block on its parent (multi-validator chains; no-op with one validator).
 * @throws ImportError `bad_slot` when the proposer proposed before its fallback slot.
 */
export function checkSlot(block: Block, parent: Block, set: ValidatorSet, blockTimeMs: number): void {
  if (!set.multi) return;
  const h = block.header;
  const rank = set.rank(h.height, toHex(h.proposer));
  if (rank < 0) throw new ImportError('unknown_proposer', `block ${h.height}: proposer is not a validator`);
  const earliest = earliestSlotMs(parent.header.timestampMs, blockTimeMs, rank);
  if (h.timestampMs < earliest)
    throw new ImportError('bad_slot', `block ${h.height}: proposer of rank ${rank} may not propose before ${earliest} (parent time + ${1 + rank} × ${blockTimeMs} ms), block time is ${h.timestampMs}`);
}

/** 2/3 of a stake, rounded up: the least support that finalizes (support × 3 ≥ effective × 2). */
export function finalityThreshold(effective: bigint): bigint {
  return (effective * 2n + 2n) / 3n;
}
