/**
 * The ad market's governance-clamped knobs, read from the treasury module's governance params
 * (`getParam(treasuryState, 'ad_*')`, changed by validator proposals), so every node applies the
 * same values at the same height. The chain rules read them with `ctx.read(treasuryState)`, the
 * service with `chain.moduleState(treasuryState)`. Fixed rule floors (spec §2: TTL ≥ 60 s, radius
 * ≥ 10 m) stay constants; the param bounds live in the treasury's param table.
 */
import { getParam, type TreasuryState } from '../treasury/index.js';
import { EPS_UNIT, PRIVACY_DEFAULTS, type PrivacyConfig } from './privacy.js';
import { READINESS_DEFAULTS, type ReadinessConfig } from './readiness.js';

export interface PresenceParams {
  /** Shortest TTL a receipt gets, s (rule floor). */
  ttl_min_secs: number;
  /** Longest TTL, s (`ad_presence_ttl_max_secs`). */
  ttl_max_secs: number;
  /** Radius clamp, m: [10, `ad_presence_radius_max_m`]. */
  radius_min_m: number;
  radius_max_m: number;
  /** Confidence a bucket needs to serve, bps (`ad_min_confidence_bps`). */
  min_confidence_bps: number;
  /** People per slot and the smallest crowd that serves (`ad_presence_min_crowd_size`). */
  min_crowd_size: number;
}

export interface AdParams {
  readiness: ReadinessConfig;
  privacy: PrivacyConfig;
  presence: PresenceParams;
  /** Pacing epochs a campaign budget is spread over (`ad_budget_epochs_per_budget`). */
  epochs_per_budget: number;
}

/** Where the thresholds come from (reported in the readiness snapshot). */
export const PARAMS_SOURCE = 'governance params ad_* (treasury param table; defaults until a proposal changes them)';

const n = (t: Readonly<TreasuryState>, name: Parameters<typeof getParam>[1]) => Number(getParam(t, name));

/** The ad market knobs in force for a treasury state. */
export function adParams(t: Readonly<TreasuryState>): AdParams {
  return {
    readiness: {
      ...READINESS_DEFAULTS,
      window_secs: n(t, 'ad_readiness_window_secs'),
      min_unique_viewers: n(t, 'ad_readiness_min_unique_viewers'),
      min_host_count: n(t, 'ad_readiness_min_host_count'),
      min_provider_count: n(t, 'ad_readiness_min_provider_count'),
      use_percentile_thresholds: getParam(t, 'ad_readiness_use_percentile_thresholds') === 1n,
    },
    privacy: privacyConfig((getParam(t, 'ad_privacy_max_epsilon_micros') * EPS_UNIT) / 1_000_000n, n(t, 'ad_privacy_cool_off_impressions')),
    presence: {
      ttl_min_secs: 60,
      ttl_max_secs: Math.max(60, n(t, 'ad_presence_ttl_max_secs')),
      radius_min_m: 10,
      radius_max_m: Math.max(10, n(t, 'ad_presence_radius_max_m')),
      min_confidence_bps: n(t, 'ad_min_confidence_bps'),
      min_crowd_size: n(t, 'ad_presence_min_crowd_size'),
    },
    epochs_per_budget: n(t, 'ad_budget_epochs_per_budget'),
  };
}

/** Privacy config with a governed ε budget; the per-impression ε cost is clamped to it (spec §3). */
function privacyConfig(maxEpsilon: bigint, coolOff: number): PrivacyConfig {
  const cost = PRIVACY_DEFAULTS.default_epsilon_cost < maxEpsilon ? PRIVACY_DEFAULTS.default_epsilon_cost : maxEpsilon;
  return { ...PRIVACY_DEFAULTS, max_epsilon: maxEpsilon, default_epsilon_cost: cost, cool_off_impressions: coolOff };
}
