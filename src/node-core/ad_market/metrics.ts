/**
 * Ad market metrics (spec/ad_market.md §8), refreshed at every new head from the chain state.
 * Label cardinality is bounded: the MAX_SELECTOR_LABELS busiest selectors keep their own label
 * (`tier/tag/bucket`), the rest are aggregated under `other` (auction figures, conversion value,
 * privacy budget utilisation); segment labels are the cohorts of
 * the window (≤ max_selectors by construction).
 */
import client, { type Registry } from 'prom-client';
import { winRatePpm } from './auction.js';
import { appliedPacingPpm } from './broker.js';
import type { AdState } from './state.js';
import type { ReadinessSnapshot, SelectorView } from '../../shared/api/ad_market.js';

export const MAX_SELECTOR_LABELS = 16;

export function adMetrics(registry: Registry) {
  const g = (name: string, help: string, labelNames: string[] = []) => new client.Gauge({ name, help, labelNames, registers: [registry] });
  const c = (name: string, help: string, labelNames: string[] = []) => new client.Counter({ name, help, labelNames, registers: [registry] });
  return {
    ready: g('ad_readiness_ready', 'Ad readiness: 1 when no blocker holds.'),
    viewers: g('ad_readiness_unique_viewers', 'Distinct viewers in the readiness window.'),
    hosts: g('ad_readiness_hosts', 'Distinct hosts in the readiness window.'),
    providers: g('ad_readiness_providers', 'Distinct providers in the readiness window.'),
    minViewers: g('ad_readiness_min_unique_viewers', 'Viewer threshold in force (static or EMA percentile).'),
    minHosts: g('ad_readiness_min_hosts', 'Host threshold in force.'),
    minProviders: g('ad_readiness_min_providers', 'Provider threshold in force.'),
    windowSecs: g('ad_readiness_window_secs', 'Readiness window, seconds.'),
    streak: g('ad_readiness_ready_streak_windows', 'Consecutive ready windows.'),
    skipped: c('ad_readiness_skipped_total', 'Impressions/reservations skipped or cancelled, by reason (presence = stale bucket or crowd under policy).', ['reason']),
    segmentReady: c('ad_segment_ready_total', 'Head evaluations at which a segment (cohort) scored ≥ 60.', ['domain_tier', 'presence_bucket', 'interest_tag']),
    topBid: g('ad_auction_top_bid_usd_micros', 'Top bid of the last cleared auction, µUSD.', ['selector']),
    winRate: g('ad_auction_win_rate', 'Share of impressions that cleared, ppm.', ['selector']),
    shading: g('ad_bid_shading_factor_bps', 'Paid / top bid of the last cleared auction, bps.', ['selector']),
    clearing: g('ad_price_pi_price_per_mib', 'Clearing price from the PI controller, µUSD.', ['selector']),
    conversions: c('ad_conversion_value_total', 'Conversion value recorded on chain, µUSD, by the selector it is attributed to.', ['selector']),
    conversionTotal: c('ad_conversion_total', 'Conversion requests of advertisers: accepted, or rejected by reason (auth_required, advertiser_mismatch, token_missing, token_invalid, unknown_campaign, …).', ['result', 'reason']),
    privacyUtil: g('ad_privacy_budget_utilization_ratio', 'Spent share (0..1) of the tightest privacy budget among the badge families a selector spends.', ['selector']),
    privacyRemaining: g('ad_privacy_budget_remaining_ppm', 'Lowest remaining privacy budget over families, ppm.'),
    denials: c('ad_privacy_denial_total', 'Impressions denied by the privacy guard, by reason.', ['reason']),
    budgetMultiplier: g('ad_budget_shading_multiplier', 'Budget broker factor applied to a campaign\'s bids: min(1, kappa / (1 + shadow price)); the 16 biggest spenders by campaign.', ['campaign']),
    budgetDual: g('ad_budget_dual_price', 'Budget broker shadow (dual) price of a campaign (0 = on or under its pacing target).', ['campaign']),
    budgetProgress: g('ad_budget_progress', 'Spent share of a campaign budget (0..1).', ['campaign']),
  };
}
export type AdMetrics = ReturnType<typeof adMetrics>;

/** Last seen chain counters (metrics counters only move forward by the difference). */
export interface Seen { skipped: number; denials: Record<string, number>; conversions: Map<string, bigint> }

export function refreshMetrics(m: AdMetrics, s: AdState, snap: ReadinessSnapshot, seen: Seen, views: readonly SelectorView[]): void {
  m.ready.set(snap.ready ? 1 : 0);
  m.viewers.set(snap.unique_viewers);
  m.hosts.set(snap.host_count);
  m.providers.set(snap.provider_count);
  m.minViewers.set(snap.thresholds.min_unique_viewers);
  m.minHosts.set(snap.thresholds.min_host_count);
  m.minProviders.set(snap.thresholds.min_provider_count);
  m.windowSecs.set(snap.window_secs);
  m.streak.set(snap.ready_streak_windows);
  if (s.skipped_presence > seen.skipped) m.skipped.inc({ reason: 'presence' }, s.skipped_presence - seen.skipped);
  seen.skipped = s.skipped_presence;
  for (const [reason, n] of Object.entries(s.denials)) {
    const d = n - (seen.denials[reason] ?? 0);
    if (d > 0) m.denials.inc({ reason }, d);
    seen.denials[reason] = n;
  }
  const busiest = [...s.selectors].sort((a, b) => b.opportunities - a.opportunities);
  m.topBid.reset();
  m.winRate.reset();
  m.shading.reset();
  m.clearing.reset();
  const other = { opp: 0, wins: 0, top: 0n };
  busiest.forEach((x, i) => {
    if (i < MAX_SELECTOR_LABELS) {
      m.topBid.set({ selector: x.label }, Number(x.top_bid));
      m.winRate.set({ selector: x.label }, winRatePpm(x));
      m.shading.set({ selector: x.label }, x.shading_bps);
      m.clearing.set({ selector: x.label }, Number(x.clearing_price));
    } else {
      other.opp += x.opportunities;
      other.wins += x.wins;
      if (x.top_bid > other.top) other.top = x.top_bid;
    }
    const label = i < MAX_SELECTOR_LABELS ? x.label : 'other';
    const d = x.conversion_value - (seen.conversions.get(x.selector) ?? 0n);
    if (d > 0n) m.conversions.inc({ selector: label }, Number(d));
    seen.conversions.set(x.selector, x.conversion_value);
  });
  if (busiest.length > MAX_SELECTOR_LABELS) {
    m.topBid.set({ selector: 'other' }, Number(other.top));
    m.winRate.set({ selector: 'other' }, winRatePpm({ wins: other.wins, opportunities: other.opp }));
  }
  for (const [tier, seg] of Object.entries(snap.segments.domain_tier)) if (seg.readiness_score >= 60) m.segmentReady.inc({ domain_tier: tier, presence_bucket: 'any', interest_tag: 'any' });
  for (const [tag, seg] of Object.entries(snap.segments.interest_tag)) if (seg.readiness_score >= 60) m.segmentReady.inc({ domain_tier: 'any', presence_bucket: 'any', interest_tag: tag });
  for (const [b, v] of Object.entries(snap.segments.presence_bucket)) if (v.ready_slots > 0) m.segmentReady.inc({ domain_tier: 'any', presence_bucket: b, interest_tag: 'any' });
  if (snap.privacy) m.privacyRemaining.set(snap.privacy.remaining_ppm);
  m.budgetMultiplier.reset();
  m.budgetDual.reset();
  m.budgetProgress.reset();
  for (const c of [...s.campaigns].sort((a, b) => (a.spent === b.spent ? (a.id < b.id ? -1 : 1) : a.spent > b.spent ? -1 : 1)).slice(0, MAX_SELECTOR_LABELS)) {
    m.budgetMultiplier.set({ campaign: c.id }, appliedPacingPpm(c.pacing) / 1_000_000);
    m.budgetDual.set({ campaign: c.id }, c.pacing.dual_price_ppm / 1_000_000);
    m.budgetProgress.set({ campaign: c.id }, c.budget === 0n ? 0 : Number((c.spent * 1_000_000n) / c.budget) / 1_000_000);
  }
  // Per selector: the same busiest-first cap; the rest aggregate under `other` at their worst.
  const util = new Map(views.map((v) => [v.selector_id, v.privacy_utilization_ppm]));
  m.privacyUtil.reset();
  let otherUtil = -1;
  busiest.forEach((x, i) => {
    const u = util.get(x.selector) ?? 0;
    if (i < MAX_SELECTOR_LABELS) m.privacyUtil.set({ selector: x.label }, u / 1_000_000);
    else otherUtil = Math.max(otherUtil, u);
  });
  if (otherUtil >= 0) m.privacyUtil.set({ selector: 'other' }, otherUtil / 1_000_000);
}
