/**
 * The ad market as a node module: its chain module (always on — every node folds the same
 * market state), the `ad_market.*` methods, metrics, the governor's two ad-targeting gate
 * sources, the `adMarket.readinessChanged` topic, the signed policy snapshot of each epoch
 * (`<data>/ad_policy/`) and the dashboard panels. Knobs are the treasury's governance params.
 */
import { AD_MARKET_METHODS, type ReadinessSnapshot } from '../../shared/api/ad_market.js';
import { INVALID_ROLE_CODE, PAYOUT_ROLE_NAMES } from '../../shared/api/ad_market_ops.js';
import { RpcError } from '../../shared/api/errors.js';
import type { GateVerdict } from '../../shared/api/governor.js';
import { EPOCH_BLOCKS } from '../chain/block.js';
import { blake3, toHex } from '../crypto/hash.js';
import { onHeadsSettled } from '../events.js';
import { defineModule } from '../modules/index.js';
import { AD_MARKET_META } from './meta.js';
import { treasuryState } from '../treasury/index.js';
import { adMarketChain, adMarketState, conversionProblem } from './chain-module.js';
import { ackKind, claimRouteKind, convertKind, presenceKind, registerKind, reserveKind } from './kinds.js';
import type { AdMarketConfig } from './config.js';
import { adMetrics, refreshMetrics, type AdMetrics, type Seen } from './metrics.js';
import { adMarketMonitoring } from './monitoring.js';
import { brokerView, checkAdvertiser, ConversionRefusal, distributionView, parseAdvertiserAuth, policyBody } from './ops.js';
import { adParams } from './params.js';
import { listEpochs, readPolicy, writePolicy } from './policy.js';
import { presenceCohorts } from './presence-view.js';
import { campaignsMatching, conversionSummary, newConversionStats, readinessSnapshot, selectorViews } from './views.js';

const RESERVE_CODES: Record<string, number> = { invalid_presence_bucket: -32034, insufficient_privacy_budget: -32037 };

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

export const AD_MARKET = defineModule<typeof AD_MARKET_METHODS, AdMetrics, AdMarketConfig>({
  ...AD_MARKET_META,
  chain: adMarketChain,
  methods: AD_MARKET_METHODS,
  metrics: adMetrics,
  monitoring: adMarketMonitoring,
  async start(ctx) {
    const state = () => ctx.chain.moduleState(adMarketState);
    const params = () => adParams(ctx.chain.moduleState(treasuryState));
    const conv = newConversionStats();
    const snap = (withPrivacy: boolean) => {
      const t = ctx.chain.tip();
      return readinessSnapshot(state(), t.height, t.timestamp_ms, withPrivacy, params(), conv);
    };
    const keys = ctx.nodeKey;
    let writing = Promise.resolve();
    const snapshotEpoch = (height: number, timestampMs: number) => {
      if (height % EPOCH_BLOCKS !== 0) return;
      const epoch = height / EPOCH_BLOCKS;
      const body = policyBody(state(), epoch, height, timestampMs, params());
      writing = writing
        .then(() => writePolicy(ctx.root, epoch, body, keys, ctx.config.ad_policy_snapshot_keep))
        .then((file) => ctx.logger.debug({ epoch, file }, 'ad policy snapshot written'))
        .catch((err: unknown) => ctx.logger.error({ err, epoch }, 'ad policy snapshot not written'));
    };
    const seen: Seen = { skipped: 0, denials: {}, conversions: new Map() };
    let last = '';
    const refresh = () => {
      const s = snap(true);
      refreshMetrics(ctx.metrics, state(), s, seen, selectorViews(state(), ctx.chain.tip().timestamp_ms, [], params()).selectors);
      const key = JSON.stringify([s.ready, s.blockers]);
      if (last !== '' && key !== last) ctx.events.emit('adMarket.readinessChanged', { height: s.height, ready: s.ready, blockers: s.blockers, ready_streak_windows: s.ready_streak_windows });
      last = key;
    };
    refresh();
    const tip0 = ctx.chain.tip();
    if (tip0.height % EPOCH_BLOCKS === 0 && !(await listEpochs(ctx.root)).includes(tip0.height / EPOCH_BLOCKS)) snapshotEpoch(tip0.height, tip0.timestamp_ms);
    // The policy snapshot needs every epoch's first block; the refresh reads only the tip, so it runs once per run of heads (events.ts).
    const offEpochs = ctx.events.on('newHeads', (h) => snapshotEpoch(h.height, h.timestamp_ms));
    const offRefresh = onHeadsSettled(ctx.events, refresh);
    const tipMs = () => ctx.chain.tip().timestamp_ms;
    const refuseConversion = (r: ConversionRefusal): never => {
      conv.rejected[r.code] = (conv.rejected[r.code] ?? 0) + 1;
      conv.last_error = { code: r.code, occurred_at_ms: Date.now() };
      ctx.metrics.conversionTotal.inc({ result: 'rejected', reason: r.code });
      throw r.error;
    };
    return {
      handlers: {
        'ad_market.readiness': (p) => snap(p.with_privacy),
        'ad_market.inventory': (p) => ({ status: 'ok' as const, height: ctx.chain.tip().height, ...selectorViews(state(), tipMs(), p.selector, params()) }),
        'ad_market.list_campaigns': (p) => ({ status: 'ok' as const, campaigns: campaignsMatching(state(), p.selector) }),
        'ad_market.list_presence_cohorts': (p) => presenceCohorts(state(), snap(true), p, params()),
        'ad_market.register_campaign': (p) => {
          const c = p.campaign;
          const hash = ctx.chain.submitCall(registerKind, {
            id: c.id, advertiser: c.advertiser_account, budget: BigInt(c.budget_usd_micros), max_bid: BigInt(c.max_bid_usd_micros), quality_ppm: c.quality_ppm, domain_tiers: c.targeting.domain_tiers, interest_tags: c.targeting.interest_tags,
            creatives: c.creatives.map((x) => ({ id: x.id, action_rate_ppm: x.action_rate_ppm })), token_hash: c.conversion_token_hash ?? '',
          });
          return { status: 'pending' as const, tx_hash: hash };
        },
        'ad_market.reserve_presence': (p) => {
          try {
            return { status: 'pending' as const, tx_hash: ctx.chain.submitCall(reserveKind, { campaign_id: p.campaign_id, bucket_id: p.presence_bucket_id, slots: p.slot_count }) };
          } catch (e) {
            // Reference codes: −32034 invalid or stale bucket, −32037 insufficient privacy budget (reason kept in data).
            const code = e instanceof RpcError ? RESERVE_CODES[String(e.data?.reason)] : undefined;
            throw code !== undefined && e instanceof RpcError ? new RpcError(code, e.message, e.data) : e;
          }
        },
        'ad_market.record_acks': (p) => ({
          status: 'pending' as const,
          tx_hash: ctx.chain.submitCall(ackKind, { acks: p.acks.map((a) => ({ viewer: a.viewer, host: a.host, provider: a.provider, domain_tier: a.domain_tier, interest_tag: a.interest_tag, bucket: a.presence_bucket, badges: a.badges, population: a.population })) }),
        }),
        'ad_market.mint_presence': (p) => ({
          status: 'pending' as const,
          tx_hash: ctx.chain.submitCall(presenceKind, { bucket_id: p.bucket_id, kind: p.kind, region: p.region, radius_m: p.radius_meters, confidence_bps: p.confidence_bps, ttl_secs: p.ttl_secs, crowd: p.crowd_size }),
        }),
        'ad_market.record_conversion': (p, call) => {
          const s = state();
          try {
            const auth = parseAdvertiserAuth(call.headers?.authorization);
            checkAdvertiser(auth, p.advertiser_account, s.campaigns.find((x) => x.id === p.campaign_id));
            const problem = conversionProblem(s, p.campaign_id, p.creative_id);
            if (problem) throw new ConversionRefusal(problem.reason as 'unknown_campaign', RpcError.app(problem.reason, problem.message));
          } catch (e) {
            if (e instanceof ConversionRefusal) refuseConversion(e);
            throw e;
          }
          const occurred = p.occurred_at_micros === undefined ? tipMs() : Math.floor(p.occurred_at_micros / 1000);
          const tx_hash = ctx.chain.submitCall(convertKind, { campaign_id: p.campaign_id, creative_id: p.creative_id, value: BigInt(p.value_usd_micros), occurred_at_ms: occurred });
          conv.authenticated += 1;
          ctx.metrics.conversionTotal.inc({ result: 'accepted', reason: 'ok' });
          return { status: 'pending' as const, tx_hash, selector_id: s.campaigns.find((x) => x.id === p.campaign_id)!.last_selector, conversion_summary: conversionSummary(s, conv) };
        },
        'ad_market.register_claim_route': (p) => {
          if (!(PAYOUT_ROLE_NAMES as readonly string[]).includes(p.role))
            throw new RpcError(INVALID_ROLE_CODE, 'invalid payout role', { reason: 'invalid_payout_role', issues: [{ path: ['role'], message: `must be one of ${PAYOUT_ROLE_NAMES.join(', ')}` }] });
          return { status: 'pending' as const, tx_hash: ctx.chain.submitCall(claimRouteKind, { domain: p.domain, role: p.role, address: p.address }) };
        },
        'ad_market.claim_routes': (p) => ({ status: 'ok' as const, domain: p.domain, claim_routes: Object.fromEntries(state().claim_routes.filter((r) => r.domain === p.domain).map((r) => [r.role, r.address])) }),
        'ad_market.distribution': () => distributionView(state()),
        'ad_market.budget': () => brokerView(state(), ctx.chain.tip().height, tipMs(), params(), conv),
        'ad_market.broker_state': () => brokerView(state(), ctx.chain.tip().height, tipMs(), params(), conv),
        'ad_market.policy_snapshot': async (p) => {
          await writing;
          const snapshot = await readPolicy(ctx.root, p.epoch);
          return snapshot ? { status: 'ok' as const, snapshot } : { status: 'not_found' as const, epoch: p.epoch };
        },
        'ad_market.policy_snapshots': async (p) => {
          await writing;
          const end = p.end_epoch ?? Math.floor(ctx.chain.tip().height / EPOCH_BLOCKS);
          if (end < p.start_epoch) throw RpcError.invalidParams([{ path: ['end_epoch'], message: `end_epoch ${end} is before start_epoch ${p.start_epoch}` }]);
          if (end - p.start_epoch >= 1000) throw RpcError.invalidParams([{ path: ['end_epoch'], message: 'at most 1000 epochs per call' }]);
          const have = new Set(await listEpochs(ctx.root));
          const snapshots = [];
          for (let e = p.start_epoch; e <= end; e++) if (have.has(e)) snapshots.push((await readPolicy(ctx.root, e))!);
          return { status: 'ok' as const, start_epoch: p.start_epoch, end_epoch: end, snapshots: snapshots.filter((x) => x !== null) };
        },
      },
      sources: {
        ad_targeting_contextual: () => contextualVerdict(snap(true)),
        ad_targeting_presence: () => presenceVerdict(snap(true)),
      },
      close: async () => {
        offEpochs();
        offRefresh();
        await writing;
      },
    };
  },
});

/** Hex BLAKE3 of an advertiser's conversion token (what `conversion_token_hash` holds). */
export const conversionTokenHash = (token: string) => toHex(blake3(new TextEncoder().encode(token)));
