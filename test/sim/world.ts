/**
 * The deterministic consensus simulator (after TigerBeetle's VOPR, `docs/about/vopr.md`): the real
 * `TendermintCore` of every validator and of one full node runs in a simulated world driven by one
 * seeded scheduler. Nothing here reads a clock or sleeps; one seed replays one run exactly.
 *
 * Invariants are checked after every event (see `check*`); a violation stops the run.
 */
import { certificateHolds, provesFault, TendermintCore, type CoreConfig } from '../../src/node-core/chain/tendermint/core.js';
import type { CommitCertificate, Evidence, Input, Output, PersistedState, TimeoutStep } from '../../src/node-core/chain/tendermint/types.js';
import { byzantineSend } from './byzantine.js';
import { EventQueue, Rng } from './rng.js';
import { BLOCK_MS, LINK_EPOCH_MS, makeScenario, partitioned, STABLE_MAX_DELAY, type Scenario } from './scenario.js';

/** A proposed block: an id, whether it is valid, and the evidence it commits (excluded from the next height on). */
export interface SimValue {
  id: string;
  valid: boolean;
  evidence: Evidence<SimValue>[];
}

/**
 * Deliberately broken variants the invariants must catch: `ignore_lock` and `half_quorum` break
 * the core's rules; `forget_lock` restarts without the lock, `forget_signatures` restarts without
 * the priv-validator state (as if signatures were sent before being persisted).
 */
export type Broken = 'ignore_lock' | 'half_quorum' | 'forget_lock' | 'forget_signatures';
export const BROKEN: readonly Broken[] = ['ignore_lock', 'half_quorum', 'forget_lock', 'forget_signatures'];

export interface SimOptions {
  validators?: number;
  /** A deliberately broken variant the invariants must catch. */
  broken?: Broken;
  trace?: (line: string) => void;
  /** Blocks every honest node finalizes after stabilisation before the run stops (default RUN_ON_BLOCKS). */
  runOn?: number;
}

export interface SimResult {
  seed: number;
  violations: string[];
  /** Heights finalized by the most advanced honest node. */
  heights: number;
  /** Round (0-based) at which each height was first decided by an honest node. */
  decisionRounds: number[];
  /** The same, for heights decided after the network became stable. */
  stableDecisionRounds: number[];
  events: number;
  /** Simulated ms from stabilisation until the last honest node finalized a new block. */
  recoveryMs: number;
  evidence: number;
  /** First height from which a validator is excluded by evidence committed in a decided block (null: none). */
  exclusionFrom: number | null;
  /** Validators excluded by committed evidence by the end of the run. */
  excluded: number;
  validators: number;
  byzantine: number;
}

type Ev =
  | { k: 'deliver'; to: string; from: string; msgs: Input<SimValue>[]; fromHeight: number }
  | { k: 'timeout'; node: string; epoch: number; h: number; r: number; step: TimeoutStep }
  | { k: 'tick'; node: string; epoch: number }
  | { k: 'crash'; node: string; back: number }
  | { k: 'restart'; node: string };

interface SimNode {
  id: string;
  core: TendermintCore<SimValue> | undefined;
  epoch: number;
  persisted: PersistedState<SimValue> | undefined;
  /** The block store: certificates of decided heights 1..n. */
  decided: CommitCertificate<SimValue>[];
  /** Crash right after persisting the next output, before sending it. */
  crashMidStep: number | undefined;
  lastTickKey: string;
  nonce: number;
}

const GOSSIP_MS = BLOCK_MS;
/** A run stops once every honest node finalized this many blocks after stabilisation. */
const RUN_ON_BLOCKS = 3;

export function timeoutMs(step: TimeoutStep, round: number): number {
  if (step === 'commit') return BLOCK_MS;
  return (step === 'propose' ? 2 * BLOCK_MS : BLOCK_MS) + (round * BLOCK_MS) / 2;
}

export class World {
  readonly s: Scenario;
  private readonly rng: Rng;
  private readonly q = new EventQueue<Ev>();
  private readonly nodes = new Map<string, SimNode>();
  private readonly power: Map<string, bigint>;
  private readonly order: string[];
  private now = 0;
  readonly violations: string[] = [];
  private readonly decidedAt = new Map<number, SimValue>();
  private readonly firstRound = new Map<number, { round: number; t: number }>();
  private readonly signed = new Map<string, string>();
  readonly proven = new Set<string>();
  private events = 0;
  private recoveryMs = 0;
  private readonly firstAfterStable = new Map<string, number>();

  constructor(
    readonly seed: number,
    private readonly o: SimOptions = {},
  ) {
    this.s = makeScenario(seed, { validators: o.validators });
    this.rng = new Rng(seed ^ 0x5bd1e995);
    this.power = new Map(this.s.validators.map((v) => [v.id, v.stake]));
    this.order = this.s.validators.map((v) => v.id);
    for (const id of [...this.order, 'full']) this.nodes.set(id, { id, core: undefined, epoch: 0, persisted: undefined, decided: [], crashMidStep: undefined, lastTickKey: '', nonce: 0 });
  }

  private config(n: SimNode): CoreConfig<SimValue> {
    const self = n.id === 'full' ? undefined : n.id;
    return {
      validators: this.power,
      self,
      proposer: (h, r, ex) => activeOrder(this.order, ex)[(h + r) % activeOrder(this.order, ex).length],
      getValue: (h, r) => ({ id: `${h}.${r}.${n.id}.${n.nonce++}`, valid: true, evidence: (n.core?.evidence() ?? []).filter((e) => !excludedBy(n.decided, h).has(e.from)) }),
      valid: (v, h) => v.valid && v.id.startsWith(`${h}.`) && v.evidence.every((e) => e.height <= h && provesFault(e, this.power, (x) => x.id)),
      excluded: (h) => excludedBy(n.decided, h),
      excludes: (v) => v.evidence.map((e) => e.from),
      idOf: (v) => v.id,
      timeout: timeoutMs,
      broken: this.o.broken === 'ignore_lock' || this.o.broken === 'half_quorum' ? this.o.broken : undefined,
    };
  }

  run(): SimResult {
    for (const n of this.nodes.values()) {
      n.core = new TendermintCore(this.config(n), 1);
      this.handle(n, n.core.start());
      this.q.push(this.rng.int(0, GOSSIP_MS), { k: 'tick', node: n.id, epoch: n.epoch });
    }
    for (const c of this.s.crashes) this.q.push(c.at, { k: 'crash', node: c.node, back: c.back });
    let stableHeights: Map<string, number> | undefined;
    for (;;) {
      const next = this.q.pop();
      if (!next || next.t > this.s.endMs) break;
      if (!stableHeights && next.t >= this.s.stableAtMs) stableHeights = this.finalizedHeights();
      this.now = next.t;
      this.events++;
      this.step(next.e);
      if (this.violations.length > 0) break;
      // Liveness shown: every honest node finalized RUN_ON_BLOCKS new blocks after stabilisation.
      if (stableHeights && this.s.honest.every((id) => this.nodes.get(id)!.decided.length >= stableHeights!.get(id)! + (this.o.runOn ?? RUN_ON_BLOCKS))) break;
    }
    if (stableHeights) this.recoveryMs = Math.max(...this.s.honest.map((id) => (this.firstAfterStable.get(id) ?? this.s.endMs) - this.s.stableAtMs));
    if (this.violations.length === 0) this.checkLiveness(stableHeights ?? this.finalizedHeights());
    const rounds = [...this.firstRound.values()];
    return {
      seed: this.seed,
      violations: this.violations,
      heights: Math.max(...[...this.nodes.values()].map((n) => n.decided.length)),
      decisionRounds: rounds.map((x) => x.round),
      stableDecisionRounds: rounds.filter((x) => x.t > this.s.stableAtMs).map((x) => x.round),
      events: this.events,
      recoveryMs: this.recoveryMs,
      evidence: this.proven.size,
      ...this.exclusions(),
      validators: this.order.length,
      byzantine: this.s.byzantine.size,
    };
  }

  /** Exclusions committed in the decided chain: the first height they apply at, and how many. */
  private exclusions(): { exclusionFrom: number | null; excluded: number } {
    const hs = [...this.decidedAt.keys()].sort((a, b) => a - b);
    const first = hs.find((h) => this.decidedAt.get(h)!.evidence.length > 0);
    return { exclusionFrom: first === undefined ? null : first + 1, excluded: excludedBy([...this.decidedAt.values()].map((value) => ({ value }) as CommitCertificate<SimValue>), Infinity).size };
  }

  private finalizedHeights(): Map<string, number> {
    return new Map(this.s.honest.map((id) => [id, this.nodes.get(id)!.decided.length]));
  }

  private trace(line: string): void {
    this.o.trace?.(`${String(this.now).padStart(7)} ${line}`);
  }

  private step(e: Ev): void {
    const n = this.nodes.get(e.k === 'deliver' ? e.to : e.node)!;
    switch (e.k) {
      case 'deliver': {
        if (!n.core) return;
        this.handle(n, n.core.receiveMany(e.msgs));
        const catchUp = !this.s.lateCatchUp || this.now >= this.s.stableAtMs;
        if (n.core && catchUp && e.fromHeight < n.core.height && this.isHonest(n.id)) {
          const cert = n.decided[e.fromHeight - 1];
          if (cert) this.send(n, e.from, [cert]);
        }
        return;
      }
      case 'timeout':
        if (n.core && e.epoch === n.epoch) this.handle(n, n.core.onTimeout(e.h, e.r, e.step));
        return;
      case 'tick':
        return this.tick(n, e.epoch);
      case 'crash':
        if (!n.core) return;
        if (this.rng.chance(0.5)) n.crashMidStep = e.back;
        else this.crash(n, e.back);
        return;
      case 'restart':
        return this.restart(n);
    }
  }

  private crash(n: SimNode, back: number): void {
    this.trace(`${n.id} crashes (height ${n.core?.height}, round ${n.core?.round})`);
    n.core = undefined;
    n.epoch++;
    n.crashMidStep = undefined;
    this.q.push(Math.max(back, this.now + 1), { k: 'restart', node: n.id });
  }

  /** A restart sees only what was persisted: the block store and the consensus state file. */
  private restart(n: SimNode): void {
    const before = n.decided.length;
    const cfg = this.config(n);
    let out: Output<SimValue> | undefined;
    if (n.persisted && n.persisted.height === n.decided.length + 1) {
      let p = n.persisted;
      if (this.o.broken === 'forget_lock') p = { ...p, lockedValue: null, lockedRound: -1, validValue: null, validRound: -1 };
      if (this.o.broken === 'forget_signatures') p = { ...p, round: 0, step: 'newHeight', lastSigned: null, signed: [], lockedValue: null, lockedRound: -1, validValue: null, validRound: -1 };
      ({ core: n.core, out } = TendermintCore.restore(cfg, p));
    } else {
      n.core = new TendermintCore(cfg, n.decided.length + 1);
      out = n.core.start();
    }
    this.trace(`${n.id} restarts at height ${n.core.height} round ${n.core.round} step ${n.core.step}`);
    if (n.core.height - 1 < before) this.violations.push(`monotonic: ${n.id} restarted below its finalized height`);
    this.handle(n, out);
    this.q.push(this.now + this.rng.int(0, GOSSIP_MS), { k: 'tick', node: n.id, epoch: n.epoch });
  }

  /** Gossip: a node whose round state has not moved since its last tick re-sends what it has. */
  private tick(n: SimNode, epoch: number): void {
    if (epoch !== n.epoch || !n.core) return;
    const c = n.core;
    const key = `${c.height}/${c.round}/${c.step}`;
    if (key === n.lastTickKey && this.s.byzantine.get(n.id) !== 'silent') {
      const rounds = new Set([c.round - 1, c.round, c.validRound, c.lockedRound].filter((r) => r >= 0));
      const msgs = c.messagesAt(rounds);
      for (const to of this.nodes.keys()) if (to !== n.id) this.send(n, to, msgs);
    }
    n.lastTickKey = key;
    this.q.push(this.now + Math.round(GOSSIP_MS * this.rate(n.id)), { k: 'tick', node: n.id, epoch });
  }

  /**
   * Timer rate of a node now: the scenario's skew while the network is unstable (a starved or
   * paused process), within ±10 % of true time after stabilisation (the bounded drift partial
   * synchrony assumes; a 3× rate gap forever would let a fast node's rounds outrun every proposal).
   */
  private rate(id: string): number {
    const k = this.s.skew.get(id)!;
    return this.now < this.s.stableAtMs ? k : 1 + (k - 1) / 10;
  }

  private isHonest(id: string): boolean {
    return !this.s.byzantine.has(id);
  }

  private handle(n: SimNode, out: Output<SimValue>): void {
    const core = n.core!;
    const honest = this.isHonest(n.id);
    for (const e of out.evidence) {
      if (honest && !this.proven.has(e.from)) this.trace(`${n.id} evidence: ${e.from} ${e.kind} at ${e.height}/${e.round}`);
      if (honest) this.proven.add(e.from);
    }
    for (const d of out.decisions) {
      if (honest && this.now >= this.s.stableAtMs && !this.firstAfterStable.has(n.id)) this.firstAfterStable.set(n.id, this.now);
      if (honest) this.checkDecision(n, d.certificate);
      n.decided.push(d.certificate);
    }
    if (honest) for (const m of out.send) this.checkSignOnce(m);
    for (const rc of out.roundChanges) this.trace(`${n.id} height ${rc.height}: round ${rc.from} → ${rc.to} (${rc.reason}; timed out: ${rc.timedOut.join(',') || '-'})`);
    // Persist (fsync) before any message leaves: CometBFT priv_validator_state.
    n.persisted = core.persistentState();
    if (n.crashMidStep !== undefined) return this.crash(n, n.crashMidStep);
    for (const t of out.timeouts) this.q.push(this.now + Math.round(t.afterMs * this.rate(n.id)), { k: 'timeout', node: n.id, epoch: n.epoch, h: t.height, r: t.round, step: t.step });
    if (out.send.length === 0) return;
    const mode = this.s.byzantine.get(n.id);
    for (const to of this.nodes.keys()) {
      if (to === n.id) continue;
      const msgs = mode ? byzantineSend(mode, this.rng, core, out.send, to, this.s.honest) : out.send;
      if (msgs.length > 0) this.send(n, to, msgs);
    }
  }

  private send(n: SimNode, to: string, msgs: Input<SimValue>[]): void {
    const fromHeight = n.core?.height ?? 0;
    const stable = this.now >= this.s.stableAtMs;
    if (!stable && (partitioned(this.s, this.now, n.id, to) || this.rng.chance(this.s.dropP))) return;
    const max = stable ? STABLE_MAX_DELAY : this.s.linkMaxDelay.get(`${Math.floor(this.now / LINK_EPOCH_MS)}:${n.id}>${to}`)!;
    const delay = () => this.rng.int(0, max);
    this.q.push(this.now + delay(), { k: 'deliver', to, from: n.id, msgs, fromHeight });
    if (!stable && this.rng.chance(this.s.dupP)) this.q.push(this.now + delay(), { k: 'deliver', to, from: n.id, msgs, fromHeight });
  }

  // ─── invariants ──────────────────────────────────────────────────────────────────────────

  /** Agreement, validity and a valid commit certificate for every honest decision. */
  private checkDecision(n: SimNode, c: CommitCertificate<SimValue>): void {
    const h = c.height;
    if (h !== n.decided.length + 1) this.violations.push(`monotonic: ${n.id} decided height ${h} after ${n.decided.length}`);
    const prev = this.decidedAt.get(h);
    if (prev !== undefined && prev.id !== c.value.id) this.violations.push(`agreement: height ${h}: ${n.id} finalized ${c.value.id}, another honest node finalized ${prev.id}`);
    if (prev === undefined) {
      this.decidedAt.set(h, c.value);
      this.firstRound.set(h, { round: c.round, t: this.now });
      this.trace(`${n.id} finalizes height ${h} = ${c.value.id} in round ${c.round}`);
    }
    if (!c.value.valid || !c.value.id.startsWith(`${h}.`)) this.violations.push(`validity: ${n.id} finalized an invalid value ${c.value.id} at height ${h}`);
    for (const e of c.value.evidence) if (!this.s.byzantine.has(e.from)) this.violations.push(`evidence: height ${h} commits evidence against honest ${e.from}`);
    const excluded = new Set<string>();
    for (let k = 1; k < h; k++) for (const e of this.decidedAt.get(k)?.evidence ?? []) excluded.add(e.from);
    if (!certificateHolds(c, this.power, (v) => v.id, excluded)) this.violations.push(`certificate: height ${h} at ${n.id} does not carry > 2/3 of the power in matching precommits`);
  }

  /** An honest validator never signs two different messages at one (height, round, step). */
  private checkSignOnce(m: Input<SimValue>): void {
    if (m.type === 'commit') return;
    const key = `${m.from}/${m.height}/${m.round}/${m.type}`;
    const what = m.type === 'proposal' ? `${m.value.id}/${m.validRound}` : String(m.id);
    const prev = this.signed.get(key);
    if (prev === undefined) this.signed.set(key, what);
    else if (prev !== what) this.violations.push(`double sign: honest ${m.from} signed ${m.type} ${prev} and ${what} at height ${m.height} round ${m.round}`);
  }

  /** After stabilisation every honest node finalizes a new block within the bound. */
  private checkLiveness(atStable: Map<string, number>): void {
    for (const id of this.s.honest) {
      const n = this.nodes.get(id)!;
      if (n.decided.length <= atStable.get(id)!) this.violations.push(`liveness: ${id} finalized nothing in the ${this.s.endMs - this.s.stableAtMs} ms after the network stabilised (height ${n.decided.length}, round ${n.core?.round})`);
    }
  }
}

/** Validators excluded at height h: evidence committed by the decided blocks below h. */
function excludedBy(decided: readonly CommitCertificate<SimValue>[], h: number): Set<string> {
  const out = new Set<string>();
  for (let k = 0; k < h - 1 && k < decided.length; k++) for (const e of decided[k].value.evidence) out.add(e.from);
  return out;
}

export function simulate(seed: number, o: SimOptions = {}): SimResult {
  return new World(seed, o).run();
}

/** proposer(h, r) runs over the validators active at h (the node: ValidatorSet.proposer). */
function activeOrder(order: readonly string[], excluded: ReadonlySet<string>): readonly string[] {
  return excluded.size === 0 ? order : order.filter((v) => !excluded.has(v));
}
