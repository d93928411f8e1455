/**
 * Round timeouts of the node (ms), growing with the round (consensus.md: "timeouts increase" so
 * that eventually a round lasts long enough under partial synchrony):
 *   propose   max(3 s, 3 block times) + r × max(0.5 s, block time / 2)
 *   prevote / precommit   max(1 s, 1 block time) + r × max(0.5 s, block time / 2)
 *   (CometBFT's defaults are 3 s / 1 s / 1 s + 0.5 s per round; a timeout only matters when a
 *   proposer is down or messages are late — a healthy round ends on its quorums, not its timers)
 *   commit    CometBFT `timeout_commit`, counted from the start of the decided height rather than
 *             from the commit, so blocks come every `block_time_ms` while the network is healthy.
 *             The start every node can agree on is the decided block's timestamp (its proposer
 *             built it when that height began): round 0 of the next height is due at that
 *             timestamp + one block time (`afterBlock`, used by the driver on a decision), at once
 *             when that is past, never more than one block time away. Counting from each node's
 *             own round-0 start instead let the validators' phases drift apart: the proposer
 *             proposed while the others still waited, and a height took up to two block times.
 *             Without a decision (a start or a restart) the fallback counts from this node's own
 *             round-0 start. Timing only: the core's rules do not depend on it.
 */
import type { TimeoutStep } from './types.js';

export class RoundTimeouts {
  /** When round 0 of the current height started (monotonic ms). */
  private round0At = 0;

  constructor(
    private readonly blockTimeMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** CoreConfig.timeout; called by the core when it arms a timer (propose of round 0 = the height starts). */
  timeout(step: TimeoutStep, r: number): number {
    const bt = this.blockTimeMs;
    const now = this.now();
    if (step === 'commit') return Math.max(0, Math.min(bt, this.round0At + bt - now));
    const grow = r * Math.max(500, Math.floor(bt / 2));
    if (step === 'propose') {
      if (r === 0) this.round0At = now;
      return Math.max(3000, 3 * bt) + grow;
    }
    return Math.max(1000, bt) + grow;
  }

  /**
   * timeout_commit after deciding a block with this timestamp (ms since the Unix epoch): the time
   * left until `timestamp + block_time_ms` on the wall clock, clamped to [0, block time] (a skewed
   * clock shifts one node's start by at most one block time; it never blocks a height).
   */
  afterBlock(blockTimestampMs: number, wallNowMs: number = Date.now()): number {
    const bt = this.blockTimeMs;
    return Math.max(0, Math.min(bt, blockTimestampMs + bt - wallNowMs));
  }
}
