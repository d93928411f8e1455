/**
 * Ad market API, second half (spec/ad_market.md §5-§6): conversions (PUBLIC, authenticated by the
 * advertiser's own `Authorization: Advertiser <account>:<token>` header, not the admin token),
 * claim routes, the budget broker, the distribution policy and the signed policy snapshots.
 * Amounts in µUSD (decimal strings where they may exceed 2^53), ratios in ppm.
 *
 * Conversion errors (reference codes): −32030 advertiser authorization required (header missing
 * or not `Advertiser <account>:<token>`), −32031 advertiser mismatch (header account ≠
 * `advertiser_account`, or not the campaign's advertiser), −32032 conversion token missing (the
 * campaign registered no `conversion_token_hash`), −32033 invalid advertiser token; unknown
 * campaign / creative answer −32000 with `data.reason` `unknown_campaign` / `unknown_creative`
 * (the reference's −32001/−32002 are this API's rate-limit codes).
 */
import { z } from 'zod';
import { defineMethod } from './define.js';

export const PAYOUT_ROLE_NAMES = ['publisher', 'host', 'hardware', 'verifier', 'liquidity', 'viewer'] as const;
export const CONVERSION_ERROR = { auth_required: -32030, advertiser_mismatch: -32031, token_missing: -32032, token_invalid: -32033 } as const;
/** −32040 "invalid payout role" (reference code; `data.issues` names the field). */
export const INVALID_ROLE_CODE = -32040;

const Submitted = z.object({ status: z.literal('pending'), tx_hash: z.string() });
const REASONS = ['not_validator', 'unknown_campaign', 'unknown_creative', 'unattributed_conversion', 'too_many_claim_routes', 'malformed_tx'] as const;
const Id = z.string().regex(/^[a-z0-9][a-z0-9_.:-]{0,63}$/);

export const ConversionSummary = z.object({
  authenticated_total: z.number(),
  rejected_total: z.number(),
  /** Rejections since the node started, by reason (auth_required, advertiser_mismatch, token_missing, token_invalid, unknown_campaign, …). */
  error_counts: z.record(z.string(), z.number()),
  last_error: z.object({ code: z.string(), occurred_at_ms: z.number() }).nullable(),
  /** On-chain totals: conversions and their value, µUSD. */
  conversions: z.number(),
  value_usd_micros: z.string(),
});
export type ConversionSummary = z.infer<typeof ConversionSummary>;

export const adRecordConversion = defineMethod({
  name: 'ad_market.record_conversion',
  summary: 'PUBLIC with advertiser auth (Authorization: Advertiser <account>:<token>): record a conversion of a campaign creative; attributed to the selector of the campaign\'s last won impression.',
  params: z.object({ campaign_id: Id, creative_id: Id, advertiser_account: z.string().min(1).max(64), value_usd_micros: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0), occurred_at_micros: z.number().int().min(0).optional() }),
  order: ['campaign_id', 'creative_id', 'advertiser_account', 'value_usd_micros', 'occurred_at_micros'],
  result: z.object({ status: z.literal('pending'), tx_hash: z.string(), selector_id: z.string(), conversion_summary: ConversionSummary }),
  mutating: false,
  reasons: REASONS,
});

export const adRegisterClaimRoute = defineMethod({
  name: 'ad_market.register_claim_route',
  summary: 'ADMIN: route the payouts of a domain role (publisher, host, hardware, verifier, liquidity, viewer) to an address (submits ad_market.claim_route); −32040 for another role.',
  params: z.object({ domain: z.string().min(1).max(253), role: z.string().min(1).max(16), address: z.string().regex(/^tb1[0-9a-f]{40}$/, 'must be an address like tb1 followed by 40 hex digits') }),
  order: ['domain', 'role', 'address'],
  result: Submitted,
  mutating: true,
  reasons: REASONS,
});

export const adClaimRoutes = defineMethod({
  name: 'ad_market.claim_routes',
  summary: 'Payout claim routes {role: address} of a domain (cohort fields are accepted and echoed; routes are per domain).',
  params: z.object({ domain: z.string().min(1).max(253), provider: z.string().max(64).optional(), domain_tier: z.enum(['premium', 'reserved', 'community', 'unverified']).optional(), presence_bucket_id: z.string().max(64).optional(), interest_tags: z.array(z.string().max(64)).max(32).optional() }),
  order: ['domain', 'provider', 'domain_tier', 'presence_bucket_id', 'interest_tags'],
  result: z.object({ status: z.literal('ok'), domain: z.string(), claim_routes: z.record(z.string(), z.string()) }),
  mutating: false,
});

export const Distribution = z.object({ viewer_percent: z.number(), host_percent: z.number(), hardware_percent: z.number(), verifier_percent: z.number(), liquidity_percent: z.number() });

export const adDistribution = defineMethod({
  name: 'ad_market.distribution',
  summary: 'Distribution policy (percent of each settled impression per payout role) and what settled so far (µUSD per role; no value moves while the market rehearses).',
  params: z.object({}),
  order: [],
  result: z.object({ status: z.literal('ok'), distribution: Distribution, settlement_count: z.number(), total_usd_micros: z.string(), by_role_usd_micros: z.record(z.string(), z.string()) }),
  mutating: false,
});

export const BrokerCampaign = z.object({
  campaign_id: z.string(),
  total_budget: z.string(),
  remaining_budget: z.string(),
  epoch_target: z.string(),
  epoch_spend: z.string(),
  epoch_impressions: z.number(),
  /** Shadow (dual) price, kappa, the pacing factor kappa/(1+dual), the factor applied to bids (capped at 1) and the smoothed spend error, ppm. */
  dual_price_ppm: z.number(),
  kappa_ppm: z.number(),
  shading_multiplier_ppm: z.number(),
  applied_multiplier_ppm: z.number(),
  smoothed_error_ppm: z.number(),
  /** Spent share of the budget, ppm. */
  progress_ppm: z.number(),
});
export type BrokerCampaign = z.infer<typeof BrokerCampaign>;

export const BrokerSnapshot = z.object({
  status: z.literal('ok'),
  height: z.number(),
  generated_at_ms: z.number(),
  config: z.object({ epoch_impressions: z.number(), step_size_ppm: z.number(), dual_step_ppm: z.number(), dual_forgetting_ppm: z.number(), max_kappa_ppm: z.number(), min_kappa_ppm: z.number(), shadow_price_cap_ppm: z.number(), smoothing_ppm: z.number(), epochs_per_budget: z.number() }),
  campaigns: z.array(BrokerCampaign),
  summary: z.object({ campaign_count: z.number(), mean_kappa_ppm: z.number(), min_kappa_ppm: z.number(), max_kappa_ppm: z.number(), dual_price_max_ppm: z.number(), epoch_target_total: z.string(), epoch_spend_total: z.string() }),
  conversion_summary: ConversionSummary,
});
export type BrokerSnapshot = z.infer<typeof BrokerSnapshot>;

export const adBudget = defineMethod({ name: 'ad_market.budget', summary: 'Budget broker: per-campaign pacing (epoch target and spend, shadow price, kappa, bid multiplier) and conversions.', params: z.object({}), order: [], result: BrokerSnapshot, mutating: false });
export const adBrokerState = defineMethod({ name: 'ad_market.broker_state', summary: 'Budget broker state (the same view as ad_market.budget, as the reference serves it).', params: z.object({}), order: [], result: BrokerSnapshot, mutating: false });

export const PolicySnapshot = z.object({
  epoch: z.number(),
  /** Body as written (RFC 8785 canonical JSON of `{epoch, height, generated_at_ms, distribution, params, selectors, privacy, broker, schema_version}`). */
  body: z.record(z.string(), z.unknown()),
  path: z.string(),
  payload_hash_hex: z.string(),
  attestation: z.object({ payload_hash_hex: z.string(), pubkey_hex: z.string(), signature_hex: z.string() }).nullable(),
  signature: z.enum(['valid', 'invalid', 'unsigned']),
});
export type PolicySnapshot = z.infer<typeof PolicySnapshot>;

export const adPolicySnapshot = defineMethod({
  name: 'ad_market.policy_snapshot',
  summary: 'The signed ad policy snapshot of an epoch (<data>/ad_policy/<epoch>.json + .sig, written at each epoch boundary) with its signature check, or {status:"not_found"}.',
  params: z.object({ epoch: z.number().int().min(0) }),
  order: ['epoch'],
  result: z.union([z.object({ status: z.literal('ok'), snapshot: PolicySnapshot }), z.object({ status: z.literal('not_found'), epoch: z.number() })]),
  mutating: false,
});

export const adPolicySnapshots = defineMethod({
  name: 'ad_market.policy_snapshots',
  summary: 'Policy snapshots of epochs start_epoch..end_epoch (default 0..current epoch; at most 1000 epochs per call).',
  params: z.object({ start_epoch: z.number().int().min(0).default(0), end_epoch: z.number().int().min(0).optional() }),
  order: ['start_epoch', 'end_epoch'],
  result: z.object({ status: z.literal('ok'), start_epoch: z.number(), end_epoch: z.number(), snapshots: z.array(PolicySnapshot) }),
  mutating: false,
});

export const AD_MARKET_OPS_METHODS = [adRecordConversion, adRegisterClaimRoute, adClaimRoutes, adDistribution, adBudget, adBrokerState, adPolicySnapshot, adPolicySnapshots] as const;
