/**
 * Service side of the energy market: checks readings against the verifier registry (the chain
 * cannot: trust roots are node config), batches accepted readings into `energy.readings`
 * transactions signed by the node key (one Ed25519 verify per reading on the hot path, one tx per
 * batch), submits the other calls, mirrors the chain state into the SimpleDb store
 * `energy_market` after every block that changed it (one atomic batch: keys `state` = canonical
 * CBOR, `height`, `receipts`, `disputes`, `slashes`), keeps the metrics, emits
 * `energy.marketChanged`, and feeds the governor's energy gate.
 *
 * Pending overlay: a reading accepted here but not yet in a block moves its provider's
 * last nonce/timestamp/total in an overlay, so the next reading is checked against it (a replayed
 * nonce is refused at once, not one block later). The overlay entry goes when its tx leaves the mempool.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { ENERGY_ERRORS, type MeterReadingPayload } from '../../shared/api/energy.js';
import { RpcError } from '../../shared/api/errors.js';
import type { Chain } from '../chain/chain.js';
import { EPOCH_BLOCKS } from '../chain/block.js';
import { encodeCanonical } from '../codec/canonical.js';
import type { NodeEvents } from '../events.js';
import { applyEpochFor, intentKind } from '../governor/index.js';
import { names, SimpleDb } from '../storage/simpledb.js';
import { energyState, kindOf, paramsOf } from './chain-module.js';
import type { ProviderKeys } from './keys.js';
import { providerLabel, type EnergyMetrics } from './metrics.js';
import { meterHash, verifyReading, type MeterReading } from './reading.js';
import { checkReading, ENERGY_ESCROW, MAX_READINGS_PER_TX, type EnergyCall } from './rules.js';
import { encodeEnergy, providerIdOf, type EnergyState, type Provider } from './state.js';
import { disputeView, energyVerdict, marketState, receiptView, slashView } from './views.js';

/** A chain or service refusal as the spec's error (code by reason; other reasons stay −32000). */
export function energyError(err: unknown): unknown {
  if (err instanceof RpcError && typeof err.data?.reason === 'string') {
    const code = (ENERGY_ERRORS as Record<string, number>)[err.data.reason];
    if (code !== undefined) return new RpcError(code, err.message, err.data);
  }
  return err;
}
export const refusal = (reason: keyof typeof ENERGY_ERRORS, message: string, extra: Record<string, unknown> = {}): RpcError => new RpcError(ENERGY_ERRORS[reason], message, { reason, ...extra });

export function toReading(p: MeterReadingPayload): MeterReading {
  return { provider_id: p.provider_id, meter_address: p.meter_address, total_kwh: BigInt(p.kwh_reading), timestamp: p.timestamp, nonce: BigInt(p.nonce), signature: Uint8Array.from(Buffer.from(p.signature, 'hex')) };
}

interface Queued {
  reading: MeterReading;
  resolve: (txHash: string) => void;
  reject: (err: unknown) => void;
}

export class EnergyService {
  private overlay = new Map<string, { p: Provider; tx: string | null }>();
  private queue: Queued[] = [];
  private flushing = false;
  private lastState: Readonly<EnergyState> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly labels = new Set<string>();
  private seen: { providers: number; receipts: number; readings: Map<string, number>; disputesOpened: number; disputesResolved: number; kwh: bigint; fee: bigint; lastReceiptH: number } | undefined;

  constructor(
    readonly chain: Chain,
    readonly events: NodeEvents,
    readonly db: SimpleDb,
    readonly keys: ProviderKeys,
    readonly m: EnergyMetrics,
    readonly logger: Logger,
    /** This node's address as 40 hex (its key signs the energy txs). */
    readonly selfHex: string,
  ) {}

  static async open(o: { chain: Chain; events: NodeEvents; root: string; dir: string | undefined; keys: ProviderKeys; metrics: EnergyMetrics; logger: Logger; self: string }): Promise<EnergyService> {
    const db = await SimpleDb.openNamed(names.ENERGY_MARKET, path.resolve(o.root, o.dir ?? 'energy_market'));
    const svc = new EnergyService(o.chain, o.events, db, o.keys, o.metrics, o.logger, o.self.slice(3));
    await svc.onHead();
    return svc;
  }

  state = (): Readonly<EnergyState> => this.chain.moduleState(energyState);
  params = () => paramsOf((r) => this.chain.moduleState(r));

  market(provider?: string) {
    const tip = this.chain.tip();
    return marketState(this.state(), { height: tip.height, timestampMs: Math.max(tip.timestamp_ms, Date.now()), escrow: ENERGY_ESCROW, params: this.params(), hasKey: (id) => this.keys.has(id), provider });
  }

  /** Provider as seen by the next reading: the chain's, moved by accepted readings still in the mempool. */
  private effective(id: string): Provider | undefined {
    return this.overlay.get(id)?.p ?? this.state().providers.get(id);
  }

  /**
   * The verdict on a reading without submitting it: registry signature check (with `publicKey`
   * when given), then the market checks against the provider's last reading and the node clock.
   */
  check(r: MeterReading, publicKey?: Uint8Array): { reason: string; message: string; label?: string } | null {
    const p = this.effective(r.provider_id);
    if (!p) return { reason: 'unknown_provider', message: `provider ${r.provider_id} is not registered` };
    if (r.meter_address !== p.meter) return { reason: 'unknown_meter', message: `meter ${r.meter_address} is not the meter of ${p.id} (${p.meter})` };
    const key = publicKey ?? this.keys.get(r.provider_id);
    if (!key) return { reason: 'signature_invalid', message: `no key for ${r.provider_id} in the verifier registry (provider_not_registered)`, label: 'provider_not_registered' };
    if (!verifyReading(r, key)) return { reason: 'signature_invalid', message: `signature does not verify for ${r.provider_id} (Ed25519 over BLAKE3 of provider_id ‖ meter ‖ total_kwh LE ‖ timestamp LE ‖ nonce LE)`, label: 'invalid_signature' };
    return checkReading(p, r, Math.floor(Date.now() / 1000), this.params().timeoutBlocks);
  }

  /** `energy.submit_reading`: checks, then queues into the next `energy.readings` tx. */
  async submitReading(payload: MeterReadingPayload) {
    const r = toReading(payload);
    this.m.oracleLatency.observe(Math.max(0, Date.now() / 1000 - r.timestamp));
    const bad = this.check(r);
    if (bad) {
      this.m.rejects.inc({ reason: bad.reason });
      if (bad.label) this.m.sigFail.inc({ provider: providerLabel(this.labels, r.provider_id), reason: bad.label });
      throw energyError(RpcError.app(bad.reason, bad.message));
    }
    const p = this.effective(r.provider_id)!;
    const amount = p.readings > 0 ? r.total_kwh - p.lastValue : r.total_kwh;
    const next: Provider = { ...p, readings: p.readings + 1, lastValue: r.total_kwh, lastTs: r.timestamp, lastNonce: r.nonce };
    this.overlay.set(p.id, { p: next, tx: null });
    const tx = await new Promise<string>((resolve, reject) => {
      this.queue.push({ reading: r, resolve, reject });
      this.kick();
    });
    return { status: 'pending' as const, tx_hash: tx, credit: { provider: p.id, amount_kwh: Number(amount), meter_hash: meterHash(r), timestamp: this.chain.tip().height + 1 } };
  }

  private kick(): void {
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  /**
   * Submits queued readings, up to MAX_READINGS_PER_TX per tx. The node key may hold at most
   * `maxPerAccount` pending txs: one slot stays free for the other energy calls, and when the
   * rest are taken the queue waits for the next block (onHead kicks it again).
   */
  private flush(): void {
    const mp = this.chain.mempool;
    while (this.queue.length > 0 && mp.pendingCount(this.selfHex) < mp.maxPerAccount - 1) {
      const batch = this.queue.splice(0, MAX_READINGS_PER_TX);
      try {
        const hash = this.chain.submitCall(kindOf('readings'), { op: 'readings', readings: batch.map((q) => q.reading) });
        for (const q of batch) {
          const o = this.overlay.get(q.reading.provider_id);
          if (o) o.tx = hash;
          q.resolve(hash);
        }
      } catch (err) {
        for (const q of batch) this.overlay.delete(q.reading.provider_id);
        const e = energyError(err);
        if (e instanceof RpcError && typeof e.data?.reason === 'string') this.m.rejects.inc({ reason: e.data.reason }, batch.length);
        for (const q of batch) q.reject(e);
      }
    }
    this.flushing = false;
  }

  /** Signs `call` with the node key and submits it; refusals become the spec's errors. */
  submit(call: EnergyCall): { status: 'pending'; tx_hash: string } {
    try {
      return { status: 'pending', tx_hash: this.chain.submitCall(kindOf(call.op), call) };
    } catch (err) {
      throw energyError(err);
    }
  }

  /** The id the next registration included in a block gets (registrations in the same block take the following ones). */
  nextProviderId(): string {
    return providerIdOf(this.state().counters.nextProvider);
  }

  receipts = () => [...this.state().receipts].reverse().map(receiptView);
  disputes = () => this.state().disputes.map(disputeView);
  slashes = () => [...this.state().slashes].reverse().map(slashView);
  gate = () => energyVerdict(this.state());

  /** Follows the chain: overlay cleanup, metrics, topic, and the SimpleDb mirror when the state changed. */
  async onHead(): Promise<void> {
    this.kick();
    for (const [id, o] of this.overlay) if (o.tx !== null && !this.chain.mempool.has(o.tx)) this.overlay.delete(id);
    const s = this.state();
    // The chain replaces the state object when a block changed it (hooks are pure, copy-on-write).
    if (s === this.lastState) return;
    this.lastState = s;
    this.metrics(s);
    const bytes = encodeCanonical(encodeEnergy(s));
    const tip = this.chain.tip();
    this.events.emit('energy.marketChanged', {
      height: tip.height, providers: s.providers.size, pending_credits: s.credits.size, receipts: s.counters.settlements,
      open_disputes: s.disputes.filter((d) => d.status === 'open').length, readings: s.counters.readings, key_generation: this.keys.generation,
    });
    this.writing = this.writing.then(() => this.persist(s, bytes, tip.height));
    await this.writing;
  }

  private async persist(s: Readonly<EnergyState>, bytes: Uint8Array, height: number): Promise<void> {
    const t0 = performance.now();
    try {
      await this.db.batch().insert('state', bytes).insertJson('height', height).insertJson('receipts', s.receipts.map(receiptView)).insertJson('disputes', s.disputes.map(disputeView)).insertJson('slashes', s.slashes.map(slashView)).write();
      this.m.snapshotDuration.observe((performance.now() - t0) / 1000);
    } catch (err) {
      this.m.snapshotFail.inc();
      this.logger.warn({ err }, 'energy_market store not written');
    }
  }

  private metrics(s: Readonly<EnergyState>): void {
    const c = s.counters;
    const first = this.seen === undefined;
    const seen = (this.seen ??= { providers: 0, receipts: 0, readings: new Map(), disputesOpened: 0, disputesResolved: 0, kwh: 0n, fee: 0n, lastReceiptH: -1 });
    const opened = s.disputes.length;
    const resolved = s.disputes.filter((d) => d.status === 'resolved').length;
    const inc = (ctr: { inc(n: number): void }, now: number, before: number) => now > before && ctr.inc(now - before);
    inc(this.m.providers, s.providers.size, seen.providers);
    inc(this.m.registrations, c.registrations, seen.providers);
    inc(this.m.receipts, c.settlements, seen.receipts);
    inc(this.m.disputeOpen, opened, seen.disputesOpened);
    inc(this.m.disputeResolve, resolved, seen.disputesResolved);
    if (c.kwhTraded > seen.kwh) this.m.kwh.inc(Number(c.kwhTraded - seen.kwh));
    if (c.feeTotal > seen.fee) this.m.fee.inc(Number(c.feeTotal - seen.fee));
    for (const p of s.providers.values()) {
      const before = seen.readings.get(p.id) ?? 0;
      if (p.readings > before) this.m.readings.inc({ provider: providerLabel(this.labels, p.id) }, p.readings - before);
      seen.readings.set(p.id, p.readings);
    }
    const bt = this.chain.genesis.block_time_ms / 1000;
    for (const r of s.receipts) {
      if (r.height <= seen.lastReceiptH) continue;
      this.m.settlements.inc({ provider: providerLabel(this.labels, r.provider) });
      if (!first) this.m.fulfillment.observe((r.height - r.creditHeight) * bt);
    }
    seen.lastReceiptH = s.receipts.at(-1)?.height ?? seen.lastReceiptH;
    Object.assign(seen, { providers: s.providers.size, receipts: c.settlements, disputesOpened: opened, disputesResolved: resolved, kwh: c.kwhTraded, fee: c.feeTotal });
    this.m.pending.set(s.credits.size);
    this.m.disputes.set(opened - resolved);
    const prices = [...s.providers.values()].map((p) => Number(p.price));
    this.m.avgPrice.set(prices.length ? prices.reduce((a, b) => a + b, 0) / prices.length : 0);
    this.m.tradeMode.set(this.params().trade ? 1 : 0);
    this.m.keys.set(this.keys.list().length);
  }

  /** Dev chains (config `energy_dev_trade`): vote the energy gate's intent so trade mode is part of the chain's history. */
  voteDevTrade(network: string): void {
    if (network !== 'dev') return void this.logger.warn({ network }, 'energy_dev_trade is ignored outside the dev network');
    if (this.params().trade) return;
    const epochApply = applyEpochFor(this.chain.tip().height, EPOCH_BLOCKS);
    try {
      const hash = this.chain.submitCall(intentKind, { gate: 'energy', action: 'enter', epochApply, patch: '{"launch_energy_autopilot":true}' });
      this.logger.info({ epoch_apply: epochApply, tx: hash }, 'energy: dev trade mode voted (launch_energy_autopilot from that epoch)');
    } catch (err) {
      this.logger.warn({ err }, 'energy: dev trade intent not submitted');
    }
  }

  async close(): Promise<void> {
    await this.writing;
    await this.db.close();
  }
}
