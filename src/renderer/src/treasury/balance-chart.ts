/**
 * The Treasury page's "Balance and inflow" chart as data: the polyline and the labels, computed
 * from the balance history (`gov.treasury.balance().history`, one point per block). Pure, so it is
 * tested without a DOM. Balances are base units as decimal strings (u64): the labels use BigInt
 * (exact above 2^53); only the drawn y positions go through Number.
 */
export interface BalanceChartView {
  /** SVG polyline points, "x,y x,y …" in a `width` × `height` box (y grows downwards). */
  points: string;
  /** Highest balance in the window, base units, with thousands separators ("0" for an empty treasury). */
  maxLabel: string;
  /** Lowest balance in the window, base units, with thousands separators. */
  minLabel: string;
  /** "#first … #last" block heights of the window. */
  rangeLabel: string;
}

/** `history` needs at least 2 points; `width`/`height` in SVG user units; 3 units of margin top and bottom. */
export function balanceChartView(history: readonly { height: number; balance: string }[], width: number, height: number): BalanceChartView {
  const big = history.map((p) => BigInt(p.balance));
  const maxB = big.reduce((a, b) => (b > a ? b : a), big[0]!);
  const minB = big.reduce((a, b) => (b < a ? b : a), big[0]!);
  const max = Number(maxB);
  const min = Number(minB);
  const span = max - min;
  const x = (i: number) => (i / (history.length - 1)) * width;
  // A flat history is drawn at mid-height: nothing to scale, and neither edge suggests "full" or "empty".
  const y = (v: number) => (span === 0 ? height / 2 : height - 3 - ((v - min) / span) * (height - 6));
  const points = big.map((v, i) => `${x(i).toFixed(1)},${y(Number(v)).toFixed(1)}`).join(' ');
  return {
    points,
    maxLabel: maxB.toLocaleString('en-US'),
    minLabel: minB.toLocaleString('en-US'),
    rangeLabel: `#${history[0]!.height} … #${history[history.length - 1]!.height}`,
  };
}
