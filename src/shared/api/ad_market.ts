/**
 * Ad market API (issue 15; facts in spec/ad_market.md §4-§6): readiness with blockers, streak,
 * segments and privacy budgets; inventory (per-selector auction figures); campaigns; presence
 * cohorts; and the ADMIN (mutating: Bearer token when `TB_RPC_AUTH_TOKEN` is set) calls that
 * submit `ad_market.*` chain transactions signed by the node key. Amounts in µUSD (integers as
 * decimal strings where they may exceed 2^53), ratios in ppm, shading in bps, times in ms.
 */
import { z } from 'zod';
import { defineContract, defineMethod } from './define.js';
import { AD_MARKET_OPS_METHODS, ConversionSummary } from './ad_market_ops.js';

export const DOMAIN_TIER_NAMES = ['premium', 'reserved', 'community', 'unverified'] as const;
export const AD_BLOCKERS = ['insufficient_unique_viewers', 'insufficient_host_diversity', 'insufficient_provider_diversity'] as const;
export const PRIVACY_DECISION_NAMES = ['ok', 'k_anonymity_redacted', 'budget_exhausted', 'cooldown'] as const;

const Histogram = z.object({ under_1h_ppm: z.number(), hours_1_to_6_ppm: z.number(), hours_6_to_24_ppm: z.number(), over_24h_ppm: z.number() });
const Segment = z.object({ supply_ppm: z.number(), readiness_score: z.number(), cohort_count: z.number() });

export const PrivacyFamily = z.object({
  family: z.string(),
  remaining_ppm: z.number(),
  /** ε and δ spent (decimal strings of units 1e-12 and 1e-18). */
  epsilon_spent: z.string(),
  delta_spent: z.string(),
  utilization_ppm: z.number(),
  cooldown_remaining: z.number(),
  accepted: z.number(),
  cooling: z.number(),
  denied: z.number(),
  last_decision: z.enum(PRIVACY_DECISION_NAMES),
  /** Impressions (at population 1) until the budget is exhausted at the current spend; null = never at this rate. */
  impressions_until_exhausted: z.number().nullable(),
  /** The same at the current impression rate of the window, seconds; null = never / no traffic. */
  seconds_until_exhausted: z.number().nullable(),
});
export type PrivacyFamily = z.infer<typeof PrivacyFamily>;

export const PrivacySummary = z.object({
  remaining_ppm: z.number(),
  denied_count: z.number(),
  denials: z.object({ k_anonymity_redacted: z.number(), budget_exhausted: z.number(), cooldown: z.number() }),
  last_denial_reason: z.enum(['cooldown', 'budget_exhausted']).nullable(),
  families: z.array(PrivacyFamily),
});

export const BucketReadiness = z.object({
  bucket_id: z.string(),
  kind: z.string(),
  region: z.string(),
  confidence_bps: z.number(),
  radius_meters: z.number(),
  crowd_size: z.number(),
  minted_at_ms: z.number(),
  expires_at_ms: z.number(),
  stale: z.boolean(),
  ready_slots: z.number(),
  reserved_slots: z.number(),
  freshness_histogram: Histogram,
});
export type BucketReadiness = z.infer<typeof BucketReadiness>;

export const ReadinessSnapshot = z.object({
  status: z.literal('ok'),
  height: z.number(),
  ready: z.boolean(),
  window_secs: z.number(),
  unique_viewers: z.number(),
  host_count: z.number(),
  provider_count: z.number(),
  thresholds: z.object({ min_unique_viewers: z.number(), min_host_count: z.number(), min_provider_count: z.number() }),
  dynamic: z.object({ use_percentile_thresholds: z.boolean(), viewer_percentile: z.number(), host_percentile: z.number(), provider_percentile: z.number(), ema_smoothing_ppm: z.number(), percentile_buckets: z.number() }),
  last_updated: z.number(),
  ready_streak_windows: z.number(),
  blockers: z.array(z.enum(AD_BLOCKERS)),
  segments: z.object({ domain_tier: z.record(z.string(), Segment), interest_tag: z.record(z.string(), Segment), presence_bucket: z.record(z.string(), BucketReadiness) }),
  skipped: z.object({ presence: z.number() }),
  /** Where the thresholds come from (the treasury's governance params `ad_*`). */
  params_source: z.string(),
  /** Settled (won) impressions and their paid total, µUSD; conversions. */
  settlement_count: z.number(),
  total_usd_micros: z.string(),
  conversion_summary: ConversionSummary,
  /** Per-selector utilisation (won share of opportunities) against the PI target, ppm; price = clearing price, µUSD. */
  utilization: z.object({
    cohort_count: z.number(),
    mean_ppm: z.number(),
    min_ppm: z.number(),
    max_ppm: z.number(),
    last_updated: z.number(),
    cohorts: z.array(z.object({ selector_id: z.string(), label: z.string(), price_per_mib_usd_micros: z.string(), target_utilization_ppm: z.number(), observed_utilization_ppm: z.number(), delta_utilization_ppm: z.number() })),
  }),
  privacy: PrivacySummary.optional(),
});
export type ReadinessSnapshot = z.infer<typeof ReadinessSnapshot>;

export const SelectorView = z.object({
  selector_id: z.string(),
  label: z.string(),
  domain_tier: z.string(),
  interest_tag: z.string(),
  presence_bucket: z.string(),
  clearing_price_usd_micros: z.string(),
  top_bid_usd_micros: z.string(),
  last_paid_usd_micros: z.string(),
  shading_factor_bps: z.number(),
  win_rate_ppm: z.number(),
  opportunities: z.number(),
  wins: z.number(),
  slot_cap: z.number(),
  max_pacing_ppm: z.number(),
  /** Badge families its impressions spend and the tightest one's remaining budget / forecast (null = never at this rate). */
  privacy_families: z.array(z.string()),
  privacy_remaining_ppm: z.number(),
  privacy_exhausted_in_impressions: z.number().nullable(),
  /** Spent share of the tightest family's budget, ppm (the `ad_privacy_budget_utilization_ratio` gauge ×1e6). */
  privacy_utilization_ppm: z.number(),
  /** Conversions attributed to the selector and their value, µUSD. */
  conversions: z.number(),
  conversion_value_usd_micros: z.string(),
});
export type SelectorView = z.infer<typeof SelectorView>;

export const CampaignView = z.object({
  id: z.string(),
  advertiser_account: z.string(),
  budget_usd_micros: z.string(),
  spent_usd_micros: z.string(),
  max_bid_usd_micros: z.string(),
  quality_ppm: z.number(),
  domain_tiers: z.array(z.string()),
  interest_tags: z.array(z.string()),
  created_at_ms: z.number(),
  creatives: z.array(z.object({ id: z.string(), action_rate_ppm: z.number() })),
  /** Whether conversions can be recorded (a conversion token hash was registered). */
  conversions_enabled: z.boolean(),
  wins: z.number(),
  conversions: z.number(),
  conversion_value_usd_micros: z.string(),
  /** Bid quality in force (declared × conversion response), ppm. */
  effective_quality_ppm: z.number(),
  /** Budget broker factor applied to bids: min(1, kappa/(1+shadow price)), ppm. */
  pacing_multiplier_ppm: z.number(),
});
export type CampaignView = z.infer<typeof CampaignView>;

/** `key=value` selector filters: domain_tier, interest_tag, presence_bucket. */
const SelectorFilter = z.array(z.string().regex(/^(domain_tier|interest_tag|presence_bucket)=[A-Za-z0-9_.:-]{1,64}$/, 'selector filter is key=value with key domain_tier, interest_tag or presence_bucket')).max(8);
const Submitted = z.object({ status: z.literal('pending'), tx_hash: z.string() });
const CHAIN_REASONS = ['not_validator', 'campaign_exists', 'unknown_campaign', 'invalid_presence_bucket', 'insufficient_slots', 'insufficient_privacy_budget', 'too_many_campaigns', 'too_many_buckets', 'malformed_tx'] as const;
export { ConversionSummary };

export const adReadiness = defineMethod({
  name: 'ad_market.readiness',
  summary: 'Ad readiness at the head: distinct viewers/hosts/providers in the window, thresholds, blockers, streak, segments; with_privacy adds the budgets.',
  params: z.object({ with_privacy: z.boolean().default(false) }),
  order: ['with_privacy'],
  result: ReadinessSnapshot,
  mutating: false,
});

export const adInventory = defineMethod({
  name: 'ad_market.inventory',
  summary: 'Per-selector inventory and auction figures (clearing price, top bid, win rate, shading, slot cap), filtered by selector=key=value.',
  params: z.object({ selector: SelectorFilter.default([]) }),
  order: ['selector'],
  result: z.object({ status: z.literal('ok'), height: z.number(), ready_slots: z.number(), selectors: z.array(SelectorView) }),
  mutating: false,
});

export const adListCampaigns = defineMethod({
  name: 'ad_market.list_campaigns',
  summary: 'Registered campaigns (budget, spend, targeting), filtered by selector=key=value (a campaign with no targeting on a key matches every value).',
  params: z.object({ selector: SelectorFilter.default([]) }),
  order: ['selector'],
  result: z.object({ status: z.literal('ok'), campaigns: z.array(CampaignView) }),
  mutating: false,
});

/** A presence cohort (spec §6): the bucket, its privacy guardrail and its selectors' bid specs (empty unless the guardrail is ok). */
export const PresenceCohort = BucketReadiness.extend({
  privacy_guardrail: z.enum(PRIVACY_DECISION_NAMES),
  selector_prices: z.array(z.object({ selector_id: z.string(), label: z.string(), clearing_price_usd_micros: z.string(), shading_factor_bps: z.number(), slot_cap: z.number(), max_pacing_ppm: z.number() })),
});
export type PresenceCohort = z.infer<typeof PresenceCohort>;

export const adListPresence = defineMethod({
  name: 'ad_market.list_presence_cohorts',
  summary: 'Presence buckets with confidence, radius, TTL, ready slots, freshness, privacy guardrail and selector prices; filters region, domain_tier, interest_tag, beacon_id (part of the bucket id), kind, min_confidence_bps, include_expired, limit.',
  params: z.object({
    region: z.string().max(64).optional(),
    domain_tier: z.enum(DOMAIN_TIER_NAMES).optional(),
    interest_tag: z.string().max(64).optional(),
    beacon_id: z.string().max(64).optional(),
    kind: z.enum(['localnet', 'range_boost', 'unknown']).optional(),
    min_confidence_bps: z.number().int().min(0).max(10_000).optional(),
    include_expired: z.boolean().default(false),
    limit: z.number().int().min(1).max(1000).default(100),
  }),
  order: ['region', 'domain_tier', 'min_confidence_bps', 'interest_tag', 'beacon_id', 'kind', 'include_expired', 'limit'],
  result: z.object({
    status: z.literal('ok'),
    cohorts: z.array(PresenceCohort),
    /** remaining_ppm is 0 while any reservation holds (reference); denied_ppm = max share of denied+cooling decisions over families. */
    privacy_budget: z.object({ remaining_ppm: z.number(), denied_ppm: z.number(), cooldown_remaining: z.number(), denied_count: z.number() }),
  }),
  mutating: false,
});

export const CampaignInput = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/),
  advertiser_account: z.string().min(1).max(64),
  budget_usd_micros: z.union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]{0,18}$/)]),
  max_bid_usd_micros: z.union([z.number().int().positive(), z.string().regex(/^[1-9][0-9]{0,18}$/)]),
  quality_ppm: z.number().int().min(0).max(2_500_000).default(1_000_000),
  targeting: z.object({ domain_tiers: z.array(z.enum(DOMAIN_TIER_NAMES)).max(4).default([]), interest_tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/)).max(32).default([]) }).default({ domain_tiers: [], interest_tags: [] }),
  /** Creatives (conversions name one); action_rate_ppm = declared share of impressions that convert (default 10 000 = 1 %). */
  creatives: z.array(z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/), action_rate_ppm: z.number().int().min(1).max(1_000_000).default(10_000) })).max(16).default([]),
  /** Hex BLAKE3 of the advertiser's conversion token (`contract-cli ad-market token-hash`); without it conversions answer −32032. */
  conversion_token_hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (BLAKE3 of the token)').optional(),
});
export type CampaignInput = z.input<typeof CampaignInput>;

export const adRegisterCampaign = defineMethod({
  name: 'ad_market.register_campaign',
  summary: 'ADMIN: register a campaign (submits ad_market.register signed by the node key); returns the tx hash.',
  params: z.object({ campaign: CampaignInput }),
  order: ['campaign'],
  result: Submitted,
  mutating: true,
  reasons: CHAIN_REASONS,
});

export const adReservePresence = defineMethod({
  name: 'ad_market.reserve_presence',
  summary: 'ADMIN: reserve slots of a fresh presence bucket for a campaign; −32034 for a stale bucket, confidence under ad_min_confidence_bps or crowd under ad_presence_min_crowd_size; −32037 when a badge family it spends is cooling or exhausted.',
  params: z.object({ campaign_id: z.string().min(1).max(64), presence_bucket_id: z.string().min(1).max(64), slot_count: z.number().int().min(1).max(10_000) }),
  order: ['campaign_id', 'presence_bucket_id', 'slot_count'],
  result: Submitted,
  mutating: true,
  reasons: CHAIN_REASONS,
});

export const AckInput = z.object({
  viewer: z.string().min(1).max(64),
  host: z.string().min(1).max(64),
  provider: z.string().max(64).default(''),
  domain_tier: z.enum(DOMAIN_TIER_NAMES).default('unverified'),
  interest_tag: z.string().max(64).default(''),
  presence_bucket: z.string().max(64).default(''),
  badges: z.array(z.string().min(1).max(64)).max(8).default([]),
  population: z.number().int().min(1).max(1_000_000_000).default(1),
});

export const adRecordAcks = defineMethod({
  name: 'ad_market.record_acks',
  summary: 'ADMIN: record acknowledged impressions (readiness events; each runs the privacy check and its selector auction), ≤ 256 per call.',
  params: z.object({ acks: z.array(AckInput).min(1).max(256) }),
  order: ['acks'],
  result: Submitted,
  mutating: true,
  reasons: CHAIN_REASONS,
});

export const adMintPresence = defineMethod({
  name: 'ad_market.mint_presence',
  summary: 'ADMIN: record a presence receipt for a bucket (radius clamped to 10 m..governance ad_presence_radius_max_m, TTL to 60 s..ad_presence_ttl_max_secs; minted at the block time).',
  params: z.object({
    bucket_id: z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/),
    kind: z.enum(['localnet', 'range_boost', 'unknown']).default('localnet'),
    region: z.string().max(64).default(''),
    radius_meters: z.number().int().min(0).max(1_000_000).default(500),
    confidence_bps: z.number().int().min(0).max(10_000),
    ttl_secs: z.number().int().min(0).max(10_000_000).default(86_400),
    crowd_size: z.number().int().min(0).max(1_000_000_000),
  }),
  order: ['bucket_id'],
  result: Submitted,
  mutating: true,
  reasons: CHAIN_REASONS,
});

export const AD_MARKET_METHODS = [adReadiness, adInventory, adListCampaigns, adListPresence, adRegisterCampaign, adReservePresence, adRecordAcks, adMintPresence, ...AD_MARKET_OPS_METHODS] as const;

/** Topic `adMarket.readinessChanged`: readiness or its blockers changed at a block. */
export const ReadinessChanged = z.object({ height: z.number(), ready: z.boolean(), blockers: z.array(z.enum(AD_BLOCKERS)), ready_streak_windows: z.number() });
export const AdMarketTopics = { 'adMarket.readinessChanged': ReadinessChanged } as const;

/** The ad market's contract slice (the contract's module list, modules.ts). */
export const AD_MARKET_CONTRACT = defineContract({ id: 'ad_market', methods: AD_MARKET_METHODS, topics: AdMarketTopics, dashboard: 'tb-ad-market' });
