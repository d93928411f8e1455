/**
 * Small statistics helpers of the launch governor, defined as in the reference
 * (spec/governor.md §2): `percentile(v,p)` = sorted[round((n−1)p)], `median` = sorted[n/2],
 * population standard deviation, MAD = median of |x − median|. Empty input → undefined.
 */

function sorted(v: readonly number[]): number[] {
  return [...v].sort((a, b) => a - b);
}

/** Percentile `p` in 0..1 (nearest rank on (n−1)p). */
export function percentile(v: readonly number[], p: number): number | undefined {
  if (v.length === 0) return undefined;
  const s = sorted(v);
  return s[Math.round((s.length - 1) * p)];
}

/** Median as sorted[n/2] (upper median for even n, like the reference's median_u64). */
export function median(v: readonly number[]): number | undefined {
  if (v.length === 0) return undefined;
  return sorted(v)[Math.floor(v.length / 2)];
}

/** Population standard deviation. */
export function stdDev(v: readonly number[]): number | undefined {
  if (v.length === 0) return undefined;
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
}

/** Median absolute deviation from the median. */
export function mad(v: readonly number[]): number | undefined {
  const m = median(v);
  if (m === undefined) return undefined;
  return median(v.map((x) => Math.abs(x - m)));
}

/** Percentile `p` of the absolute consecutive differences (the reference's Δp); 0 with < 2 values. */
export function deltaPercentile(v: readonly number[], p: number): number {
  const d: number[] = [];
  for (let i = 1; i < v.length; i++) d.push(Math.abs(v[i] - v[i - 1]));
  return percentile(d, p) ?? 0;
}

/** Rounds for display in reasons and metrics (6 significant digits, no exponent for our ranges). */
export function round6(x: number): number {
  return Number.isFinite(x) ? Number(x.toPrecision(6)) : x;
}
