/**
 * Round timeouts of the node (ms), growing with the round (consensus.md: "timeouts increase" so
 * that eventually a round lasts long enough under partial synchrony):
 *   propose   max(3 s, 3 block times) + r × max(0.5 s, block time / 2)
 *   prevote / precommit   max(1 s, 1 block time) + r × max(0.5 s, block time / 2)
 *   (CometBFT's defaults are 3 s / 1 s / 1 s + 0.5 s per round; a timeout only matters when a
 *   proposer is down or messages are late — a healthy round ends on its quorums, not its timers)
 *   commit    what is left of one block time since round 0 of this height began, so blocks come
 *             every `block_time_ms` while the network is healthy (CometBFT `timeout_commit`).
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
}
