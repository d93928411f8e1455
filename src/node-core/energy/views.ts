/**
 * Read views of the energy state (pure): the RPC shapes of spec/energy.md §7 (plus our extra
 * fields), paging, and the governor's energy gate input (utilization, provider margin).
 */
import type { EnergyCredit, EnergyDispute, EnergyMarketState, EnergyProvider, EnergyReceipt, EnergyReadingLog } from '../../shared/api/energy.js';
import type { GateVerdict } from '../../shared/api/governor.js';
import { MAX_CLOCK_SKEW_S, NOMINAL_BLOCK_S, TREASURY_FEE_BPS, type Params } from './rules.js';
import type { Credit, Dispute, EnergyState, LogEntry, Provider, Receipt, Slash } from './state.js';

const n = (b: bigint): number => Number(b);

export function providerView(p: Provider, nowS: number, timeoutBlocks: bigint, keyRegistered: boolean): EnergyProvider {
  const stale = p.readings > 0 && nowS - p.lastTs > Number(timeoutBlocks) * NOMINAL_BLOCK_S;
  return {
    provider_id: p.id, owner: p.owner, jurisdiction: p.jurisdiction, capacity_kwh: n(p.capacity), available_kwh: n(p.available), price_per_kwh: n(p.price),
    reputation_score: p.reputationPpm / 1e6, meter_address: p.meter, total_delivered_kwh: n(p.delivered), staked_balance: n(p.stake), escrowed: p.escrowed,
    registered_at: p.registeredAt, readings: p.readings,
    last_meter_value: p.readings > 0 ? n(p.lastValue) : null, last_meter_timestamp: p.readings > 0 ? p.lastTs : null, last_nonce: p.readings > 0 ? n(p.lastNonce) : null, last_reading_height: p.readings > 0 ? p.lastHeight : null,
    key_registered: keyRegistered,
    status: !keyRegistered ? 'no_key' : p.readings === 0 ? 'no_readings' : stale ? 'stale' : 'active',
  };
}
export const creditView = (c: Credit): EnergyCredit => ({ provider: c.provider, amount_kwh: n(c.kwh), timestamp: c.height, meter_hash: c.hash, reading_timestamp: c.readingTs, nonce: n(c.nonce), total_kwh: n(c.total) });
export const receiptView = (r: Receipt): EnergyReceipt => ({
  buyer: r.buyer, seller: r.provider, owner: r.owner, kwh_delivered: n(r.kwh), price_paid: n(r.pricePaid), block_settled: r.height, treasury_fee: n(r.fee), slash_applied: n(r.slash),
  meter_hash: r.hash, credit_height: r.creditHeight, trade: r.trade,
});
export const disputeView = (d: Dispute): EnergyDispute => ({
  id: d.id, provider_id: d.provider, meter_hash: d.hash, reporter: d.reporter, reason: d.reason, status: d.status, opened_at: d.openedAt,
  resolved_at: d.status === 'resolved' ? d.resolvedAt : null, resolution_note: d.status === 'resolved' ? d.note : null, resolver: d.status === 'resolved' ? d.resolver : null,
  outcome: d.outcome === '' ? null : d.outcome, slash_applied: n(d.slash), votes: d.votes.map(([validator, choice]) => ({ validator, choice })),
});
export const slashView = (x: Slash) => ({ provider_id: x.provider, meter_hash: x.hash, block_height: x.height, amount: n(x.amount), reason: x.reason });
export const logView = (l: LogEntry): EnergyReadingLog => ({ provider_id: l.provider, meter_hash: l.hash, height: l.height, timestamp: l.ts, nonce: n(l.nonce), total_kwh: n(l.total), credited_kwh: n(l.credited) });

export function marketState(s: Readonly<EnergyState>, o: { height: number; timestampMs: number; escrow: string; params: Params; hasKey: (id: string) => boolean; provider?: string }): EnergyMarketState {
  const only = <T>(xs: T[], f: (x: T) => string) => (o.provider ? xs.filter((x) => f(x) === o.provider) : xs);
  const nowS = Math.floor(o.timestampMs / 1000);
  const c = s.counters;
  return {
    status: 'ok', height: o.height, timestamp_ms: o.timestampMs, escrow: o.escrow,
    providers: only([...s.providers.values()], (p) => p.id).map((p) => providerView(p, nowS, o.params.timeoutBlocks, o.hasKey(p.id))),
    credits: only([...s.credits.values()], (x) => x.provider).sort((a, b) => b.height - a.height).map(creditView),
    receipts: only(s.receipts, (r) => r.provider).map(receiptView),
    disputes: only(s.disputes, (d) => d.provider).map(disputeView),
    slashes: only(s.slashes, (x) => x.provider).map(slashView),
    readings: only(s.log, (l) => l.provider).map(logView),
    governance: {
      mode: 'real_time', market_mode: o.params.trade ? 'trade' : 'rehearsal', quorum_threshold_ppm: 0, expiry_blocks: 0, oracle_timeout_blocks: n(o.params.timeoutBlocks),
      min_stake: n(o.params.minStake), slashing_rate_bps: n(o.params.slashingBps), treasury_fee_bps: n(TREASURY_FEE_BPS), max_clock_skew_secs: MAX_CLOCK_SKEW_S,
    },
    totals: { registrations: c.registrations, readings: c.readings, settlements: c.settlements, kwh_traded: n(c.kwhTraded), value_traded: n(c.valueTraded), treasury_fee: n(c.feeTotal), slashed: n(c.slashTotal) },
  };
}

/** One page of `items` (already in the answer's order). */
export function page<T>(items: T[], p: { page: number; page_size: number }) {
  return { status: 'ok' as const, page: p.page, page_size: p.page_size, total: items.length, items: items.slice(p.page * p.page_size, (p.page + 1) * p.page_size) };
}

/** Market bounds of the governor's market gates (spec/governor.md §3): utilization and provider margin. */
export const ENERGY_GATE = { utilMin: 0.01, utilMax: 0.95, marginMin: -0.5, marginMax: 3.0 } as const;

/**
 * The energy gate's input: utilization = Σ(capacity − available) / Σ capacity; provider margin =
 * (Σ price_paid − Σ treasury fees − Σ slashed) / Σ price_paid (the share of settled value providers keep).
 */
export function energyVerdict(s: Readonly<EnergyState>): GateVerdict {
  let cap = 0n;
  let used = 0n;
  for (const p of s.providers.values()) {
    cap += p.capacity;
    used += p.capacity - p.available;
  }
  let paid = 0n;
  let fees = 0n;
  for (const r of s.receipts) {
    paid += r.pricePaid;
    fees += (r.pricePaid * TREASURY_FEE_BPS) / 10_000n;
  }
  if (cap === 0n || paid === 0n) return { signal: 'waiting', reason: `waiting for energy activity (${s.providers.size} provider(s), ${s.receipts.length} settlement(s))`, metrics: { utilization: null, provider_margin: null } };
  const util = Number(used) / Number(cap);
  const margin = Number(paid - fees - s.counters.slashTotal) / Number(paid);
  const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
  const t = ENERGY_GATE;
  const ok = util >= t.utilMin && util <= t.utilMax && margin >= t.marginMin && margin <= t.marginMax;
  return { signal: 'ok', enterOk: ok, stayOk: ok, metrics: { utilization: r6(util), provider_margin: r6(margin) }, reason: `energy utilization ${r6(util)} (${t.utilMin}..${t.utilMax}), margin ${r6(margin)} (${t.marginMin}..${t.marginMax}): ${ok ? 'ok' : 'FAIL'}` };
}
