/**
 * Read views and checks behind the second half of the ad market API (pure except the constant-time
 * compare): the distribution policy and settlement split, the budget broker view, the policy
 * snapshot body, and the advertiser auth header of conversions.
 */
import { timingSafeEqual } from 'node:crypto';
import type { BrokerCampaign, BrokerSnapshot } from '../../shared/api/ad_market_ops.js';
import { CONVERSION_ERROR } from '../../shared/api/ad_market_ops.js';
import { RpcError } from '../../shared/api/errors.js';
import { blake3, toHex } from '../crypto/hash.js';
import { winRatePpm } from './auction.js';
import { appliedPacingPpm, BROKER_DEFAULTS, pacingMultiplierPpm } from './broker.js';
import type { AdParams } from './params.js';
import { remainingPpm } from './privacy.js';
import type { AdState } from './state.js';
import { conversionSummary, type ConversionStats } from './views.js';

/** Share of each settled impression per payout role, percent (reference DistributionPolicy default). */
export const DISTRIBUTION = Object.freeze({ viewer_percent: 40, host_percent: 30, hardware_percent: 15, verifier_percent: 10, liquidity_percent: 5 });

export function distributionView(s: AdState) {
  const by: Record<string, string> = {};
  for (const [k, pct] of Object.entries(DISTRIBUTION)) by[k.replace('_percent', '')] = ((s.settled_usd_micros * BigInt(pct)) / 100n).toString();
  return { status: 'ok' as const, distribution: { ...DISTRIBUTION }, settlement_count: s.settlement_count, total_usd_micros: s.settled_usd_micros.toString(), by_role_usd_micros: by };
}

export function brokerView(s: AdState, height: number, nowMs: number, P: AdParams, conv: ConversionStats): BrokerSnapshot {
  const campaigns: BrokerCampaign[] = s.campaigns.map((c) => ({
    campaign_id: c.id, total_budget: c.budget.toString(), remaining_budget: (c.budget - c.spent).toString(), epoch_target: c.pacing.epoch_target.toString(), epoch_spend: c.pacing.epoch_spend.toString(),
    epoch_impressions: c.pacing.epoch_impressions, dual_price_ppm: c.pacing.dual_price_ppm, kappa_ppm: c.pacing.kappa_ppm, shading_multiplier_ppm: pacingMultiplierPpm(c.pacing), applied_multiplier_ppm: appliedPacingPpm(c.pacing), smoothed_error_ppm: c.pacing.smoothed_error_ppm,
    progress_ppm: c.budget === 0n ? 0 : Number((c.spent * 1_000_000n) / c.budget),
  }));
  const kappas = campaigns.map((c) => c.kappa_ppm);
  return {
    status: 'ok', height, generated_at_ms: nowMs, config: { ...BROKER_DEFAULTS, epochs_per_budget: P.epochs_per_budget }, campaigns,
    summary: {
      campaign_count: campaigns.length, mean_kappa_ppm: kappas.length === 0 ? 0 : Math.round(kappas.reduce((a, b) => a + b, 0) / kappas.length),
      min_kappa_ppm: kappas.length === 0 ? 0 : Math.min(...kappas), max_kappa_ppm: kappas.length === 0 ? 0 : Math.max(...kappas),
      dual_price_max_ppm: campaigns.reduce((m, c) => Math.max(m, c.dual_price_ppm), 0),
      epoch_target_total: s.campaigns.reduce((n, c) => n + c.pacing.epoch_target, 0n).toString(), epoch_spend_total: s.campaigns.reduce((n, c) => n + c.pacing.epoch_spend, 0n).toString(),
    },
    conversion_summary: conversionSummary(s, conv),
  };
}

/** Body of the policy snapshot of `epoch` (deterministic for a state and height). */
export function policyBody(s: AdState, epoch: number, height: number, nowMs: number, P: AdParams): Record<string, unknown> {
  return {
    schema_version: 1, epoch, height, generated_at_ms: nowMs, distribution: { ...DISTRIBUTION },
    params: { readiness_window_secs: P.readiness.window_secs, min_unique_viewers: P.readiness.min_unique_viewers, min_host_count: P.readiness.min_host_count, min_provider_count: P.readiness.min_provider_count, presence: { ...P.presence }, privacy_max_epsilon: P.privacy.max_epsilon.toString(), privacy_cool_off_impressions: P.privacy.cool_off_impressions, epochs_per_budget: P.epochs_per_budget },
    readiness: { ready: s.ready, ready_streak_windows: s.carry.ready_streak_windows },
    selectors: s.selectors.map((x) => ({ selector_id: x.selector, label: x.label, clearing_price_usd_micros: x.clearing_price.toString(), top_bid_usd_micros: x.top_bid.toString(), shading_factor_bps: x.shading_bps, win_rate_ppm: winRatePpm(x), conversion_value_usd_micros: x.conversion_value.toString() })),
    privacy: s.privacy.map((p) => ({ family: p.family, remaining_ppm: remainingPpm(p, P.privacy), cooldown_remaining: p.cooldown_remaining })),
    broker: s.campaigns.map((c) => ({ campaign_id: c.id, kappa_ppm: c.pacing.kappa_ppm, dual_price_ppm: c.pacing.dual_price_ppm, spent_usd_micros: c.spent.toString() })),
    settlement: { count: s.settlement_count, total_usd_micros: s.settled_usd_micros.toString() },
  };
}

/** Reason of a refused conversion (counted in the conversion summary) with its RpcError. */
export class ConversionRefusal extends Error {
  constructor(
    readonly code: keyof typeof CONVERSION_ERROR | 'unknown_campaign' | 'unknown_creative' | 'unattributed_conversion',
    readonly error: RpcError,
  ) {
    super(error.message);
  }
}
const authError = (code: keyof typeof CONVERSION_ERROR, message: string) => new ConversionRefusal(code, new RpcError(CONVERSION_ERROR[code], message, { reason: code }));

/**
 * `Authorization: Advertiser <account>:<token>` → its account and token.
 * @throws ConversionRefusal −32030 when the header is missing or not of that form.
 */
export function parseAdvertiserAuth(header: string | undefined): { account: string; token: string } {
  const h = header?.trim();
  const m = h === undefined ? null : /^Advertiser\s+([^:\s]+)\s*:\s*(\S.*)$/.exec(h);
  if (!m) throw authError('auth_required', 'advertiser authorization required: send Authorization: Advertiser <account>:<token>');
  return { account: m[1], token: m[2].trim() };
}

/**
 * Checks the advertiser of a conversion against the header and the campaign's token hash
 * (hex BLAKE3 of the token, compared in constant time); `campaign` undefined = only the header check.
 * @throws ConversionRefusal −32031 advertiser mismatch, −32032 token missing, −32033 invalid token.
 */
export function checkAdvertiser(auth: { account: string; token: string }, paramsAccount: string, campaign: { advertiser: string; token_hash: string } | undefined): void {
  if (auth.account !== paramsAccount) throw authError('advertiser_mismatch', `advertiser mismatch: the header names ${auth.account}, the conversion ${paramsAccount}`);
  if (campaign === undefined) return; // unknown campaign: answered by the chain rule's check
  if (campaign.advertiser !== paramsAccount) throw authError('advertiser_mismatch', `advertiser mismatch: the campaign belongs to another advertiser than ${paramsAccount}`);
  if (campaign.token_hash === '') throw authError('token_missing', 'conversion token missing: the campaign registered no conversion_token_hash');
  const given = Buffer.from(toHex(blake3(new TextEncoder().encode(auth.token))), 'utf8');
  const want = Buffer.from(campaign.token_hash, 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) throw authError('token_invalid', 'invalid advertiser token');
}
