/**
 * Service side of the energy market: checks readings against the verifier registry (the chain
 * cannot: trust roots are node config), batches accepted readings into `energy.readings`
 * transactions signed by the node key (one Ed25519 verify per reading on the hot path, one tx per
 * batch), submits the other calls, mirrors the chain state into the SimpleDb store
 * `energy_market` after every block that changed it (one atomic batch: keys `state` = canonical
 * CBOR, `height`, `receipts`, `disputes`, `slashes`), keeps the metrics, emits
 * `energy.marketChanged`, and feeds the governor's energy gate.
 *
 * Readings are answered once verified, checked and durable in the pending-readings journal
 * (journal.ts), not when included; pending.ts keeps their state (queued → pending → included |
 * refused) and the overlay: a provider moved by its accepted readings not yet included, so the
 * next reading is checked against it (a replayed nonce is refused at once, not one block later).
 * Signatures are verified once, here: the chain rules (rules.ts) check everything but the
 * signature, whose trust roots are this node's config (validators attest what they checked).
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
import { MAX_TX_BYTES } from '../chain/tx.js';
import { JOURNAL_COMPACT_BYTES, ReadingJournal, readingLine } from './journal.js';
import { PendingReadings, type Track } from './pending.js';
import { ReadingVerifier } from './verifier.js';
import { checkReading, ENERGY_ESCROW, MAX_READINGS_PER_TX, windowCheck, type EnergyCall } from './rules.js';
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

/** CBOR bytes of a reading inside an `energy.readings` tx, at most (6-array of 2 texts, 3 u64, 64-byte signature). */
const readingBytes = (r: MeterReading): number => Buffer.byteLength(r.provider_id) + Buffer.byteLength(r.meter_address) + 98;
/** Bytes of a signed tx around its readings (chain id, key, nonce, fee, tag, signature, headers), at most. */
const TX_ENVELOPE_BYTES = 512;
/** A queued reading must stay inside its timestamp window this long after it is packed (ms; two block times at most). */
const INCLUSION_MARGIN_MS = 2000;

export class EnergyService {
  readonly pending = new PendingReadings();
  readonly verifier = new ReadingVerifier();
  private journal: ReadingJournal | undefined;
  private flushing = false;
  /** Height up to which blocks were scanned for this node's readings txs. */
  private scanned = 0;
  private lastState: Readonly<EnergyState> | undefined;
  /** Whether the mirror was checked against the store since start. */
  private mirrored = false;
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
    const dir = path.resolve(o.root, o.dir ?? 'energy_market');
    const db = await SimpleDb.openNamed(names.ENERGY_MARKET, dir);
    const svc = new EnergyService(o.chain, o.events, db, o.keys, o.metrics, o.logger, o.self.slice(3));
    svc.scanned = o.chain.tip().height;
    await svc.onHead();
    const { journal, readings } = await ReadingJournal.open(dir);
    svc.journal = journal;
    await svc.recover(readings);
    return svc;
  }

  state = (): Readonly<EnergyState> => this.chain.moduleState(energyState);
  params = () => paramsOf((r) => this.chain.moduleState(r));

  market(provider?: string) {
    const tip = this.chain.tip();
    return marketState(this.state(), { height: tip.height, timestampMs: Math.max(tip.timestamp_ms, Date.now()), escrow: ENERGY_ESCROW, params: this.params(), hasKey: (id) => this.keys.has(id), provider });
  }

  /** Provider as seen by the next reading: the chain's, moved by accepted readings not yet included. */
  private effective(id: string): Provider | undefined {
    return this.pending.provider(id) ?? this.state().providers.get(id);
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

  /** Accepts a checked reading: overlay, queue, journal line. */
  private accept(r: MeterReading, hash: string): Track {
    const p = this.effective(r.provider_id)!;
    const amount = p.readings > 0 ? r.total_kwh - p.lastValue : r.total_kwh;
    const t: Track = { r, hash, amount, state: 'queued', tx: null, height: null, reason: null, line: readingLine(r) };
    this.pending.accept(t, { ...p, readings: p.readings + 1, lastValue: r.total_kwh, lastTs: r.timestamp, lastNonce: r.nonce });
    this.kick();
    return t;
  }

  private answer(t: Track) {
    const tip = this.chain.tip().height;
    return { status: t.state as 'queued' | 'pending' | 'included', meter_hash: t.hash, tx_hash: t.tx, credit: { provider: t.r.provider_id, amount_kwh: Number(t.amount), meter_hash: t.hash, timestamp: t.height ?? tip + 1 } };
  }

  /** The spec's nonce_replay for a reading sent again, with where the accepted copy is (`data.meter_hash`, `status`, `tx_hash`, `height`). */
  private already(t: Track): unknown {
    this.m.rejects.inc({ reason: 'nonce_replay' });
    return refusal('nonce_replay', `nonce ${t.r.nonce} already used for provider ${t.r.provider_id}: this very reading was accepted (${t.state}${t.height !== null ? ` in block ${t.height}` : ''})`, { meter_hash: t.hash, status: t.state, tx_hash: t.tx, height: t.height });
  }

  /**
   * `energy.submit_reading`: verifies and checks the reading (against the chain plus the readings
   * already accepted), queues it for the next `energy.readings` tx and answers once it is durable
   * in the journal — not when it is in a block (follow it with `energy.reading_status` or the
   * `energy.readingsIncluded` topic). The same signed reading sent again is the spec's nonce_replay,
   * whose data names the accepted copy (meter_hash, status, tx_hash, height).
   */
  async submitReading(payload: MeterReadingPayload) {
    const r = toReading(payload);
    this.m.oracleLatency.observe(Math.max(0, Date.now() / 1000 - r.timestamp));
    const hash = meterHash(r);
    const known = this.pending.byHash.get(hash);
    if (known && known.state !== 'refused') throw this.already(known);
    // the checks that need no signature first (same order as check()), then the signature in the
    // verify pool, then the market checks against the chain and the readings accepted by then
    const p = this.effective(r.provider_id);
    const key = this.keys.get(r.provider_id);
    let bad = !p || r.meter_address !== p.meter || !key ? this.check(r) : null;
    if (!bad && !(await this.verifier.verify(r, key!))) bad = { reason: 'signature_invalid', message: `signature does not verify for ${r.provider_id} (Ed25519 over BLAKE3 of provider_id ‖ meter ‖ total_kwh LE ‖ timestamp LE ‖ nonce LE)`, label: 'invalid_signature' };
    if (!bad) {
      const again = this.pending.byHash.get(hash);
      if (again && again.state !== 'refused') throw this.already(again); // the same reading twice in one batch
      const q = this.effective(r.provider_id);
      bad = !q || r.meter_address !== q.meter ? this.check(r) : checkReading(q, r, Math.floor(Date.now() / 1000), this.params().timeoutBlocks);
    }
    if (bad) {
      this.m.rejects.inc({ reason: bad.reason });
      if (bad.label) this.m.sigFail.inc({ provider: providerLabel(this.labels, r.provider_id), reason: bad.label });
      throw energyError(RpcError.app(bad.reason, bad.message));
    }
    const t = this.accept(r, hash);
    try {
      await this.journal!.append(t.line);
    } catch (err) {
      this.logger.warn({ err }, 'energy: pending-readings journal not written');
      throw RpcError.app('queue_not_durable', `the reading was accepted but the pending-readings journal could not be written (${(err as Error).message}); it may still be included — check energy.reading_status ${hash}`, { meter_hash: hash });
    }
    return this.answer(t);
  }

  /** `energy.reading_status`: where a reading is (this node's book-keeping, else the chain's credits and reading log). */
  readingStatus(hash: string) {
    const t = this.pending.byHash.get(hash);
    if (t) return { meter_hash: hash, status: t.state, provider_id: t.r.provider_id, tx_hash: t.tx, height: t.height, reason: t.reason };
    const s = this.state();
    const c = s.credits.get(hash);
    const l = c ? undefined : s.log.find((e) => e.hash === hash);
    if (c || l) return { meter_hash: hash, status: 'included' as const, provider_id: (c?.provider ?? l?.provider)!, tx_hash: null, height: (c?.height ?? l?.height)!, reason: null };
    return { meter_hash: hash, status: 'unknown' as const, provider_id: null, tx_hash: null, height: null, reason: null };
  }

  /** After a restart: re-checks the journal's readings; re-queues those the chain does not hold yet. */
  private async recover(readings: MeterReading[]): Promise<void> {
    let requeued = 0;
    const refused: Track[] = [];
    for (const r of readings) {
      const onChain = this.state().providers.get(r.provider_id);
      if (onChain && onChain.readings > 0 && r.nonce <= onChain.lastNonce) continue; // included (or superseded) before the restart
      const hash = meterHash(r);
      if (this.pending.byHash.has(hash)) continue;
      const bad = this.check(r);
      if (!bad) {
        this.accept(r, hash);
        requeued++;
        continue;
      }
      const t: Track = { r, hash, amount: 0n, state: 'queued', tx: null, height: null, reason: null, line: '' };
      this.pending.refuseUnaccepted(t, bad.reason);
      refused.push(t);
    }
    if (readings.length > 0) this.logger.info({ journal: readings.length, requeued, refused: refused.length }, 'energy: pending readings recovered from the journal');
    this.refused(refused);
    await this.journal!.rewrite(() => this.pending.waitingLines());
  }

  private kick(): void {
    if (this.flushing || this.pending.queue.length === 0) return;
    this.flushing = true;
    setImmediate(() => this.flush());
  }

  /**
   * Packs queued readings into `energy.readings` txs: as many as fit in MAX_TX_BYTES (at most
   * MAX_READINGS_PER_TX). The node key may hold at most `maxPerAccount` pending txs: one slot stays
   * free for the other energy calls, and when the rest are taken the queue waits for the next
   * block (onHead kicks it again). A reading whose timestamp would leave the accepted window
   * (MAX_CLOCK_SKEW_S, energy_oracle_timeout_blocks) within INCLUSION_MARGIN_MS is refused here with the
   * chain's reason instead of sinking its whole tx at block production.
   */
  private flush(): void {
    this.flushing = false;
    const mp = this.chain.mempool;
    const q = this.pending;
    const horizonS = Math.floor((Date.now() + Math.min(2 * this.chain.genesis.block_time_ms, INCLUSION_MARGIN_MS)) / 1000);
    const timeout = this.params().timeoutBlocks;
    const refused: Track[] = [];
    while (q.queue.length > 0 && mp.pendingCount(this.selfHex) < mp.maxPerAccount - 1) {
      const batch: Track[] = [];
      let bytes = TX_ENVELOPE_BYTES;
      let i = 0;
      for (; i < q.queue.length && batch.length < MAX_READINGS_PER_TX; i++) {
        const t = q.queue[i];
        const late = windowCheck(t.r, horizonS, timeout);
        if (late && late.reason !== 'future_timestamp') {
          q.resolve(t, { reason: late.reason });
          refused.push(t);
          continue;
        }
        const b = readingBytes(t.r);
        if (bytes + b > MAX_TX_BYTES) break;
        bytes += b;
        batch.push(t);
      }
      q.queue.splice(0, i);
      if (batch.length === 0) continue;
      try {
        const hash = this.chain.submitCall(kindOf('readings'), { op: 'readings', readings: batch.map((t) => t.r) });
        for (const t of batch) Object.assign(t, { state: 'pending', tx: hash });
        q.inflight.set(hash, batch);
      } catch (err) {
        const e = energyError(err);
        const reason = e instanceof RpcError && typeof e.data?.reason === 'string' ? e.data.reason : 'internal';
        if (reason === 'pending_limit_reached' || reason === 'mempool_full') {
          q.queue.unshift(...batch);
          break;
        }
        this.logger.warn({ err, readings: batch.length }, 'energy: a readings tx was refused at admission; its readings are refused');
        for (const t of batch) q.resolve(t, { reason });
        refused.push(...batch);
      }
    }
    this.refused(refused);
  }

  /** Metric + log for readings refused after they were accepted (reasons: the chain's window checks). */
  private refused(ts: Track[]): void {
    if (ts.length === 0) return;
    const by = new Map<string, number>();
    for (const t of ts) by.set(t.reason!, (by.get(t.reason!) ?? 0) + 1);
    for (const [reason, n] of by) this.m.refusedAfterAccept.inc({ reason }, n);
    this.logger.warn({ refused: Object.fromEntries(by) }, 'energy: accepted readings refused before inclusion');
    this.refusals.push(...ts);
  }
  private refusals: Track[] = [];

  /** Follows this node's readings txs into blocks: included → resolved; dropped from the mempool unincluded → re-queued. */
  private async trackInclusion(): Promise<void> {
    const q = this.pending;
    const tip = this.chain.tip().height;
    const included: { tx: string; height: number; n: number }[] = [];
    if (q.inflight.size > 0)
      for (let h = this.scanned + 1; h <= tip; h++) {
        const b = h === tip ? this.chain.headBlock() : await this.chain.blockAt(h);
        for (const tx of b?.txs ?? []) {
          const ts = q.inflight.get(tx.hash);
          if (!ts) continue;
          q.inflight.delete(tx.hash);
          for (const t of ts) q.resolve(t, { height: h });
          included.push({ tx: tx.hash, height: h, n: ts.length });
        }
      }
    if (this.chain.tip().height !== tip) return; // a block landed meanwhile: next round
    this.scanned = tip;
    const back: Track[] = [];
    for (const [hash, ts] of q.inflight)
      if (!this.chain.mempool.has(hash)) {
        q.inflight.delete(hash);
        for (const t of ts) Object.assign(t, { state: 'queued', tx: null });
        back.push(...ts);
      }
    if (back.length > 0) {
      this.logger.info({ readings: back.length }, 'energy: readings txs left the mempool unincluded; readings re-queued');
      q.queue = [...back, ...q.queue];
    }
    const n = included.reduce((a, x) => a + x.n, 0);
    if (n > 0) this.m.readingsIncluded.inc(n);
    const refusals = this.refusals.splice(0);
    const { queued, pending } = q.counts();
    this.m.readingsWaiting.set(queued + pending);
    if (included.length > 0 || refusals.length > 0)
      this.events.emit('energy.readingsIncluded', {
        height: tip, included: n, txs: included.map((x) => ({ tx_hash: x.tx, height: x.height, readings: x.n })), queued, pending,
        refused: refusals.slice(0, 100).map((t) => ({ meter_hash: t.hash, provider_id: t.r.provider_id, reason: t.reason! })), refused_total: refusals.length,
      });
    if (q.waiting === 0 && this.journal && this.journal.bytes > 0) await this.journal.rewrite(() => (q.waiting === 0 ? [] : q.waitingLines()));
    else if (this.journal && this.journal.bytes > JOURNAL_COMPACT_BYTES) await this.journal.rewrite(() => q.waitingLines());
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
    await this.trackInclusion().catch((err) => this.logger.warn({ err }, 'energy: readings inclusion not tracked'));
    this.kick();
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

  /** Writes the mirror; a start whose state equals the stored one writes nothing (`height` stays the height of the last change). */
  private async persist(s: Readonly<EnergyState>, bytes: Uint8Array, height: number): Promise<void> {
    const t0 = performance.now();
    try {
      if (!this.mirrored) {
        this.mirrored = true;
        const stored = await this.db.get('state');
        if (stored && Buffer.from(stored).equals(Buffer.from(bytes))) return;
      }
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
    await this.journal?.close();
    await this.verifier.close();
    await this.db.close();
  }
}
