/**
 * The launch governor service (issue 4; spec/governor.md §2, §4 with spec/README.md's decisions).
 *
 * Every `window_secs` it samples the gates' inputs (operational: our chain; market gates: the
 * modules that feed them, e.g. energy; a gate whose source is absent says `no_signal`), steps each gate (gates.ts) and, for every state change,
 * records a decision:
 *   1. an intent `{gate}-{created_epoch}-{seq}` with `epoch_apply` (next epoch) in the SimpleDb
 *      store `launch_governor` at TB_GOVERNOR_DB (`intent/{id}`; gate memory under `gate/{name}`),
 *   2. the epoch file `governor/decisions/epoch-{epoch_apply}.json` rewritten with every decision
 *      of that epoch (+ `.sig` when signing), its BLAKE3 stored as `snapshot_hash_hex`,
 *   3. a `governor.gateChanged` event, metrics, one info log line,
 *   4. unless shadow mode: after re-checking the file hash, a governor-intent transaction from the
 *      node's validator key (gov-intent.ts, chain-module.ts); the chain applies the patch at the first block
 *      of `epoch_apply` once ≥ 2/3 of stake submitted the identical intent.
 * Intent states follow the chain's governance history: applied / expired. Pending intents survive
 * restarts (reloaded from the store; unsent ones are submitted while their epoch is still ahead).
 */
import type { Logger } from 'pino';
import type { GateName, GateStatus, GovernorStatus, IntentSummary, SnapshotFound } from '../../shared/api/governor.js';
import { GATE_NAMES } from '../../shared/api/governor.js';
import { RpcError } from '../../shared/api/errors.js';
import { EPOCH_BLOCKS } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import type { Ed25519Keys } from '../crypto/ed25519.js';
import { toHex } from '../crypto/hash.js';
import type { NodeEvents } from '../events.js';
import { names, SimpleDb } from '../storage/simpledb.js';
import type { Deadline } from '../modules/index.js';
import { publishGateMetrics, type GovernorMetrics } from './metrics.js';
import { governorState, intentKind } from './chain-module.js';
import { evaluateEconomics, evaluateMarket, evaluateOperational, initialMemory, noSignal, requiredStreak, stepGate, type GateMemory, type Verdict } from './gates.js';
import { applyEpochFor, chainIntent, chainKeyOf, entryOf, newestFirst, patchFor, summaryOf, type IntentRecord } from './intents.js';
import { BlockRing, epochActivity, sampleOperational } from './signals.js';
import { DecisionFiles, snapshotFound } from './snapshots.js';

export const GOVERNOR_SCHEMA_VERSION = 1;
/** Every gate state, for the one-series-per-state `governor_gate_state{gate,state}` gauge. */

export interface GovernorOptions {
  /** Node data directory (decision files go to `<dataDir>/governor/decisions`). */
  dataDir: string;
  /** Intent store directory (TB_GOVERNOR_DB). */
  dbDir: string;
  windowSecs: number;
  /** Epoch duration in seconds (120 blocks × block time). */
  epochSecs: number;
  shadowOnly: boolean;
  /** Decision-file signing key (TB_NODE_KEY_HEX); undefined = unsigned. */
  signingKeys?: Ed25519Keys;
  chain: Chain;
  events: NodeEvents;
  metrics?: GovernorMetrics;
  logger?: Logger;
  /** Wall clock in ms (tests). */
  now?: () => number;
  /** Start the window timer (default true; tests drive `tick()` themselves). */
  autoTick?: boolean;
  /**
   * Inputs of gates whose sources live in other subsystems (DNS auctions, markets, ad readiness):
   * each lands by registering its verdict function here; a gate without one reports no_signal.
   */
  sources?: Partial<Record<GateName, () => Verdict | Promise<Verdict>>>;
  /** Connected peers and their liveness (Σrequests/Σ(requests+drops), null when not measured); default none. */
  peers?: () => { count: number; liveness: number | null };
}

export class Governor {
  private readonly gates = new Map<GateName, GateMemory>();
  private readonly intents = new Map<string, IntentRecord>();
  private readonly ring = new BlockRing();
  private readonly files: DecisionFiles;
  private readonly required: number;
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastTickMs: number | null = null;
  /** When the window timer fires next (wall ms), while it is armed: the deadline inbox's exact window end. */
  private nextTickMs: number | null = null;
  private economics: { epoch: number; txCount: number; volume: bigint } | undefined;
  private offHead: (() => void) | undefined;
  /** Latest decision file: epoch, hash, sidecar (status `release_provenance`). */
  private provenance: GovernorStatus['release_provenance'] = null;

  private constructor(
    private readonly o: GovernorOptions,
    private readonly db: SimpleDb,
  ) {
    this.files = new DecisionFiles(o.dataDir, o.signingKeys);
    this.required = requiredStreak(o.windowSecs, o.epochSecs);
  }

  /**
   * Opens the store, reloads gate memory and intents, backfills one window of block timestamps and
   * starts the window timer.
   * @throws SimpleDbCorruptError (store unreadable) or fs errors.
   */
  static async start(o: GovernorOptions): Promise<Governor> {
    const db = await SimpleDb.openNamed(names.LAUNCH_GOVERNOR, o.dbDir);
    const g = new Governor(o, db);
    try {
      await g.load();
      const blockMs = Math.max(1, (o.epochSecs * 1000) / EPOCH_BLOCKS);
      await g.ring.backfill(o.chain, Math.ceil((o.windowSecs * 1000) / blockMs) + 2);
      g.offHead = o.events.on('newHeads', (h) => {
        g.ring.onHead(h);
        // The chain applies intents at the first block of an epoch: follow it at once.
        if (h.height % EPOCH_BLOCKS === 0) g.serial(() => g.sync());
      });
      o.metrics?.governorEnabled.set(1);
      g.updateMetrics();
      if (o.autoTick !== false) g.schedule();
      o.logger?.info({ window_secs: o.windowSecs, streak_required: g.required, shadow_only: o.shadowOnly, signing: !!o.signingKeys, pending: g.pendingCount() }, 'launch governor started');
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
    return g;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  private async load(): Promise<void> {
    for (const n of GATE_NAMES) this.gates.set(n, (await this.db.getJson<GateMemory>(`gate/${n}`)) ?? initialMemory(n));
    for (const [, v] of await this.db.scanPrefix('intent/')) {
      const r = JSON.parse(new TextDecoder().decode(v)) as IntentRecord;
      this.intents.set(r.id, r);
    }
    this.seq = (await this.db.getJson<number>('meta/seq')) ?? 0;
    const latest = [...this.intents.values()].sort(newestFirst)[0];
    const file = latest && (await this.files.read(latest.epoch_apply));
    if (file) this.provenance = { epoch: file.epoch, snapshot_hash: file.hashHex, attestation: file.attestation };
  }

  /** Runs `fn` after the previous governor work (ticks and syncs never interleave). */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.work.then(() => (this.stopped ? undefined : fn()));
    this.work = run.catch((err) => this.o.logger?.error({ err }, 'governor step failed; retrying next window'));
    return this.work;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.nextTickMs = this.now() + this.o.windowSecs * 1000;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.nextTickMs = null;
      void this.serial(() => this.evaluate()).finally(() => this.schedule());
    }, this.o.windowSecs * 1000);
  }

  /** One window: follow the chain, then evaluate every gate (exported for tests). */
  tick(): Promise<void> {
    return this.serial(() => this.evaluate());
  }

  /** Stops the timer and waits for running work; closes the store. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.offHead?.();
    await this.work;
    this.stopped = true;
    this.o.metrics?.governorEnabled.set(0);
    await this.db.close();
  }

  private pendingCount(): number {
    let n = 0;
    for (const r of this.intents.values()) if (r.state === 'pending') n++;
    return n;
  }

  // ------------------------------------------------------------------ evaluation

  private async verdicts(): Promise<Map<GateName, Verdict>> {
    const chain = this.o.chain;
    const tip = chain.tip();
    const v = new Map<GateName, Verdict>();
    const peers = this.o.peers?.() ?? { count: 0, liveness: null };
    const op = await sampleOperational(chain, this.ring, this.o.windowSecs, this.now(), peers);
    const opv = evaluateOperational(op.sample);
    if (op.failures.length > 0) opv.reason += `; re-validation failed: ${op.failures.join('; ')}`;
    v.set('operational', opv);
    v.set('naming', noSignal('naming', 'DNS auctions (dns.* on this node)', ['txt_success_ratio', 'dispute_ratio', 'completion_ratio', 'stake_coverage_ratio', 'settlement_p90']));
    const last = tip.epoch - 1;
    if (last >= 0 && this.economics?.epoch !== last) this.economics = { epoch: last, ...(await epochActivity(chain, last)) };
    v.set(
      'economics',
      this.economics
        ? evaluateEconomics({
            epochTxCount: this.economics.txCount,
            epochTxVolume: this.economics.volume,
            blockRewards: null,
            treasuryInflow: null,
            treasuryHistory: [],
            markets: { storage: null, compute: null, energy: null, ad: null },
          })
        : { signal: 'waiting', reason: 'waiting for the first complete epoch', metrics: {} },
    );
    for (const m of ['storage', 'compute', 'energy'] as const) v.set(m, evaluateMarket(m, null));
    v.set('ad_targeting_contextual', noSignal('ad_targeting_contextual', 'ad market readiness', ['contextual_ready', 'privacy_ready', 'ready_streak_windows']));
    v.set('ad_targeting_presence', noSignal('ad_targeting_presence', 'ad market readiness', ['presence_ready', 'presence_ready_slots', 'presence_bucket_count']));
    for (const [gate, source] of Object.entries(this.o.sources ?? {})) if (source) v.set(gate as GateName, await source());
    return v;
  }

  private async evaluate(): Promise<void> {
    await this.sync();
    const tip = this.o.chain.tip();
    const verdicts = await this.verdicts();
    const created: IntentRecord[] = [];
    const batch = this.db.batch();
    for (const name of GATE_NAMES) {
      const { mem, transition } = stepGate(this.gates.get(name)!, verdicts.get(name)!, this.required, tip.epoch);
      this.gates.set(name, mem);
      batch.insertJson(`gate/${name}`, mem);
      if (!transition) continue;
      const seq = this.seq++;
      const r: IntentRecord = {
        id: `${name}-${tip.epoch}-${seq}`,
        seq,
        gate: name,
        action: transition.action,
        from_state: transition.from,
        to_state: transition.to,
        created_epoch: tip.epoch,
        epoch_apply: applyEpochFor(tip.height, EPOCH_BLOCKS),
        state: this.o.shadowOnly ? 'shadow' : 'pending',
        params_patch: patchFor(name, transition.action),
        metrics: mem.lastMetrics,
        reason: mem.lastReason,
        snapshot_hash_hex: '',
        created_ms: this.now(),
        chain_key: '',
      };
      r.chain_key = chainKeyOf(r);
      created.push(r);
    }
    batch.insertJson('meta/seq', this.seq);
    await batch.write();
    this.lastTickMs = this.now();
    for (const r of created) await this.record(r, tip.height);
    this.updateMetrics();
  }

  /** Writes the decision (store + epoch file), announces it, and submits it unless in shadow mode. */
  private async record(r: IntentRecord, height: number): Promise<void> {
    this.intents.set(r.id, r);
    const same = [...this.intents.values()].filter((x) => x.epoch_apply === r.epoch_apply).sort((a, b) => a.seq - b.seq);
    const { hash, attestation } = await this.files.write(r.epoch_apply, same.map(entryOf));
    this.provenance = { epoch: r.epoch_apply, snapshot_hash: hash, attestation };
    const batch = this.db.batch();
    for (const x of same) {
      x.snapshot_hash_hex = hash;
      batch.insertJson(`intent/${x.id}`, x);
    }
    await batch.write();
    const m = this.o.metrics;
    m?.governorGateTransitionsTotal.inc({ gate: r.gate, from: r.from_state, to: r.to_state });
    // The gauges agree with the state before the change is announced (a subscriber may scrape at once).
    this.updateMetrics();
    this.o.logger?.info(
      { gate: r.gate, from: r.from_state, to: r.to_state, intent: r.id, epoch_apply: r.epoch_apply, shadow: this.o.shadowOnly, snapshot_hash: hash },
      `governor: ${r.gate} ${r.from_state} → ${r.to_state} (applies at epoch ${r.epoch_apply})`,
    );
    this.o.events.emit('governor.gateChanged', {
      gate: r.gate, from: r.from_state, to: r.to_state, action: r.action, epoch: r.created_epoch, epoch_apply: r.epoch_apply, height, intent_id: r.id, reason: r.reason, ts_ms: r.created_ms,
    });
    if (r.state === 'pending') await this.submit(r);
  }

  /** Verifies the decision file, then sends the intent transaction (pending intents only). */
  private async submit(r: IntentRecord): Promise<void> {
    const onDisk = await this.files.hashOf(r.epoch_apply);
    if (onDisk !== r.snapshot_hash_hex) {
      r.hold_reason = `decision file epoch-${r.epoch_apply}.json ${onDisk === undefined ? 'is missing' : `hashes to ${onDisk}, not ${r.snapshot_hash_hex}`}; not submitted`;
      this.o.logger?.warn({ intent: r.id }, `governor intent snapshot verification failed; ${r.hold_reason}`);
    } else {
      try {
        r.tx_hash = this.o.chain.submitCall(intentKind, chainIntent(r));
        delete r.hold_reason;
      } catch (err) {
        r.hold_reason = err instanceof RpcError ? `chain refused the intent: ${err.message}` : `submit failed: ${(err as Error).message}`;
        this.o.logger?.warn({ intent: r.id, err }, 'governor intent not submitted');
      }
    }
    await this.db.insertJson(`intent/${r.id}`, r);
  }

  /** Follows the chain's governance state: pending intents become applied or expired; unsent ones are (re)submitted. */
  private async sync(): Promise<void> {
    const tip = this.o.chain.tip();
    const gov = this.o.chain.moduleState(governorState);
    const history = new Map(gov.history.map((h) => [h.key, h]));
    const onChain = new Set(gov.pending.map((p) => p.key));
    for (const r of this.intents.values()) {
      if (r.state !== 'pending') continue;
      const h = history.get(r.chain_key);
      if (h && h.epoch === r.epoch_apply) {
        r.state = h.outcome;
        if (h.outcome === 'applied') r.applied_epoch = h.epoch;
        else r.hold_reason = 'epoch_apply came without a 2/3-stake quorum of identical intents';
      } else if (r.epoch_apply <= tip.epoch) {
        r.state = 'expired';
        r.hold_reason = r.hold_reason ?? 'the intent was not on chain when its epoch began';
      } else if (!onChain.has(r.chain_key) && !(r.tx_hash && this.o.chain.mempool.has(r.tx_hash))) {
        await this.submit(r); // after a restart, or a transaction that was dropped
        continue;
      } else continue;
      await this.db.insertJson(`intent/${r.id}`, r);
      this.o.logger?.info({ intent: r.id, state: r.state }, `governor intent ${r.id} ${r.state}`);
    }
    this.updateMetrics();
  }

  private updateMetrics(): void {
    if (this.o.metrics) publishGateMetrics(this.o.metrics, this.gates.values(), this.required, this.pendingCount());
  }

  // ------------------------------------------------------------------ API

  private gateStatus(g: GateMemory): GateStatus {
    return {
      name: g.name, state: g.state, signal: g.signal, missing_sources: g.missingSources, enter_streak: g.enterStreak, exit_streak: g.exitStreak,
      streak_required: this.required, last_reason: g.lastReason, last_metrics: g.lastMetrics, last_transition_epoch: g.lastTransitionEpoch,
    };
  }

  /**
   * Upcoming governor events (modules/types.ts Deadline): the next gate evaluation (window) and
   * the epoch at which each pending or shadow intent applies.
   */
  deadlines(): Deadline[] {
    const tip = this.o.chain.tip();
    const blockMs = (this.o.epochSecs * 1000) / EPOCH_BLOCKS;
    const nextMs = this.nextTickMs ?? (this.lastTickMs ?? this.now()) + this.o.windowSecs * 1000;
    const out: Deadline[] = [
      // The timer's own time (stable across calls, so its id is too); it recurs every window.
      { module: 'governor', kind: 'governor_window', label: 'next gate evaluation', at_ms: nextMs, height: tip.height + Math.max(1, Math.ceil((nextMs - this.now()) / blockMs)), id: `governor:governor_window:${Math.round(nextMs / 1000)}`, recurring: true },
    ];
    for (const r of [...this.intents.values()].sort(newestFirst).reverse()) {
      if ((r.state !== 'pending' && r.state !== 'shadow') || r.epoch_apply <= tip.epoch) continue;
      out.push({ module: 'governor', kind: 'intent_apply', label: `${r.gate} ${r.action} applies${r.state === 'shadow' ? ' (shadow: not submitted)' : ''}`, epoch: r.epoch_apply, height: r.epoch_apply * EPOCH_BLOCKS });
    }
    return out;
  }

  /** `governor.status`. */
  status(): GovernorStatus {
    const tip = this.o.chain.tip();
    const params: Record<string, unknown> = {};
    for (const [k, v] of this.o.chain.moduleState(governorState).params) params[k] = JSON.parse(v);
    const sorted = [...this.intents.values()].sort(newestFirst);
    const pending = sorted.filter((r) => r.state === 'pending' || (r.state === 'shadow' && r.epoch_apply > tip.epoch)).map(summaryOf);
    const e = this.economics;
    return {
      status: 'enabled',
      enabled: true,
      epoch: tip.epoch,
      height: tip.height,
      window_secs: this.o.windowSecs,
      epoch_secs: this.o.epochSecs,
      shadow_only: this.o.shadowOnly,
      signing: { enabled: !!this.o.signingKeys, pubkey_hex: this.o.signingKeys ? toHex(this.o.signingKeys.publicKey) : null },
      schema_version: GOVERNOR_SCHEMA_VERSION,
      gates: GATE_NAMES.map((n) => this.gateStatus(this.gates.get(n)!)),
      pending,
      params,
      autopilot_enabled: params.economics_autopilot === true,
      economics_sample: {
        epoch: e?.epoch ?? null,
        epoch_tx_count: e?.txCount ?? null,
        epoch_tx_volume: e ? e.volume.toString() : null,
        epoch_treasury_inflow: null,
        block_reward: null,
        storage_util: null, storage_margin: null, compute_util: null, compute_margin: null,
        energy_util: null, energy_margin: null, ad_util: null, ad_margin: null,
      },
      release_provenance: this.provenance,
      last_tick_ms: this.lastTickMs,
    };
  }

  /** `governor.decisions`: newest first, at most `limit`, optionally one gate. */
  decisions(limit: number, gate?: GateName): IntentSummary[] {
    return [...this.intents.values()]
      .filter((r) => gate === undefined || r.gate === gate)
      .sort(newestFirst)
      .slice(0, limit)
      .map(summaryOf);
  }

  /** `governor.snapshot`: the epoch file, its sidecar and both checks; not_found when absent. */
  async snapshot(epoch: number): Promise<SnapshotFound | { status: 'not_found'; epoch: number }> {
    const s = await this.files.read(epoch);
    if (!s) return { status: 'not_found', epoch };
    return snapshotFound(epoch, s, [...this.intents.values()].filter((r) => r.epoch_apply === epoch).map((r) => r.snapshot_hash_hex));
  }
}
