/**
 * The ad market as a node module: its chain module (always on — every node folds the same
 * market state), the `ad_market.*` methods, metrics, the governor's two ad-targeting gate
 * sources, the `adMarket.readinessChanged` topic and the dashboard panels.
 */
import { AD_MARKET_METHODS, type ReadinessSnapshot } from '../../shared/api/ad_market.js';
import type { GateVerdict } from '../../shared/api/governor.js';
import { defineModule } from '../modules/index.js';
import { ackKind, adMarketChain, adMarketState, presenceKind, registerKind, reserveKind } from './chain-module.js';
import { adMetrics, refreshMetrics, type AdMetrics, type Seen } from './metrics.js';
import { adMarketMonitoring } from './monitoring.js';
import { campaignsMatching, readinessSnapshot, selectorViews } from './views.js';

/** Privacy floor of the gates (governor.md §3.5): remaining budget must exceed 50 000 ppm. */
export const PRIVACY_GATE_PPM = 50_000;

export function contextualVerdict(s: ReadinessSnapshot): GateVerdict {
  const p = s.privacy?.remaining_ppm ?? 1_000_000;
  const segs = [...Object.values(s.segments.domain_tier), ...Object.values(s.segments.interest_tag)];
  const best = segs.reduce((m, x) => (x.cohort_count > 0 && x.readiness_score > m ? x.readiness_score : m), 0);
  const ok = s.ready && best >= 60 && p > PRIVACY_GATE_PPM;
  const reason = ok ? `ready; best segment score ${best}; privacy ${p} ppm` : `not ready: ${[...s.blockers, ...(best < 60 ? [`best segment score ${best} < 60`] : []), ...(p <= PRIVACY_GATE_PPM ? [`privacy ${p} ppm ≤ ${PRIVACY_GATE_PPM}`] : [])].join(', ')}`;
  return { signal: 'ok', enterOk: ok, stayOk: ok, reason, metrics: { contextual_ready: s.ready, privacy_ready: p > PRIVACY_GATE_PPM, ready_streak_windows: s.ready_streak_windows, best_segment_score: best } };
}

export function presenceVerdict(s: ReadinessSnapshot): GateVerdict {
  const p = s.privacy?.remaining_ppm ?? 1_000_000;
  const buckets = Object.values(s.segments.presence_bucket);
  const slots = buckets.reduce((n, b) => n + b.ready_slots, 0);
  const ok = s.ready && slots > 0 && p > PRIVACY_GATE_PPM;
  return {
    signal: 'ok', enterOk: ok, stayOk: ok,
    reason: ok ? `ready; ${slots} presence slot(s) in ${buckets.length} bucket(s)` : `not ready: ${[...s.blockers, ...(slots === 0 ? ['no ready presence slots'] : []), ...(p <= PRIVACY_GATE_PPM ? [`privacy ${p} ppm`] : [])].join(', ')}`,
    metrics: { presence_ready: ok, presence_ready_slots: slots, presence_bucket_count: buckets.length },
  };
}

export const AD_MARKET = defineModule<typeof AD_MARKET_METHODS, AdMetrics>({
  id: 'ad_market',
  label: 'Ad market',
  chain: adMarketChain,
  methods: AD_MARKET_METHODS,
  metrics: adMetrics,
  monitoring: adMarketMonitoring,
  async start(ctx) {
    const state = () => ctx.chain.moduleState(adMarketState);
    const snap = (withPrivacy: boolean) => {
      const t = ctx.chain.tip();
      return readinessSnapshot(state(), t.height, t.timestamp_ms, withPrivacy);
    };
    const seen: Seen = { skipped: 0, denials: {}, conversions: new Map() };
    let last = '';
    const refresh = () => {
      const s = snap(true);
      refreshMetrics(ctx.metrics, state(), s, seen);
      const key = JSON.stringify([s.ready, s.blockers]);
      if (last !== '' && key !== last) ctx.events.emit('adMarket.readinessChanged', { height: s.height, ready: s.ready, blockers: s.blockers, ready_streak_windows: s.ready_streak_windows });
      last = key;
    };
    refresh();
    const off = ctx.events.on('newHeads', refresh);
    const tipMs = () => ctx.chain.tip().timestamp_ms;
    return {
      handlers: {
        'ad_market.readiness': (p) => snap(p.with_privacy),
        'ad_market.inventory': (p) => ({ status: 'ok' as const, height: ctx.chain.tip().height, ...selectorViews(state(), tipMs(), p.selector) }),
        'ad_market.list_campaigns': (p) => ({ status: 'ok' as const, campaigns: campaignsMatching(state(), p.selector) }),
        'ad_market.list_presence_cohorts': (p) => {
          const s = snap(true);
          const cohorts = Object.values(s.segments.presence_bucket)
            .filter((b) => (p.include_expired || !b.stale) && (p.region === undefined || b.region === p.region) && (p.kind === undefined || b.kind === p.kind) && (p.min_confidence_bps === undefined || b.confidence_bps >= p.min_confidence_bps))
            .slice(0, p.limit);
          const reserved = state().reservations.length > 0;
          return { status: 'ok' as const, cohorts, privacy_budget: { remaining_ppm: reserved ? 0 : s.privacy!.remaining_ppm, denied_count: s.privacy!.denied_count } };
        },
        'ad_market.register_campaign': (p) => {
          const c = p.campaign;
          const hash = ctx.chain.submitCall(registerKind, { id: c.id, advertiser: c.advertiser_account, budget: BigInt(c.budget_usd_micros), max_bid: BigInt(c.max_bid_usd_micros), quality_ppm: c.quality_ppm, domain_tiers: c.targeting.domain_tiers, interest_tags: c.targeting.interest_tags });
          return { status: 'pending' as const, tx_hash: hash };
        },
        'ad_market.reserve_presence': (p) => ({ status: 'pending' as const, tx_hash: ctx.chain.submitCall(reserveKind, { campaign_id: p.campaign_id, bucket_id: p.presence_bucket_id, slots: p.slot_count }) }),
        'ad_market.record_acks': (p) => ({
          status: 'pending' as const,
          tx_hash: ctx.chain.submitCall(ackKind, { acks: p.acks.map((a) => ({ viewer: a.viewer, host: a.host, provider: a.provider, domain_tier: a.domain_tier, interest_tag: a.interest_tag, bucket: a.presence_bucket, badges: a.badges, population: a.population })) }),
        }),
        'ad_market.mint_presence': (p) => ({
          status: 'pending' as const,
          tx_hash: ctx.chain.submitCall(presenceKind, { bucket_id: p.bucket_id, kind: p.kind, region: p.region, radius_m: p.radius_meters, confidence_bps: p.confidence_bps, ttl_secs: p.ttl_secs, crowd: p.crowd_size }),
        }),
      },
      sources: {
        ad_targeting_contextual: () => contextualVerdict(snap(true)),
        ad_targeting_presence: () => presenceVerdict(snap(true)),
      },
      close: () => off(),
    };
  },
});
