/**
 * Runs a `TendermintCore` in a node: real timers (monotonic), the consensus state file, logs and
 * metrics around the pure core. Every input (a message, a certificate, a fired timer) is handled
 * in order; for each output the driver
 *   1. saves the persistent state (priv_validator_state, fsynced) when the process signs,
 *   2. only then hands the signed messages to `send` (CometBFT: sign after the state is on disk),
 *   3. arms the requested timers and reports decisions and evidence.
 * One log line per round change above round 0 says why (which timeouts fired, or a round skip).
 */
import type pino from 'pino';
import type { Metrics } from '../../telemetry/metrics.js';
import { TendermintCore, type CoreConfig } from './core.js';
import type { PrivValidatorStateFile } from './privval.js';
import type { ConsensusMessage, Decision, Evidence, Input, Output, Step, TimeoutStep } from './types.js';

export interface DriverOptions<V> {
  config: CoreConfig<V>;
  /** First undecided height (finalized height + 1) when there is no state file. */
  height: number;
  /** The validator's state file; a full node has none. */
  state?: PrivValidatorStateFile<V>;
  /** Signs and broadcasts our messages (called only after the state that produced them is durable). */
  send(msgs: ConsensusMessage<V>[]): void;
  /** A decided value with its commit certificate (the caller commits the block). */
  onDecision(d: Decision<V>): Promise<void> | void;
  onEvidence?(e: Evidence<V>): void;
  logger?: pino.Logger;
  metrics?: Metrics;
  /** Monotonic clock (ms); timers never follow wall-clock steps. */
  now?: () => number;
}

export interface ConsensusStatus {
  height: number;
  round: number;
  step: Step;
  proposer: string;
  /** The last timeout that fired at this height, and when (monotonic ms ago). */
  lastTimeout: { round: number; step: TimeoutStep; agoMs: number } | null;
  /** Why the current round was entered (null in round 0). */
  roundReason: string | null;
}

export class ConsensusDriver<V> {
  private queue: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private lastTimeout: { height: number; round: number; step: TimeoutStep; at: number } | null = null;
  private roundReason: string | null = null;
  private seenHeight = 0;
  private readonly now: () => number;

  private constructor(
    private readonly o: DriverOptions<V>,
    readonly core: TendermintCore<V>,
  ) {
    this.now = o.now ?? (() => performance.now());
  }

  /**
   * Loads the state file (a restart resumes from it; the heights it covers must not be below
   * `height`) and starts the core.
   * @throws PrivValStateError when the state file is damaged.
   */
  static async start<V>(o: DriverOptions<V>): Promise<ConsensusDriver<V>> {
    const saved = await o.state?.load();
    let r: { core: TendermintCore<V>; out: Output<V> };
    if (saved && saved.height === o.height) {
      r = TendermintCore.restore(o.config, saved);
      o.logger?.info({ height: saved.height, round: saved.round, step: saved.step, locked_round: saved.lockedRound }, 'consensus resumes from its state file');
    } else if (saved) {
      // The chain is elsewhere (synced past it, or lost blocks it decided): a fresh height, but the
      // evidence stays and the guard still refuses to sign at or below the last signature.
      r = TendermintCore.restore(o.config, { height: o.height, round: 0, step: 'newHeight', lockedValue: null, lockedRound: -1, validValue: null, validRound: -1, lastSigned: saved.lastSigned, signed: [], pol: [], evidence: saved.evidence });
      if (saved.height > o.height) o.logger?.warn({ state_height: saved.height, chain_height: o.height }, 'the consensus state file is ahead of the chain: this validator will not sign until the chain passes its last signature');
    } else {
      const core = new TendermintCore(o.config, o.height);
      r = { core, out: core.start() };
    }
    const d = new ConsensusDriver(o, r.core);
    const first = r.out;
    d.enqueue(() => first);
    return d;
  }

  /** A verified message or commit certificate from the network. */
  receive(m: Input<V>): void {
    if (m.height > this.seenHeight) this.seenHeight = m.height;
    this.enqueue(() => this.core.receive(m));
  }

  /** Waits for the inputs queued so far (tests, orderly stop). */
  idle(): Promise<void> {
    return this.queue;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.queue;
  }

  status(): ConsensusStatus {
    const c = this.core;
    const lt = this.lastTimeout && this.lastTimeout.height === c.height ? this.lastTimeout : null;
    return {
      height: c.height,
      round: c.round,
      step: c.step,
      proposer: c.proposerOf(c.round),
      lastTimeout: lt ? { round: lt.round, step: lt.step, agoMs: Math.round(this.now() - lt.at) } : null,
      roundReason: this.roundReason,
    };
  }

  private enqueue(input: () => Output<V>): void {
    const run = this.queue.then(async () => {
      if (this.stopped) return;
      await this.apply(input());
    });
    this.queue = run.catch((err: unknown) => this.o.logger?.error({ err }, 'consensus step failed'));
  }

  private async apply(out: Output<V>): Promise<void> {
    if (out.send.length > 0 && this.o.state) await this.o.state.save(this.core.persistentState());
    if (this.stopped) return;
    if (out.send.length > 0) this.o.send(out.send);
    for (const t of out.timeouts) this.arm(t.height, t.round, t.step, t.afterMs);
    for (const e of out.evidence) {
      this.o.logger?.warn({ validator: e.from, height: e.height, round: e.round, kind: e.kind }, `equivocation: validator ${e.from} signed two different ${e.kind}s at height ${e.height} round ${e.round}`);
      this.o.metrics?.equivocationsTotal.inc();
      this.o.onEvidence?.(e);
    }
    for (const rc of out.roundChanges) {
      this.roundReason = rc.reason === 'round_skip' ? `more than 1/3 of the voting power is in round ${rc.to}` : `no decision in round ${rc.from} (timed out: ${rc.timedOut.join(', ') || 'none'})`;
      this.o.logger?.info({ height: rc.height, round: rc.to, from_round: rc.from, reason: rc.reason, timed_out: rc.timedOut }, `consensus round ${rc.to} at height ${rc.height}: ${this.roundReason}`);
    }
    for (const d of out.decisions) {
      this.roundReason = null;
      await this.o.onDecision(d);
    }
    const m = this.o.metrics;
    if (m) {
      m.consensusRound.set(this.core.round);
      m.finalityLagBlocks.set(Math.max(0, this.seenHeight - this.core.height));
    }
  }

  private arm(height: number, round: number, step: TimeoutStep, afterMs: number): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.enqueue(() => {
        const c = this.core;
        const live = c.height === height && (step === 'commit' ? c.step === 'newHeight' : c.round === round && (step === 'precommit' || c.step === step));
        if (live && step !== 'commit') {
          this.lastTimeout = { height, round, step, at: this.now() };
          this.o.metrics?.consensusRoundTimeoutsTotal.inc({ step });
        }
        return c.onTimeout(height, round, step);
      });
    }, afterMs);
    this.timers.add(t);
  }
}
