/**
 * Round timeouts of the node (ms), growing with the round (consensus.md: "timeouts increase" so
 * that eventually a round lasts long enough under partial synchrony):
 *   propose   max(1 s, 3 block times) + r block times
 *   prevote / precommit   max(0.5 s, 1 block time) + r/2 block times
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
    if (step === 'propose') {
      if (r === 0) this.round0At = now;
      return Math.max(1000, 3 * bt) + r * bt;
    }
    return Math.max(500, bt) + Math.floor((r * bt) / 2);
  }
}
