/**
 * Proposals of the node waiting for, and after, their block check: `valid(v)` of Algorithm 1
 * (lines 23/29/36/50) is a lookup here, because a block is checked against its parent (signatures,
 * rules, state root — chain.checkBlock) before the core sees its proposal. A proposal for a later
 * height waits until its parent is the head.
 */
import type pino from 'pino';
import type { Block } from '../block.js';
import type { Chain } from '../chain.js';
import type { ValidatorSet } from '../consensus.js';
import type { BlockOutcome } from '../dev-follow.js';
import { ImportError } from '../verify.js';
import type { Proposal } from './types.js';
import type { SignedMessage } from './wire.js';

/** A proposal whose block time is this far ahead of our clock (ms, beside 5 block times) is not valid. */
export const MAX_CLOCK_AHEAD_MS = 2_000;
/** Proposals kept per future height. */
const PENDING_CAP = 64;

export class ProposalChecks {
  /** Blocks checked against their parent: hash → height and whether it applies. */
  private readonly checked = new Map<string, { height: number; ok: boolean }>();
  private readonly pending = new Map<number, SignedMessage[]>();

  constructor(
    private readonly chain: Chain,
    private readonly logger?: pino.Logger,
  ) {}

  /** valid(v) at height h. */
  isValid(b: Block, h: number): boolean {
    return b.header.height === h && this.checked.get(b.hashHex)?.ok === true;
  }

  /** A block this node built on its head (valid by construction). */
  markOwn(b: Block): void {
    this.checked.set(b.hashHex, { height: b.header.height, ok: true });
  }

  /** Whether a block applies on its parent (the head); undefined when the head is not its parent. */
  async check(b: Block): Promise<boolean | undefined> {
    const known = this.checked.get(b.hashHex);
    if (known !== undefined) return known.ok;
    if (this.chain.headBlock().header.height !== b.header.height - 1) return undefined;
    let ok = true;
    if (b.header.timestampMs > Date.now() + Math.max(MAX_CLOCK_AHEAD_MS, 5 * this.chain.genesis.block_time_ms)) ok = false;
    else
      try {
        await this.chain.checkBlock(b.bytes);
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        if (this.chain.headBlock().header.height !== b.header.height - 1) return undefined;
        this.logger?.warn({ height: b.header.height, hash: b.hashHex.slice(0, 12), reason: err.reason }, `proposed block does not apply: ${err.message}`);
        ok = false;
      }
    this.checked.set(b.hashHex, { height: b.header.height, ok });
    return ok;
  }

  /** Keeps a proposal until its parent is the head. */
  wait(sm: SignedMessage): void {
    const q = this.pending.get(sm.msg.height) ?? [];
    if (q.length < PENDING_CAP) q.push(sm);
    this.pending.set(sm.msg.height, q);
  }

  /** Height `h` is committed: forgets what is at or below it; @returns the proposals for h + 1. */
  committed(h: number): SignedMessage[] {
    for (const [k, v] of this.checked) if (v.height <= h) this.checked.delete(k);
    const next = this.pending.get(h + 1) ?? [];
    for (const x of this.pending.keys()) if (x <= h + 1) this.pending.delete(x);
    return next;
  }
}

/**
 * The stateless rules a gossiped proposal must meet before its block is looked at: sent by the
 * proposer of its round (at head + 1: validator `(h + r) mod n` of the active set, i.e. without
 * `excluded`), valid round below its round, height above the head and at most `1 + ahead` past it.
 * @returns the outcome when refused or ignored, undefined when the proposal may go on.
 */
export function proposalRefusal(p: Proposal<Block>, set: ValidatorSet, excluded: ReadonlySet<string>, head: number, ahead: number): BlockOutcome | undefined {
  // The active set of a height above head + 1 may still change (evidence in the blocks between): only a validator is required there.
  if (p.height === head + 1 ? p.from !== set.proposer(p.height, p.round, excluded).addrHex : !set.get(p.from)) return { verdict: 'reject', reason: `not the proposer of height ${p.height} round ${p.round}` };
  if (p.validRound >= p.round) return { verdict: 'reject', reason: 'valid round not below the round' };
  if (p.height <= head) return { verdict: 'ignore', reason: 'height already committed' };
  if (p.height > head + 1 + ahead) return { verdict: 'ignore', needParent: true, reason: 'far ahead of this node' };
  return undefined;
}
