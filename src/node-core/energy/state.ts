/**
 * Energy market state (chain state of module `energy`), canonical CBOR arrays:
 *   [providers [[id, owner, jurisdiction, capacity_kwh, available_kwh, price_per_kwh, meter, delivered_kwh, stake,
 *                escrowed 0|1, registered_at, readings, last_value_kwh, last_ts_s, last_nonce, last_height, reputation_ppm]…] by id,
 *    credits   [[hash, provider, amount_kwh, height, reading_ts_s, nonce, total_kwh]…] by hash,
 *    receipts  [[hash, buyer, provider, owner, kwh, price_paid, treasury_fee, slash, height, credit_height, trade 0|1]…] last RECEIPTS_MAX,
 *    disputes  [[id, provider, hash, reporter, reason, status, opened_at, resolved_at, note, resolver, outcome, slash, votes [[addr, choice]…]]…],
 *    slashes   [[provider, hash, height, amount, reason]…] last SLASHES_MAX,
 *    log       [[provider, hash, height, ts_s, nonce, total_kwh, credited_kwh]…] last LOG_PER_PROVIDER per provider,
 *    counters  [next_provider, registrations, readings, settlements, kwh_traded, fee_total, slash_total, next_dispute, value_traded]]
 * Units: kWh integers; prices/stakes/fees base units of BLOCK; heights blocks; `*_ts_s` unix seconds.
 * `readings = 0` means the last_* fields are unset.
 */
import { asArray, asSafeInt, asU64, CodecError } from '../codec/canonical.js';

export const RECEIPTS_MAX = 1024;
export const SLASHES_MAX = 256;
export const LOG_PER_PROVIDER = 64;

export interface Provider {
  id: string;
  owner: string;
  jurisdiction: string;
  capacity: bigint;
  available: bigint;
  price: bigint;
  meter: string;
  delivered: bigint;
  stake: bigint;
  /** Its stake sits in the energy escrow account (registered in trade mode). */
  escrowed: boolean;
  registeredAt: number;
  readings: number;
  lastValue: bigint;
  lastTs: number;
  lastNonce: bigint;
  lastHeight: number;
  /** Reputation in ppm (1 000 000 = 1.0); EWMA of delivery outcomes. */
  reputationPpm: number;
}
export interface Credit {
  hash: string;
  provider: string;
  kwh: bigint;
  height: number;
  readingTs: number;
  nonce: bigint;
  total: bigint;
}
export interface Receipt {
  hash: string;
  buyer: string;
  provider: string;
  owner: string;
  kwh: bigint;
  pricePaid: bigint;
  fee: bigint;
  slash: bigint;
  height: number;
  creditHeight: number;
  trade: boolean;
}
export type DisputeStatus = 'open' | 'resolved';
export type Choice = 'uphold' | 'dismiss';
export interface Dispute {
  id: number;
  provider: string;
  hash: string;
  reporter: string;
  reason: string;
  status: DisputeStatus;
  openedAt: number;
  /** 0 = not resolved. */
  resolvedAt: number;
  note: string;
  resolver: string;
  /** '' while open; `upheld` (provider lost, slashed) or `dismissed`. */
  outcome: '' | 'upheld' | 'dismissed';
  slash: bigint;
  votes: [string, Choice][];
}
export interface Slash {
  provider: string;
  hash: string;
  height: number;
  amount: bigint;
  reason: string;
}
export interface LogEntry {
  provider: string;
  hash: string;
  height: number;
  ts: number;
  nonce: bigint;
  total: bigint;
  credited: bigint;
}
export interface Counters {
  nextProvider: number;
  registrations: number;
  readings: number;
  settlements: number;
  kwhTraded: bigint;
  feeTotal: bigint;
  slashTotal: bigint;
  nextDispute: number;
  valueTraded: bigint;
}
export interface EnergyState {
  providers: Map<string, Provider>;
  credits: Map<string, Credit>;
  receipts: Receipt[];
  disputes: Dispute[];
  slashes: Slash[];
  log: LogEntry[];
  counters: Counters;
}

export const ZERO_COUNTERS: Counters = { nextProvider: 0, registrations: 0, readings: 0, settlements: 0, kwhTraded: 0n, feeTotal: 0n, slashTotal: 0n, nextDispute: 1, valueTraded: 0n };
export const EMPTY_ENERGY: EnergyState = { providers: new Map(), credits: new Map(), receipts: [], disputes: [], slashes: [], log: [], counters: ZERO_COUNTERS };

/** `energy-0x00000000`, `energy-0x00000001`… (the reference's `format!("energy-{:#010x}", n)`). */
export const providerIdOf = (n: number): string => `energy-0x${n.toString(16).padStart(8, '0')}`;

const sorted = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
const flag = (b: boolean): number => (b ? 1 : 0);
function text(v: unknown, field: string, max = 256): string {
  if (typeof v !== 'string' || v.length > max) throw new CodecError(`${field} must be text of at most ${max} characters`);
  return v;
}
const int = asSafeInt;
const bool = (v: unknown, f: string): boolean => asSafeInt(v, f, 1) === 1;

export function encodeEnergy(s: EnergyState): unknown {
  const c = s.counters;
  return [
    sorted(s.providers).map((p) => [p.id, p.owner, p.jurisdiction, p.capacity, p.available, p.price, p.meter, p.delivered, p.stake, flag(p.escrowed), p.registeredAt, p.readings, p.lastValue, p.lastTs, p.lastNonce, p.lastHeight, p.reputationPpm]),
    sorted(s.credits).map((x) => [x.hash, x.provider, x.kwh, x.height, x.readingTs, x.nonce, x.total]),
    s.receipts.map((r) => [r.hash, r.buyer, r.provider, r.owner, r.kwh, r.pricePaid, r.fee, r.slash, r.height, r.creditHeight, flag(r.trade)]),
    s.disputes.map((d) => [d.id, d.provider, d.hash, d.reporter, d.reason, d.status, d.openedAt, d.resolvedAt, d.note, d.resolver, d.outcome, d.slash, d.votes]),
    s.slashes.map((x) => [x.provider, x.hash, x.height, x.amount, x.reason]),
    s.log.map((l) => [l.provider, l.hash, l.height, l.ts, l.nonce, l.total, l.credited]),
    [c.nextProvider, c.registrations, c.readings, c.settlements, c.kwhTraded, c.feeTotal, c.slashTotal, c.nextDispute, c.valueTraded],
  ];
}

export function decodeEnergy(v: unknown): EnergyState {
  const a = asArray(v, 'energy state', 7);
  const providers = new Map<string, Provider>();
  for (const e of asArray(a[0], 'energy.providers')) {
    const r = asArray(e, 'provider', 17);
    const id = text(r[0], 'provider.id', 64);
    providers.set(id, {
      id, owner: text(r[1], 'provider.owner', 64), jurisdiction: text(r[2], 'provider.jurisdiction', 64), capacity: asU64(r[3], 'provider.capacity'), available: asU64(r[4], 'provider.available'),
      price: asU64(r[5], 'provider.price'), meter: text(r[6], 'provider.meter', 128), delivered: asU64(r[7], 'provider.delivered'), stake: asU64(r[8], 'provider.stake'), escrowed: bool(r[9], 'provider.escrowed'),
      registeredAt: int(r[10], 'provider.registered_at'), readings: int(r[11], 'provider.readings'), lastValue: asU64(r[12], 'provider.last_value'), lastTs: int(r[13], 'provider.last_ts'),
      lastNonce: asU64(r[14], 'provider.last_nonce'), lastHeight: int(r[15], 'provider.last_height'), reputationPpm: int(r[16], 'provider.reputation_ppm', 1_000_000),
    });
  }
  const credits = new Map<string, Credit>();
  for (const e of asArray(a[1], 'energy.credits')) {
    const r = asArray(e, 'credit', 7);
    const hash = text(r[0], 'credit.hash', 64);
    credits.set(hash, { hash, provider: text(r[1], 'credit.provider', 64), kwh: asU64(r[2], 'credit.kwh'), height: int(r[3], 'credit.height'), readingTs: int(r[4], 'credit.reading_ts'), nonce: asU64(r[5], 'credit.nonce'), total: asU64(r[6], 'credit.total') });
  }
  const receipts = asArray(a[2], 'energy.receipts').map((e): Receipt => {
    const r = asArray(e, 'receipt', 11);
    return {
      hash: text(r[0], 'receipt.hash', 64), buyer: text(r[1], 'receipt.buyer', 64), provider: text(r[2], 'receipt.provider', 64), owner: text(r[3], 'receipt.owner', 64), kwh: asU64(r[4], 'receipt.kwh'),
      pricePaid: asU64(r[5], 'receipt.price_paid'), fee: asU64(r[6], 'receipt.fee'), slash: asU64(r[7], 'receipt.slash'), height: int(r[8], 'receipt.height'), creditHeight: int(r[9], 'receipt.credit_height'), trade: bool(r[10], 'receipt.trade'),
    };
  });
  const disputes = asArray(a[3], 'energy.disputes').map((e): Dispute => {
    const r = asArray(e, 'dispute', 13);
    const status = text(r[5], 'dispute.status') as DisputeStatus;
    if (status !== 'open' && status !== 'resolved') throw new CodecError(`dispute.status "${status}" is unknown`);
    const outcome = text(r[10], 'dispute.outcome') as Dispute['outcome'];
    if (!['', 'upheld', 'dismissed'].includes(outcome)) throw new CodecError(`dispute.outcome "${outcome}" is unknown`);
    return {
      id: int(r[0], 'dispute.id'), provider: text(r[1], 'dispute.provider', 64), hash: text(r[2], 'dispute.hash', 64), reporter: text(r[3], 'dispute.reporter', 64), reason: text(r[4], 'dispute.reason'),
      status, openedAt: int(r[6], 'dispute.opened_at'), resolvedAt: int(r[7], 'dispute.resolved_at'), note: text(r[8], 'dispute.note'), resolver: text(r[9], 'dispute.resolver', 64), outcome,
      slash: asU64(r[11], 'dispute.slash'),
      votes: asArray(r[12], 'dispute.votes').map((x) => {
        const p = asArray(x, 'vote', 2);
        const c = text(p[1], 'vote.choice');
        if (c !== 'uphold' && c !== 'dismiss') throw new CodecError(`vote.choice "${c}" is unknown`);
        return [text(p[0], 'vote.addr', 64), c];
      }),
    };
  });
  const slashes = asArray(a[4], 'energy.slashes').map((e): Slash => {
    const r = asArray(e, 'slash', 5);
    return { provider: text(r[0], 'slash.provider', 64), hash: text(r[1], 'slash.hash', 64), height: int(r[2], 'slash.height'), amount: asU64(r[3], 'slash.amount'), reason: text(r[4], 'slash.reason', 64) };
  });
  const log = asArray(a[5], 'energy.log').map((e): LogEntry => {
    const r = asArray(e, 'log entry', 7);
    return { provider: text(r[0], 'log.provider', 64), hash: text(r[1], 'log.hash', 64), height: int(r[2], 'log.height'), ts: int(r[3], 'log.ts'), nonce: asU64(r[4], 'log.nonce'), total: asU64(r[5], 'log.total'), credited: asU64(r[6], 'log.credited') };
  });
  const c = asArray(a[6], 'energy.counters', 9);
  return {
    providers, credits, receipts, disputes, slashes, log,
    counters: {
      nextProvider: int(c[0], 'counters.next_provider'), registrations: int(c[1], 'counters.registrations'), readings: int(c[2], 'counters.readings'), settlements: int(c[3], 'counters.settlements'),
      kwhTraded: asU64(c[4], 'counters.kwh_traded'), feeTotal: asU64(c[5], 'counters.fee_total'), slashTotal: asU64(c[6], 'counters.slash_total'), nextDispute: int(c[7], 'counters.next_dispute'), valueTraded: asU64(c[8], 'counters.value_traded'),
    },
  };
}
