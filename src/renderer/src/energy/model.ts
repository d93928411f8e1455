/**
 * Pure views of the Energy page: per-provider coverage (readings received vs expected, gaps in the
 * nonce sequence, stale meter), the trace of one meter reading (reading → credit → settlement →
 * receipt → dispute), chart series, and field-level validation of the forms (the same rules as
 * the contract, so the exact failing field is named before anything is sent).
 */
import type { EnergyMarketState, EnergyReadingLog } from '../../../shared/api/energy';
import { MeterReadingPayload } from '../../../shared/api/energy';

export interface Coverage {
  provider_id: string;
  received: number;
  expected: number;
  /** Missing nonces between the first and last reading kept (e.g. [4, 5]). */
  gaps: number[];
  /** Median seconds between readings (null with fewer than 2). */
  interval_s: number | null;
  /** Seconds since the last reading (node clock). */
  age_s: number | null;
  stale: boolean;
}

const median = (xs: number[]): number | null => {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * Coverage of a provider from the readings log (last 64 kept per provider): expected = the span
 * from the first to now divided by the median interval, + 1; stale = no reading within
 * `oracle_timeout_blocks` seconds.
 */
export function coverage(m: EnergyMarketState, providerId: string, nowS: number): Coverage {
  const rs = m.readings.filter((r) => r.provider_id === providerId).sort((a, b) => a.nonce - b.nonce);
  const timeout = m.governance.oracle_timeout_blocks;
  const gaps: number[] = [];
  for (let i = 1; i < rs.length; i++) for (let n = rs[i - 1].nonce + 1; n < rs[i].nonce && gaps.length < 50; n++) gaps.push(n);
  const interval = median(rs.slice(1).map((r, i) => r.timestamp - rs[i].timestamp));
  const last = rs.at(-1);
  const age = last ? Math.max(0, nowS - last.timestamp) : null;
  const expected = rs.length === 0 ? 0 : interval && interval > 0 ? Math.floor((nowS - rs[0].timestamp) / interval) + 1 : rs.length;
  return { provider_id: providerId, received: rs.length, expected: Math.max(expected, rs.length + gaps.length), gaps, interval_s: interval, age_s: age, stale: age !== null && age > timeout };
}

export interface TraceStep {
  step: 'reading' | 'credit' | 'settlement' | 'receipt' | 'dispute';
  at: string;
  text: string;
  done: boolean;
}

/** The life of one reading, by meter_hash. */
export function trace(m: EnergyMarketState, hash: string): TraceStep[] {
  const r: EnergyReadingLog | undefined = m.readings.find((x) => x.meter_hash === hash);
  const credit = m.credits.find((c) => c.meter_hash === hash);
  const receipts = m.receipts.filter((x) => x.meter_hash === hash);
  const disputes = m.disputes.filter((d) => d.meter_hash === hash);
  const settled = receipts.reduce((n, x) => n + x.kwh_delivered, 0);
  const out: TraceStep[] = [
    { step: 'reading', at: r ? `block ${r.height}` : '—', text: r ? `nonce ${r.nonce}, total ${r.total_kwh} kWh, read ${new Date(r.timestamp * 1000).toISOString().slice(11, 19)} UTC` : 'not in the readings kept', done: !!r },
    { step: 'credit', at: r ? `block ${r.height}` : '—', text: r ? `${r.credited_kwh} kWh credited${credit ? `, ${credit.amount_kwh} kWh still pending` : ', fully settled'}` : credit ? `${credit.amount_kwh} kWh pending` : '—', done: !!(r || credit) },
    { step: 'settlement', at: receipts.length ? `block ${receipts.at(-1)!.block_settled}` : '—', text: receipts.length ? `${settled} kWh in ${receipts.length} settlement(s)` : 'not settled yet', done: receipts.length > 0 },
    ...receipts.map((x): TraceStep => ({ step: 'receipt', at: `block ${x.block_settled}`, text: `${x.kwh_delivered} kWh, paid ${x.price_paid}, treasury fee ${x.treasury_fee}${x.trade ? '' : ' (rehearsal: no value moved)'}`, done: true })),
    ...disputes.map((d): TraceStep => ({ step: 'dispute', at: `block ${d.opened_at}`, text: `#${d.id} ${d.status}${d.outcome ? ` — ${d.outcome}${d.slash_applied ? `, slashed ${d.slash_applied}` : ''}` : ''}: ${d.reason}`, done: d.status === 'resolved' })),
  ];
  return out;
}

/** kWh traded and average paid price per kWh, per settlement block (oldest first). */
export function series(m: EnergyMarketState): { block: number; kwh: number; price: number }[] {
  const by = new Map<number, { kwh: number; paid: number }>();
  for (const r of m.receipts) {
    const e = by.get(r.block_settled) ?? { kwh: 0, paid: 0 };
    by.set(r.block_settled, { kwh: e.kwh + r.kwh_delivered, paid: e.paid + r.price_paid });
  }
  return [...by].sort(([a], [b]) => a - b).map(([block, e]) => ({ block, kwh: e.kwh, price: e.kwh ? Math.round((e.paid / e.kwh) * 100) / 100 : 0 }));
}

export type FieldErrors = Record<string, string>;
/** A whole number in [min, max]; the message says which rule failed (shown under the field). */
const int = (v: string, field: string, e: FieldErrors, min: number, max: number) => {
  if (/^-[0-9]+$/.test(v) || (/^[0-9]+$/.test(v) && Number(v) < min)) e[field] = `must be at least ${min.toLocaleString('en-US')}`;
  else if (!/^[0-9]+$/.test(v)) e[field] = v === '' ? 'required' : 'must be a whole number (digits only, e.g. 500)';
  else if (Number(v) > max) e[field] = `must be at most ${max.toLocaleString('en-US')}`;
};

/** Field errors of the register form, keyed by the RPC param name. */
export function validateRegister(f: { capacity_kwh: string; price_per_kwh: string; stake: string; meter_address: string; jurisdiction: string }, minStake: number): FieldErrors {
  const e: FieldErrors = {};
  int(f.capacity_kwh, 'capacity_kwh', e, 1, 1e12);
  int(f.price_per_kwh, 'price_per_kwh', e, 0, 1e6);
  int(f.stake, 'stake', e, minStake, 1e15);
  if (e.stake && /^[0-9]+$/.test(f.stake) && Number(f.stake) < minStake) e.stake = `must be at least energy_min_stake = ${minStake}`;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(f.meter_address)) e.meter_address = '1-64 of A-Z a-z 0-9 _ . : - (e.g. meter-01)';
  if (!/^[A-Z]{2}(_[A-Z0-9]{1,8})?$/.test(f.jurisdiction)) e.jurisdiction = 'a code like US_CA';
  return e;
}

/** A reading JSON text: the parsed payload, or the exact failing field(s). */
export function parseReading(text: string): { ok: true; reading: MeterReadingPayload } | { ok: false; errors: FieldErrors } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: { json: `not JSON: ${(err as Error).message}` } };
  }
  const r = MeterReadingPayload.safeParse(json);
  if (r.success) return { ok: true, reading: r.data };
  const errors: FieldErrors = {};
  for (const i of r.error.issues) errors[i.path.join('.') || 'json'] ??= `${i.path.join('.') || 'reading'}: ${i.message}`;
  return { ok: false, errors };
}
