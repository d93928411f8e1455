/**
 * Read views of the ad market state (pure): the readiness snapshot the RPC, the CLI and the
 * console's export all return, the selector inventory, campaigns and presence cohorts. "Now" is
 * the head block's timestamp, so the same height always gives the same snapshot.
 */
import type { BucketReadiness, CampaignView, PrivacyFamily, ReadinessSnapshot, SelectorView } from '../../shared/api/ad_market.js';
import type { ConversionSummary } from '../../shared/api/ad_market_ops.js';
import { effectiveQualityPpm, PRICE_DEFAULTS, winRatePpm } from './auction.js';
import { appliedPacingPpm } from './broker.js';
import { bucketProblem, bucketSlots, reservedSlots } from './chain-module.js';
import { PARAMS_SOURCE, type AdParams } from './params.js';
import { impressionsUntilExhausted, remainingPpm } from './privacy.js';
import { distinctCounts, freshnessHistogram } from './readiness.js';
import type { AdState, Campaign } from './state.js';

/** Service-side conversion counters (rejections since the node started; not chain state). */
export interface ConversionStats {
  authenticated: number;
  rejected: Record<string, number>;
  last_error: { code: string; occurred_at_ms: number } | null;
}
export const newConversionStats = (): ConversionStats => ({ authenticated: 0, rejected: {}, last_error: null });

export function conversionSummary(s: AdState, st: ConversionStats): ConversionSummary {
  const value = s.campaigns.reduce((n, c) => n + c.conversion_value, 0n);
  return {
    authenticated_total: st.authenticated, rejected_total: Object.values(st.rejected).reduce((a, b) => a + b, 0), error_counts: { ...st.rejected }, last_error: st.last_error,
    conversions: s.campaigns.reduce((n, c) => n + c.conversions, 0), value_usd_micros: value.toString(),
  };
}

export function bucketView(s: AdState, id: string, nowMs: number, P: AdParams): BucketReadiness | null {
  const b = s.buckets.find((x) => x.id === id);
  if (!b) return null;
  const stale = bucketProblem(b, nowMs, P.presence) !== null;
  const reserved = reservedSlots(s, b.id);
  const ages = s.acks.filter((a) => a.bucket === b.id).map((a) => nowMs - a.ts_ms);
  return {
    bucket_id: b.id, kind: b.kind, region: b.region, confidence_bps: b.confidence_bps, radius_meters: b.radius_m, crowd_size: b.crowd,
    minted_at_ms: b.minted_ms, expires_at_ms: b.expires_ms, stale,
    ready_slots: stale ? 0 : Math.max(0, bucketSlots(b, P.presence) - reserved), reserved_slots: reserved,
    freshness_histogram: freshnessHistogram(ages.length > 0 ? ages : [nowMs - b.minted_ms]),
  };
}

function privacyView(s: AdState, nowMs: number, P: AdParams): NonNullable<ReadinessSnapshot['privacy']> {
  const cfg = P.privacy;
  const windowMs = P.readiness.window_secs * 1000;
  const inWindow = s.acks.filter((a) => a.ts_ms > nowMs - windowMs);
  const spanS = inWindow.length > 1 ? (nowMs - inWindow[0].ts_ms) / 1000 : 0;
  const ratePerS = spanS > 0 ? inWindow.length / spanS : 0;
  const families: PrivacyFamily[] = s.privacy.map((p) => {
    const rem = remainingPpm(p, cfg);
    const n = impressionsUntilExhausted(p, 1, cfg);
    return {
      family: p.family, remaining_ppm: rem, epsilon_spent: p.eps_spent.toString(), delta_spent: p.delta_spent.toString(), utilization_ppm: 1_000_000 - rem,
      cooldown_remaining: p.cooldown_remaining, accepted: p.accepted, cooling: p.cooling, denied: p.denied, last_decision: p.last_decision,
      impressions_until_exhausted: n, seconds_until_exhausted: n === null || ratePerS === 0 ? null : Math.round(n / ratePerS),
    };
  });
  const d = s.denials;
  const last = [...s.privacy].reverse().find((p) => p.last_decision === 'cooldown' || p.last_decision === 'budget_exhausted');
  return {
    remaining_ppm: families.length === 0 ? 1_000_000 : Math.min(...families.map((f) => f.remaining_ppm)),
    denied_count: d.budget_exhausted + d.cooldown + d.k_anonymity_redacted,
    denials: { ...d },
    last_denial_reason: (last?.last_decision as 'cooldown' | 'budget_exhausted' | undefined) ?? null,
    families,
  };
}

/** The readiness snapshot at the head (`ad_market.readiness`; the CLI and the console export write it as is). */
export function readinessSnapshot(s: AdState, height: number, nowMs: number, withPrivacy: boolean, P: AdParams, conv: ConversionStats): ReadinessSnapshot {
  const R = P.readiness;
  const from = nowMs - R.window_secs * 1000 + 1;
  const c = distinctCounts(s.acks, from, nowMs);
  const th = R.use_percentile_thresholds
    ? { min_unique_viewers: s.carry.ema_viewers, min_host_count: s.carry.ema_hosts, min_provider_count: s.carry.ema_providers }
    : { min_unique_viewers: R.min_unique_viewers, min_host_count: R.min_host_count, min_provider_count: R.min_provider_count };
  const blockers: ReadinessSnapshot['blockers'] = [];
  if (c.unique_viewers < th.min_unique_viewers) blockers.push('insufficient_unique_viewers');
  if (c.host_count < th.min_host_count) blockers.push('insufficient_host_diversity');
  if (c.provider_count < th.min_provider_count) blockers.push('insufficient_provider_diversity');
  // Cohorts = (tier, tag, bucket); score = viewers / fair share of the viewer threshold, 0..100.
  const cohorts = new Map<string, { tier: string; tag: string; viewers: Set<string> }>();
  for (const a of s.acks) {
    if (a.ts_ms < from || a.ts_ms > nowMs) continue;
    const k = `${a.domain_tier}|${a.interest_tag}|${a.bucket}`;
    if (!cohorts.has(k)) cohorts.set(k, { tier: a.domain_tier, tag: a.interest_tag, viewers: new Set() });
    cohorts.get(k)!.viewers.add(a.viewer);
  }
  const share = Math.max(1, Math.ceil(th.min_unique_viewers / Math.max(1, cohorts.size)));
  const score = (n: number) => Math.min(100, Math.max(0, Math.round((n * 100) / share)));
  const seg = (key: (x: { tier: string; tag: string }) => string) => {
    const out: Record<string, { supply_ppm: number; readiness_score: number; cohort_count: number }> = {};
    const groups = new Map<string, number[]>();
    for (const co of cohorts.values()) {
      const k = key(co);
      if (k === '') continue;
      groups.set(k, [...(groups.get(k) ?? []), co.viewers.size]);
    }
    for (const [k, xs] of groups) out[k] = { supply_ppm: Math.round((xs.length * 1_000_000) / cohorts.size), readiness_score: Math.round(xs.reduce((a, b) => a + score(b), 0) / xs.length), cohort_count: xs.length };
    return out;
  };
  const buckets: Record<string, BucketReadiness> = {};
  for (const b of s.buckets) buckets[b.id] = bucketView(s, b.id, nowMs, P)!;
  return {
    status: 'ok', height, ready: blockers.length === 0, window_secs: R.window_secs, ...c, thresholds: th,
    dynamic: { use_percentile_thresholds: R.use_percentile_thresholds, viewer_percentile: R.viewer_percentile, host_percentile: R.host_percentile, provider_percentile: R.provider_percentile, ema_smoothing_ppm: R.ema_smoothing_ppm, percentile_buckets: R.percentile_buckets },
    last_updated: s.last_updated_ms,
    ready_streak_windows: s.carry.ready_streak_windows,
    blockers,
    segments: { domain_tier: seg((x) => x.tier), interest_tag: seg((x) => x.tag), presence_bucket: buckets },
    skipped: { presence: s.skipped_presence },
    params_source: PARAMS_SOURCE,
    settlement_count: s.settlement_count,
    total_usd_micros: s.settled_usd_micros.toString(),
    conversion_summary: conversionSummary(s, conv),
    utilization: utilizationView(s),
    ...(withPrivacy ? { privacy: privacyView(s, nowMs, P) } : {}),
  };
}

type Filter = { domain_tier?: string; interest_tag?: string; presence_bucket?: string };
export function parseFilters(xs: readonly string[]): Filter {
  const f: Filter = {};
  for (const x of xs) {
    const [k, v] = x.split('=');
    f[k as keyof Filter] = v;
  }
  return f;
}

/** The tightest of a selector's badge families: remaining ppm and impressions until exhausted. */
function selectorPrivacy(s: AdState, families: readonly string[], P: AdParams): Pick<SelectorView, 'privacy_families' | 'privacy_remaining_ppm' | 'privacy_exhausted_in_impressions' | 'privacy_utilization_ppm'> {
  let rem = 1_000_000;
  let until: number | null = null;
  for (const f of families) {
    const b = s.privacy.find((p) => p.family === f);
    if (!b) continue;
    rem = Math.min(rem, remainingPpm(b, P.privacy));
    const n = impressionsUntilExhausted(b, 1, P.privacy);
    if (n !== null && (until === null || n < until)) until = n;
  }
  return { privacy_families: [...families], privacy_remaining_ppm: rem, privacy_exhausted_in_impressions: until, privacy_utilization_ppm: 1_000_000 - rem };
}

/** Selectors sorted by id; slot_cap = free presence slots split evenly, remainder to the first ones (spec §1). */
export function selectorViews(s: AdState, nowMs: number, filters: readonly string[], P: AdParams): { ready_slots: number; selectors: SelectorView[] } {
  const f = parseFilters(filters);
  const readySlots = s.buckets.reduce((n, b) => n + (bucketProblem(b, nowMs, P.presence) ? 0 : Math.max(0, bucketSlots(b, P.presence) - reservedSlots(s, b.id))), 0);
  const all = s.selectors.map((x) => {
    const [tier, tag, bucket] = x.label.split('/');
    return { x, tier, tag: tag === '-' ? '' : tag, bucket: bucket === '-' ? '' : bucket };
  });
  const n = all.length;
  const views = all.map(({ x, tier, tag, bucket }, i): SelectorView => ({
    selector_id: x.selector, label: x.label, domain_tier: tier, interest_tag: tag, presence_bucket: bucket,
    clearing_price_usd_micros: x.clearing_price.toString(), top_bid_usd_micros: x.top_bid.toString(), last_paid_usd_micros: x.last_paid.toString(),
    shading_factor_bps: x.shading_bps, win_rate_ppm: winRatePpm(x), opportunities: x.opportunities, wins: x.wins,
    slot_cap: n === 0 ? 0 : Math.floor(readySlots / n) + (i < readySlots % n ? 1 : 0), max_pacing_ppm: 1_000_000,
    ...selectorPrivacy(s, x.families, P),
    conversions: x.conversions, conversion_value_usd_micros: x.conversion_value.toString(),
  }));
  return { ready_slots: readySlots, selectors: views.filter((v) => (!f.domain_tier || v.domain_tier === f.domain_tier) && (!f.interest_tag || v.interest_tag === f.interest_tag) && (!f.presence_bucket || v.presence_bucket === f.presence_bucket)) };
}

export function campaignView(c: Campaign): CampaignView {
  return {
    id: c.id, advertiser_account: c.advertiser, budget_usd_micros: c.budget.toString(), spent_usd_micros: c.spent.toString(), max_bid_usd_micros: c.max_bid.toString(), quality_ppm: c.quality_ppm, domain_tiers: c.domain_tiers, interest_tags: c.interest_tags, created_at_ms: c.created_ms,
    creatives: c.creatives.map((x) => ({ ...x })), conversions_enabled: c.token_hash !== '', wins: c.wins, conversions: c.conversions, conversion_value_usd_micros: c.conversion_value.toString(),
    effective_quality_ppm: effectiveQualityPpm(c), pacing_multiplier_ppm: appliedPacingPpm(c.pacing),
  };
}

export function campaignsMatching(s: AdState, filters: readonly string[]): CampaignView[] {
  const f = parseFilters(filters);
  return s.campaigns.filter((c) => (!f.domain_tier || c.domain_tiers.length === 0 || c.domain_tiers.includes(f.domain_tier)) && (!f.interest_tag || c.interest_tags.length === 0 || c.interest_tags.includes(f.interest_tag))).map(campaignView);
}

/** Utilisation per selector (spec §4 `utilization`): observed = win rate, target = the PI target. */
function utilizationView(s: AdState): ReadinessSnapshot['utilization'] {
  const target = Number(PRICE_DEFAULTS.target_utilization_ppm);
  const cohorts = s.selectors.map((x) => {
    const observed = winRatePpm(x);
    return { selector_id: x.selector, label: x.label, price_per_mib_usd_micros: x.clearing_price.toString(), target_utilization_ppm: target, observed_utilization_ppm: observed, delta_utilization_ppm: observed - target };
  });
  const obs = cohorts.map((c) => c.observed_utilization_ppm);
  return {
    cohort_count: cohorts.length, mean_ppm: obs.length === 0 ? 0 : Math.round(obs.reduce((a, b) => a + b, 0) / obs.length),
    min_ppm: obs.length === 0 ? 0 : Math.min(...obs), max_ppm: obs.length === 0 ? 0 : Math.max(...obs), last_updated: s.last_updated_ms, cohorts,
  };
}
