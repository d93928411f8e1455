/**
 * `ad_market.list_presence_cohorts` (spec §6, reference `list_presence_cohorts`): each presence
 * bucket with its privacy guardrail — `k_anonymity_redacted` when it has no ready slot or only
 * community-tier cohorts, `cooldown` / `budget_exhausted` when a badge family its impressions spend
 * (always `presence`, plus the families of its selectors) is cooling or would be exhausted by one
 * more impression, else `ok` — and, only when ok, its selectors' bid specs with the bucket's ready
 * slots split evenly across them (sorted by selector id, remainder to the first ones).
 * `privacy_budget.remaining_ppm` is 0 while any reservation holds (as the reference does).
 */
import type { PresenceCohort, ReadinessSnapshot } from '../../shared/api/ad_market.js';
import type { PrivacyDecision } from './privacy.js';
import { impressionsUntilExhausted } from './privacy.js';
import type { AdParams } from './params.js';
import type { AdState } from './state.js';

export interface PresenceFilter {
  region?: string;
  domain_tier?: string;
  interest_tag?: string;
  beacon_id?: string;
  kind?: string;
  min_confidence_bps?: number;
  include_expired: boolean;
  limit: number;
}

function guardrail(s: AdState, families: readonly string[], readySlots: number, tiers: readonly string[], P: AdParams): PrivacyDecision {
  if (readySlots === 0 || (tiers.length > 0 && tiers.every((t) => t === 'community'))) return 'k_anonymity_redacted';
  let out: PrivacyDecision = 'ok';
  for (const f of families) {
    const b = s.privacy.find((p) => p.family === f);
    if (!b) continue;
    if (b.cooldown_remaining > 0) return 'cooldown';
    if (impressionsUntilExhausted(b, 1, P.privacy) === 0) out = 'budget_exhausted';
  }
  return out;
}

export function presenceCohorts(s: AdState, snap: ReadinessSnapshot, f: PresenceFilter, P: AdParams) {
  const cohorts: PresenceCohort[] = [];
  for (const b of Object.values(snap.segments.presence_bucket).sort((x, y) => (x.bucket_id < y.bucket_id ? -1 : 1))) {
    if (cohorts.length >= f.limit) break;
    if (!f.include_expired && b.stale) continue;
    if ((f.region !== undefined && b.region !== f.region) || (f.kind !== undefined && b.kind !== f.kind)) continue;
    if ((f.min_confidence_bps !== undefined && b.confidence_bps < f.min_confidence_bps) || (f.beacon_id !== undefined && !b.bucket_id.includes(f.beacon_id))) continue;
    const sels = s.selectors
      .map((x) => ({ x, parts: x.label.split('/') }))
      .filter(({ parts }) => parts[2] === b.bucket_id)
      .sort((p, q) => (p.x.selector < q.x.selector ? -1 : 1));
    if (f.domain_tier !== undefined && !sels.some(({ parts }) => parts[0] === f.domain_tier)) continue;
    if (f.interest_tag !== undefined && !sels.some(({ parts }) => parts[1] === f.interest_tag)) continue;
    const families = [...new Set(['presence', ...sels.flatMap(({ x }) => x.families)])];
    const g = guardrail(s, families, b.ready_slots, sels.map(({ parts }) => parts[0]), P);
    const n = sels.length;
    const prices =
      g !== 'ok' || n === 0
        ? []
        : sels.map(({ x }, i) => ({ selector_id: x.selector, label: x.label, clearing_price_usd_micros: x.clearing_price.toString(), shading_factor_bps: x.shading_bps, slot_cap: Math.floor(b.ready_slots / n) + (i < b.ready_slots % n ? 1 : 0), max_pacing_ppm: 1_000_000 }));
    cohorts.push({ ...b, ready_slots: g === 'ok' ? b.ready_slots : 0, privacy_guardrail: g, selector_prices: prices });
  }
  let deniedPpm = 0, cooldown = 0;
  for (const p of s.privacy) {
    const decisions = p.accepted + p.denied + p.cooling;
    if (decisions > 0) deniedPpm = Math.max(deniedPpm, Math.round(((p.denied + p.cooling) * 1_000_000) / decisions));
    cooldown = Math.max(cooldown, p.cooldown_remaining);
  }
  const remaining = s.reservations.length > 0 ? 0 : (snap.privacy?.remaining_ppm ?? 1_000_000);
  return { status: 'ok' as const, cohorts, privacy_budget: { remaining_ppm: remaining, denied_ppm: deniedPpm, cooldown_remaining: cooldown, denied_count: snap.privacy?.denied_count ?? 0 } };
}
