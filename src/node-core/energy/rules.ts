/**
 * Energy market rules (spec/energy.md §3-§8), pure functions of (state, call, ctx) run by the
 * chain at admission, production, import and replay. Refusal reasons are stable snake_case
 * strings (the RPC's `data.reason`, mapped to the spec's −330xx codes in errors.ts).
 *
 * Value moves only in trade mode (the governor's energy gate set `launch_energy_autopilot`, or a
 * dev chain voted it): readings, credits, settlements and disputes always run and are recorded
 * (rehearsal), but in rehearsal no balance changes:
 *   register  trade: sender → escrow (the stake)
 *   settle    trade: buyer (sender) → provider owner (price_paid − treasury_fee), buyer → treasury (treasury_fee)
 *   dispute   upheld: stake × energy_slashing_rate_bps / 10 000 is slashed; escrow → treasury when the stake is escrowed
 * Governance params come from the treasury module (energy_min_stake, energy_oracle_timeout_blocks,
 * energy_slashing_rate_bps); the treasury fee is a flat TREASURY_FEE_BPS (the reference's dynamic
 * fee depends on the wall clock and cannot be replayed).
 */
import { createHash } from 'node:crypto';
import { ok, refuse, type ApplyResult, type TxContext } from '../chain/module.js';
import { accrueToTreasury } from '../treasury/index.js';
import { meterHash, type MeterReading } from './reading.js';
import { LOG_PER_PROVIDER, providerIdOf, RECEIPTS_MAX, SLASHES_MAX, type Choice, type EnergyState, type LogEntry, type Provider } from './state.js';

/** Account that holds escrowed provider stakes: tb1 + first 20 bytes of SHA-256("the-block/energy-escrow"); no key hashes to it. */
export const ENERGY_ESCROW: string = 'tb1' + createHash('sha256').update('the-block/energy-escrow', 'ascii').digest('hex').slice(0, 40);
/** Treasury fee of a settlement (basis points of price_paid) — the reference's base fee. */
export const TREASURY_FEE_BPS = 250n;
/** Largest |block time − reading time| accepted (seconds; the reference's max_clock_skew_secs). */
export const MAX_CLOCK_SKEW_S = 300;
/** Nominal block interval used to turn `energy_oracle_timeout_blocks` into seconds. */
export const NOMINAL_BLOCK_S = 1;
/**
 * Most readings in one `energy.readings` transaction. A reading takes ≤ 98 bytes + its provider id
 * and meter (≈ 125 bytes typically), so ~520 fit in MAX_TX_BYTES (64 KiB), which binds first;
 * this cap only bounds decoding. (Was 256 before the node packed txs by size.)
 */
export const MAX_READINGS_PER_TX = 1024;

export interface Params {
  minStake: bigint;
  timeoutBlocks: bigint;
  slashingBps: bigint;
  /** Value moves (trade mode). */
  trade: boolean;
}

export type EnergyCall =
  | { op: 'register'; capacity: bigint; price: bigint; stake: bigint; meter: string; jurisdiction: string; owner: string }
  | { op: 'update'; provider: string; capacity: bigint | null; price: bigint | null; jurisdiction: string | null }
  | { op: 'readings'; readings: MeterReading[] }
  | { op: 'settle'; provider: string; kwh: bigint; hash: string }
  | { op: 'flag'; hash: string; reason: string; reporter: string }
  | { op: 'vote'; id: number; choice: Choice; note: string };

type R = ApplyResult<EnergyState>;

function draft(s: EnergyState): EnergyState {
  return { providers: new Map(s.providers), credits: new Map(s.credits), receipts: s.receipts, disputes: s.disputes, slashes: s.slashes, log: s.log, counters: { ...s.counters } };
}

/**
 * Checks one reading against the provider's last reading and the block time; returns the refusal
 * reason and message, or null when it may be credited. Order: unknown_provider, unknown_meter,
 * future_timestamp, stale_timestamp, oracle_timeout, nonce_replay, stale_reading, non_monotonic_total.
 * (signature_invalid is decided where the trust roots live: the node's verifier registry.)
 */
export function checkReading(p: Provider | undefined, r: MeterReading, nowS: number, timeoutBlocks: bigint): { reason: string; message: string } | null {
  if (!p) return { reason: 'unknown_provider', message: `provider ${r.provider_id} is not registered` };
  if (r.meter_address !== p.meter) return { reason: 'unknown_meter', message: `meter ${r.meter_address} is not the meter of ${p.id} (${p.meter})` };
  const late = windowCheck(r, nowS, timeoutBlocks);
  if (late) return late;
  if (p.readings > 0 && r.nonce <= p.lastNonce) return { reason: 'nonce_replay', message: `nonce ${r.nonce} already used for provider ${p.id} (last ${p.lastNonce})` };
  if (p.readings > 0 && r.timestamp <= p.lastTs) return { reason: 'stale_reading', message: `timestamp ${r.timestamp} is not after the last reading's ${p.lastTs}` };
  if (p.readings > 0 && r.total_kwh < p.lastValue) return { reason: 'non_monotonic_total', message: `total ${r.total_kwh} kWh is below the last total ${p.lastValue} kWh` };
  return null;
}

/**
 * The time window of a reading at block time `nowS` (unix s): future_timestamp, stale_timestamp
 * (|skew| > MAX_CLOCK_SKEW_S), oracle_timeout (older than energy_oracle_timeout_blocks × NOMINAL_BLOCK_S).
 */
export function windowCheck(r: Pick<MeterReading, 'timestamp'>, nowS: number, timeoutBlocks: bigint): { reason: string; message: string } | null {
  if (r.timestamp > nowS + MAX_CLOCK_SKEW_S) return { reason: 'future_timestamp', message: `timestamp ${r.timestamp} is ${r.timestamp - nowS} s ahead of the block time (tolerance ${MAX_CLOCK_SKEW_S} s)` };
  const age = nowS - r.timestamp;
  if (age > MAX_CLOCK_SKEW_S) return { reason: 'stale_timestamp', message: `timestamp skew ${age}s exceeds tolerance ${MAX_CLOCK_SKEW_S}s` };
  const limit = Number(timeoutBlocks) * NOMINAL_BLOCK_S;
  if (age > limit) return { reason: 'oracle_timeout', message: `reading is ${age} s old: more than energy_oracle_timeout_blocks = ${timeoutBlocks} block(s) (${limit} s)` };
  return null;
}

/** Applies one accepted reading: the credit (total − previous; the first reading credits the full total). */
function credit(s: EnergyState, p: Provider, r: MeterReading, ctx: TxContext): void {
  const hash = meterHash(r);
  const amount = p.readings > 0 ? r.total_kwh - p.lastValue : r.total_kwh;
  if (amount > 0n) s.credits.set(hash, { hash, provider: p.id, kwh: amount, height: ctx.height, readingTs: r.timestamp, nonce: r.nonce, total: r.total_kwh });
  s.providers.set(p.id, { ...p, readings: p.readings + 1, lastValue: r.total_kwh, lastTs: r.timestamp, lastNonce: r.nonce, lastHeight: ctx.height });
  // `s.log` is this tx's own copy (applyEnergy); trimmed once per tx by trimLog
  s.log.push({ provider: p.id, hash, height: ctx.height, ts: r.timestamp, nonce: r.nonce, total: r.total_kwh, credited: amount });
  s.counters.readings++;
}

/** Keeps the last LOG_PER_PROVIDER entries of each provider, in order. */
function trimLog(log: LogEntry[]): LogEntry[] {
  const seen = new Map<string, number>();
  const keep: boolean[] = new Array(log.length);
  for (let i = log.length - 1; i >= 0; i--) {
    const n = (seen.get(log[i].provider) ?? 0) + 1;
    seen.set(log[i].provider, n);
    keep[i] = n <= LOG_PER_PROVIDER;
  }
  return log.filter((_, i) => keep[i]);
}

function move(ctx: TxContext, from: string, to: string, amount: bigint): string | null {
  if (amount === 0n) return null;
  const r = ctx.ledger.transfer(from, to, amount);
  return r ? `${r.reason}: ${r.message}` : null;
}

/** The treasury's share (settlement fee, slash) through the treasury's accrual API; 0 moves nothing. */
function accrue(ctx: TxContext, from: string, amount: bigint): string | null {
  if (amount === 0n) return null;
  const r = accrueToTreasury(ctx.ledger, from, amount);
  return r ? `${r.reason}: ${r.message}` : null;
}

export function applyEnergy(s0: EnergyState, c: EnergyCall, ctx: TxContext, prm: Params): R {
  const s = draft(s0);
  const me = ctx.sender;
  // Fee-exempt node attestations: the node key signs what its operator (or oracle) asked through the RPC.
  if (!ctx.validators.has(me)) return refuse('unauthorized', `energy calls are attested by validators (whose node checked them); ${me} is not one`);
  switch (c.op) {
    case 'register': {
      if (c.stake < prm.minStake) return refuse('insufficient_stake', `stake ${c.stake} is below energy_min_stake ${prm.minStake}`);
      if (c.capacity === 0n) return refuse('invalid_capacity', 'capacity_kwh must be > 0');
      const taken = [...s.providers.values()].find((p) => p.meter === c.meter);
      if (taken) return refuse('meter_in_use', `meter ${c.meter} is already bound to ${taken.id}`);
      if (prm.trade) {
        const e = move(ctx, me, ENERGY_ESCROW, c.stake);
        if (e) return refuse('insufficient_balance', `stake of ${c.stake}: ${e}`);
      }
      const id = providerIdOf(s.counters.nextProvider);
      s.providers.set(id, {
        id, owner: c.owner || me, jurisdiction: c.jurisdiction, capacity: c.capacity, available: c.capacity, price: c.price, meter: c.meter, delivered: 0n, stake: c.stake, escrowed: prm.trade,
        registeredAt: ctx.height, readings: 0, lastValue: 0n, lastTs: 0, lastNonce: 0n, lastHeight: 0, reputationPpm: 1_000_000,
      });
      s.counters.nextProvider++;
      s.counters.registrations++;
      return ok(s);
    }
    case 'update': {
      const p = s.providers.get(c.provider);
      if (!p) return refuse('unknown_provider', `provider ${c.provider} is not registered`);
      const capacity = c.capacity ?? p.capacity;
      const used = p.capacity - p.available;
      s.providers.set(p.id, { ...p, capacity, available: capacity > used ? capacity - used : 0n, price: c.price ?? p.price, jurisdiction: c.jurisdiction ?? p.jurisdiction });
      return ok(s);
    }
    case 'readings': {
      const nowS = Math.floor(ctx.timestampMs / 1000);
      s.log = [...s.log];
      for (const r of c.readings) {
        const p = s.providers.get(r.provider_id);
        const bad = checkReading(p, r, nowS, prm.timeoutBlocks);
        if (bad) return refuse(bad.reason, bad.message);
        credit(s, p!, r, ctx);
      }
      s.log = trimLog(s.log);
      return ok(s);
    }
    case 'settle': {
      const p = s.providers.get(c.provider);
      if (!p) return refuse('unknown_provider', `provider ${c.provider} is not registered`);
      const cr = s.credits.get(c.hash);
      if (!cr || cr.provider !== p.id) return refuse('unknown_reading', `no pending credit ${c.hash.slice(0, 16)}… of ${p.id}`);
      if (c.kwh === 0n) return refuse('invalid_kwh', 'kwh_consumed must be > 0');
      if (p.available < c.kwh) return refuse('insufficient_capacity', `${p.id} has ${p.available} kWh available, ${c.kwh} asked`);
      if (cr.kwh < c.kwh) return refuse('insufficient_credit', `credit ${c.hash.slice(0, 16)}… holds ${cr.kwh} kWh, ${c.kwh} asked`);
      const pricePaid = c.kwh * p.price;
      const fee = (pricePaid * TREASURY_FEE_BPS) / 10_000n;
      if (prm.trade) {
        const e = move(ctx, me, p.owner, pricePaid - fee) ?? accrue(ctx, me, fee);
        if (e) return refuse('insufficient_balance', `settlement of ${pricePaid}: ${e}`);
      }
      if (cr.kwh === c.kwh) s.credits.delete(c.hash);
      else s.credits.set(c.hash, { ...cr, kwh: cr.kwh - c.kwh });
      s.providers.set(p.id, { ...p, available: p.available - c.kwh, delivered: p.delivered + c.kwh, reputationPpm: Math.round(p.reputationPpm * 0.7 + 300_000) });
      s.receipts = [...s.receipts, { hash: c.hash, buyer: me, provider: p.id, owner: p.owner, kwh: c.kwh, pricePaid, fee, slash: 0n, height: ctx.height, creditHeight: cr.height, trade: prm.trade }].slice(-RECEIPTS_MAX);
      s.counters.settlements++;
      s.counters.kwhTraded += c.kwh;
      s.counters.valueTraded += pricePaid;
      if (prm.trade) s.counters.feeTotal += fee;
      return ok(s);
    }
    case 'flag': {
      if (s.disputes.some((d) => d.hash === c.hash && d.status === 'open')) return refuse('dispute_already_open', `a dispute on ${c.hash.slice(0, 16)}… is already open`);
      const provider = s.credits.get(c.hash)?.provider ?? [...s.receipts].reverse().find((r) => r.hash === c.hash)?.provider;
      if (!provider) return refuse('unknown_meter_reading', `no credit or receipt has meter hash ${c.hash.slice(0, 16)}…`);
      const id = s.counters.nextDispute++;
      s.disputes = [...s.disputes, { id, provider, hash: c.hash, reporter: c.reporter || me, reason: c.reason, status: 'open', openedAt: ctx.height, resolvedAt: 0, note: '', resolver: '', outcome: '', slash: 0n, votes: [] }];
      return ok(s);
    }
    case 'vote': {
      const d = s.disputes.find((x) => x.id === c.id);
      if (!d) return refuse('unknown_dispute', `no dispute ${c.id}`);
      if (d.status !== 'open') return refuse('dispute_already_resolved', `dispute ${c.id} was resolved at height ${d.resolvedAt} (${d.outcome})`);
      const votes: [string, Choice][] = [...d.votes.filter(([a]) => a !== me), [me, c.choice]];
      let total = 0n;
      for (const v of ctx.validators.values()) total += v;
      const weight = (choice: Choice) => votes.filter(([, x]) => x === choice).reduce((n, [a]) => n + (ctx.validators.get(a) ?? 0n), 0n);
      const outcome = weight('uphold') * 2n > total ? 'upheld' : weight('dismiss') * 2n > total ? 'dismissed' : '';
      let next = { ...d, votes };
      if (outcome !== '') {
        next = { ...next, status: 'resolved', resolvedAt: ctx.height, resolver: me, note: c.note, outcome };
        const p = s.providers.get(d.provider);
        if (outcome === 'upheld' && p) {
          const amount = (p.stake * prm.slashingBps) / 10_000n;
          if (p.escrowed) {
            const e = accrue(ctx, ENERGY_ESCROW, amount);
            if (e) throw new Error(`energy escrow cannot slash ${p.id}: ${e}`);
          }
          s.providers.set(p.id, { ...p, stake: p.stake - amount, reputationPpm: Math.round(p.reputationPpm * 0.7) });
          s.slashes = [...s.slashes, { provider: p.id, hash: d.hash, height: ctx.height, amount, reason: 'dispute' }].slice(-SLASHES_MAX);
          s.counters.slashTotal += amount;
          next = { ...next, slash: amount };
        }
      }
      s.disputes = s.disputes.map((x) => (x.id === d.id ? next : x));
      return ok(s);
    }
  }
}
