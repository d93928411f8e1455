/**
 * Budget broker (spec/ad_market.md §5; reference `crates/ad_market/src/budget.rs`): per-campaign
 * pacing with a primal-dual controller, integer-only so the chain runs it. Each campaign spreads
 * its remaining budget over `epochs_per_budget` pacing epochs (epoch target = remaining / epochs);
 * every won impression updates
 *   error    = (epoch_spend − epoch_target) / epoch_target              (ppm, clamped ±10⁷)
 *   smoothed = smoothing·error + (1 − smoothing)·smoothed
 *   dual     = clamp(dual·forgetting + dual_step·error, 0, shadow_price_cap)   (the shadow price)
 *   kappa    = clamp(kappa − step_size·(dual + smoothed), min_kappa, max_kappa)
 * and a pacing epoch ends after `epoch_impressions` wins or once its spend reaches the target.
 * The pacing factor is kappa / (1 + dual) (spec: clamp(kappa, 0, 10) / (1 + shadow_price)); bids
 * are multiplied by it capped at 1.0 (never above the advertiser's bid) and clamped to the
 * remaining budget. All ratios are ppm (1 000 000 = 1.0), money µUSD.
 */

export const BROKER_DEFAULTS = Object.freeze({
  epoch_impressions: 10_000,
  step_size_ppm: 50_000,
  dual_step_ppm: 20_000,
  dual_forgetting_ppm: 850_000,
  max_kappa_ppm: 2_000_000,
  min_kappa_ppm: 250_000,
  shadow_price_cap_ppm: 4_000_000,
  smoothing_ppm: 200_000,
});

/** The broker's per-campaign state (kept in the campaign record). */
export interface Pacing {
  /** Spend target of the current pacing epoch, µUSD. */
  epoch_target: bigint;
  /** Spend so far in the pacing epoch, µUSD. */
  epoch_spend: bigint;
  /** Won impressions so far in the pacing epoch. */
  epoch_impressions: number;
  /** Shadow (dual) price, ppm. */
  dual_price_ppm: number;
  /** Bid multiplier before the shadow price, ppm (1 000 000 = 1.0). */
  kappa_ppm: number;
  /** Smoothed relative spend error, ppm (negative = under target). */
  smoothed_error_ppm: number;
}

/** Pacing state of a newly registered campaign. */
export function newPacing(budget: bigint, epochsPerBudget: number): Pacing {
  return { epoch_target: epochTarget(budget, epochsPerBudget), epoch_spend: 0n, epoch_impressions: 0, dual_price_ppm: 0, kappa_ppm: 1_000_000, smoothed_error_ppm: 0 };
}

/** Target of a pacing epoch: remaining / epochs (at least 1 µUSD). */
export function epochTarget(remaining: bigint, epochsPerBudget: number): bigint {
  const t = remaining / BigInt(Math.max(1, epochsPerBudget));
  return t > 0n ? t : 1n;
}

/** Pacing factor of a campaign, ppm: kappa / (1 + dual) (spec: clamp(kappa, 0, 10) / (1 + shadow_price)). */
export function pacingMultiplierPpm(p: Pacing): number {
  return Math.floor((Math.min(10_000_000, Math.max(0, p.kappa_ppm)) * 1_000_000) / (1_000_000 + p.dual_price_ppm));
}

/**
 * The factor applied to bids, ppm: the pacing factor capped at 1.0. A campaign's `max_bid` is the
 * advertiser's word, so the broker only shades bids down (an under-spending campaign's kappa > 1
 * is reported, not bid); the reference would bid up to 2× here.
 */
export function appliedPacingPpm(p: Pacing): number {
  return Math.min(1_000_000, pacingMultiplierPpm(p));
}

/** A bid after pacing: × the applied factor, clamped to the remaining budget (µUSD). */
export function pacedBid(bid: bigint, p: Pacing, remaining: bigint): bigint {
  const b = (bid * BigInt(appliedPacingPpm(p))) / 1_000_000n;
  return b > remaining ? remaining : b;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The broker step after the campaign paid `paid` µUSD for a won impression; `remaining` = budget left after it. */
export function recordSpend(p: Pacing, paid: bigint, remaining: bigint, epochsPerBudget: number): Pacing {
  const B = BROKER_DEFAULTS;
  const spend = p.epoch_spend + paid;
  const target = p.epoch_target > 0n ? p.epoch_target : 1n;
  const err = clamp(Number(((spend - target) * 1_000_000n) / target), -10_000_000, 10_000_000);
  const smoothed = Math.round((B.smoothing_ppm * err + (1_000_000 - B.smoothing_ppm) * p.smoothed_error_ppm) / 1_000_000);
  const dual = clamp(Math.round((p.dual_price_ppm * B.dual_forgetting_ppm + B.dual_step_ppm * err) / 1_000_000), 0, B.shadow_price_cap_ppm);
  const kappa = clamp(p.kappa_ppm - Math.round((B.step_size_ppm * (dual + smoothed)) / 1_000_000), B.min_kappa_ppm, B.max_kappa_ppm);
  const next: Pacing = { epoch_target: p.epoch_target, epoch_spend: spend, epoch_impressions: p.epoch_impressions + 1, dual_price_ppm: dual, kappa_ppm: kappa, smoothed_error_ppm: smoothed };
  if (next.epoch_impressions >= B.epoch_impressions || spend >= target) return { ...next, epoch_target: epochTarget(remaining, epochsPerBudget), epoch_spend: 0n, epoch_impressions: 0, smoothed_error_ppm: 0 };
  return next;
}
