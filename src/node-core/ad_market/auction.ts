/**
 * Per-selector auctions (spec/ad_market.md §5), integer-only so the chain runs them:
 * - bid = min(max_bid, remaining budget) × quality multiplier (quality_ppm × conversion response,
 *   clamped to [1e6, 2.5e6]) × signal multiplier (presence freshness weight 1.0/0.8/0.5/0.2; 1.0
 *   without a bucket) × the budget broker's pacing multiplier, clamped to the remaining budget;
 * - bids under the selector's clearing price (the reserve) drop out;
 * - bid shading, applied: the winner pays min(top, max(second, clearing) + 1) µUSD, so the
 *   shading factor = paid / top (bps) moves with the competing bids;
 * - the clearing price follows a PI controller on the win utilisation (target 900 000 ppm,
 *   eta_p 150 000 ppm, eta_i 5 000 ppm, bounds 10 000..1e9 µUSD).
 */

export const PRICE_DEFAULTS = Object.freeze({
  default_price_usd_micros: 1_000_000n,
  target_utilization_ppm: 900_000n,
  eta_p_ppm: 150_000n,
  eta_i_ppm: 5_000n,
  integral_cap_ppm: 10_000_000n,
  min_price: 10_000n,
  max_price: 1_000_000_000n,
});

export interface Bidder {
  id: string;
  max_bid: bigint;
  remaining: bigint;
  quality_ppm: number;
  /** Budget broker multiplier kappa / (1 + shadow price), ppm (default 1 000 000 = unpaced). */
  pacing_ppm?: number;
}

export interface SelectorStat {
  /** hex BLAKE3 selector id. */
  selector: string;
  /** `domain_tier/interest_tag/presence_bucket` ('-' for none). */
  label: string;
  clearing_price: bigint;
  /** PI integral of the utilisation error (ppm·steps). */
  integral: bigint;
  top_bid: bigint;
  last_paid: bigint;
  /** Shading of the last cleared auction, bps (10 000 = unshaded). */
  shading_bps: number;
  opportunities: number;
  wins: number;
  /** Conversions attributed to the selector and their value, µUSD. */
  conversions: number;
  conversion_value: bigint;
  /** Badge families (privacy budgets) its impressions spend, sorted (≤ 8). */
  families: string[];
}

export interface AuctionOutcome {
  winner: string | null;
  paid: bigint;
  top: bigint;
  second: bigint;
  shading_bps: number;
}

/** Bid of one campaign for one impression (µUSD). `freshness_ppm` = presence freshness weight. */
export function bidOf(b: Bidder, freshnessPpm: number): bigint {
  const base = b.max_bid < b.remaining ? b.max_bid : b.remaining;
  const q = BigInt(Math.min(2_500_000, Math.max(1_000_000, b.quality_ppm)));
  const signal = (((base * q) / 1_000_000n) * BigInt(freshnessPpm)) / 1_000_000n;
  const paced = (signal * BigInt(b.pacing_ppm ?? 1_000_000)) / 1_000_000n;
  return paced > b.remaining ? b.remaining : paced;
}

/** Integer square root (floor) of a non-negative bigint. */
export function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n, y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/**
 * Quality of a campaign's bids, ppm in [1e6, 2.5e6]: its declared quality × the conversion
 * response multiplier max(1, response^α), α = 0.5, response = observed conversion rate
 * (conversions / won impressions) ÷ the creatives' declared action rate (spec §5 quality_alpha).
 */
export function effectiveQualityPpm(c: { quality_ppm: number; wins: number; conversions: number; creatives: readonly { action_rate_ppm: number }[] }): number {
  const declared = c.creatives.length === 0 ? 10_000 : Math.max(1, Math.round(c.creatives.reduce((n, x) => n + x.action_rate_ppm, 0) / c.creatives.length));
  let mult = 1_000_000n;
  if (c.wins > 0 && c.conversions > 0) {
    const responsePpm = (BigInt(c.conversions) * 1_000_000_000_000n) / (BigInt(c.wins) * BigInt(declared));
    const r = isqrt(responsePpm * 1_000_000n);
    if (r > mult) mult = r;
  }
  const q = (BigInt(Math.max(1_000_000, c.quality_ppm)) * mult) / 1_000_000n;
  return Number(q > 2_500_000n ? 2_500_000n : q);
}

/** Runs one shaded first-price auction at reserve `clearing`; ties go to the lower campaign id. */
export function runAuction(bidders: readonly Bidder[], clearing: bigint, freshnessPpm: number): AuctionOutcome {
  const bids = bidders
    .map((b) => ({ id: b.id, bid: bidOf(b, freshnessPpm), remaining: b.remaining }))
    .filter((x) => x.bid >= clearing && x.bid > 0n)
    .sort((a, b) => (a.bid === b.bid ? (a.id < b.id ? -1 : 1) : a.bid > b.bid ? -1 : 1));
  if (bids.length === 0) return { winner: null, paid: 0n, top: 0n, second: 0n, shading_bps: 0 };
  const top = bids[0].bid;
  const second = bids.length > 1 ? bids[1].bid : 0n;
  const floor = second > clearing ? second : clearing;
  let paid = floor + 1n < top ? floor + 1n : top;
  if (paid > bids[0].remaining) paid = bids[0].remaining;
  return { winner: bids[0].id, paid, top, second, shading_bps: Number((paid * 10_000n) / top) };
}

/** One PI step of the clearing price after an opportunity (won or not). */
export function priceStep(s: Pick<SelectorStat, 'clearing_price' | 'integral'>, won: boolean): { clearing_price: bigint; integral: bigint } {
  const P = PRICE_DEFAULTS;
  const err = (won ? 1_000_000n : 0n) - P.target_utilization_ppm;
  let integral = s.integral + err;
  if (integral > P.integral_cap_ppm) integral = P.integral_cap_ppm;
  if (integral < -P.integral_cap_ppm) integral = -P.integral_cap_ppm;
  const delta = (s.clearing_price * (P.eta_p_ppm * err + (P.eta_i_ppm * integral) / 100n)) / 1_000_000_000_000n;
  let price = s.clearing_price + delta;
  if (price < P.min_price) price = P.min_price;
  if (price > P.max_price) price = P.max_price;
  return { clearing_price: price, integral };
}

/** Win rate ppm of a selector (0 without opportunities). */
export const winRatePpm = (s: Pick<SelectorStat, 'wins' | 'opportunities'>): number => (s.opportunities === 0 ? 0 : Math.round((s.wins * 1_000_000) / s.opportunities));
