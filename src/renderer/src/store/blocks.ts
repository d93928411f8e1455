/**
 * Bounded buffer of recent blocks for the live charts: the last 10 minutes of block timestamps,
 * never more than {@link MAX_POINTS} entries, so memory stays flat however long the console runs.
 */
import { create } from 'zustand';

export const WINDOW_MS = 10 * 60_000;
export const MAX_POINTS = 1200;

export interface BlockPoint {
  height: number;
  hash: string;
  /** Block timestamp (ms since epoch). */
  ts: number;
  txs: number;
  /** ms since the previous block (null for the first point or after a gap). */
  interval_ms: number | null;
  /** Transactions per second over that interval. */
  tps: number | null;
}

export interface BlockInput {
  height: number;
  hash: string;
  timestamp_ms: number;
  tx_count: number;
}

/**
 * Inserts a block in height order (duplicates ignored), recomputes the interval of it and its
 * successor, then drops points older than `windowMs` before the newest and beyond `max`.
 * A height far below the newest one (a different chain) starts a fresh buffer.
 */
export function addBlock(points: readonly BlockPoint[], b: BlockInput, windowMs = WINDOW_MS, max = MAX_POINTS): BlockPoint[] {
  const last = points[points.length - 1];
  if (last && b.height < last.height - max) points = [];
  const point: BlockPoint = { height: b.height, hash: b.hash, ts: b.timestamp_ms, txs: b.tx_count, interval_ms: null, tps: null };
  let next: BlockPoint[];
  if (!last || b.height > last.height) {
    // The live case: a new head. Only its own interval is new.
    next = [...points, point];
    if (last && last.height === b.height - 1) {
      const interval = b.timestamp_ms - last.ts;
      next[next.length - 1] = { ...point, interval_ms: interval, tps: interval > 0 ? (b.tx_count * 1000) / interval : null };
    }
    return trim(next, windowMs, max);
  }
  if (points.some((p) => p.height === b.height)) return points as BlockPoint[];
  // Backfill: insert in order and recompute the intervals around it.
  next = [...points, point];
  next.sort((x, y) => x.height - y.height);
  for (let i = 0; i < next.length; i++) {
    const prev = next[i - 1];
    const p = next[i];
    const interval = prev && prev.height === p.height - 1 ? p.ts - prev.ts : null;
    if (interval !== p.interval_ms) {
      next[i] = { ...p, interval_ms: interval, tps: interval && interval > 0 ? (p.txs * 1000) / interval : null };
    }
  }
  return trim(next, windowMs, max);
}

/** Drops points older than `windowMs` before the newest one, and beyond `max`. */
function trim(next: BlockPoint[], windowMs: number, max: number): BlockPoint[] {
  const newest = next[next.length - 1].ts;
  let start = 0;
  while (start < next.length && (newest - next[start].ts > windowMs || next.length - start > max)) start++;
  return start ? next.slice(start) : next;
}

/** One plotted point: a single block, or consecutive blocks merged when there are more than the chart can show. */
export interface ChartPoint {
  /** First and last height in the bucket. */
  from: number;
  height: number;
  /** Mean block interval (ms) over the bucket. */
  interval_ms: number | null;
  /** Transactions per second over the bucket. */
  tps: number | null;
}

/**
 * Downsamples to at most `max` points by merging runs of consecutive blocks (cf. Grafana's
 * max data points): a chart ~600 px wide cannot show more, and each plotted point costs the
 * renderer memory, so the chart's cost stays flat while the buffer fills.
 */
export function toChartPoints(points: readonly BlockPoint[], max = 150): ChartPoint[] {
  const k = Math.max(1, Math.ceil(points.length / max));
  const out: ChartPoint[] = [];
  for (let i = 0; i < points.length; i += k) {
    const run = points.slice(i, i + k);
    let ms = 0;
    let n = 0;
    let txs = 0;
    for (const p of run) {
      if (p.interval_ms === null) continue;
      ms += p.interval_ms;
      n++;
      txs += p.txs;
    }
    out.push({ from: run[0].height, height: run[run.length - 1].height, interval_ms: n ? Math.round(ms / n) : null, tps: n && ms > 0 ? (txs * 1000) / ms : null });
  }
  return out;
}

interface BlocksState {
  points: BlockPoint[];
  /** The chain the points belong to (`<network>:<chain id>:<genesis or node>`), null before the first report. */
  chain: string | null;
  add(b: BlockInput): void;
  /**
   * Names the chain the node now runs. Another chain than the points' (a network switch) starts a
   * fresh buffer: joining its blocks to the old chain's made intervals of hours and flattened the
   * chart (#19). The same chain (a restart) keeps the points.
   */
  setChain(key: string): void;
}

export const useBlocks = create<BlocksState>((set) => ({
  points: [],
  chain: null,
  add: (b) => set((s) => ({ points: addBlock(s.points, b) })),
  setChain: (key) => set((s) => (s.chain === key ? s : { chain: key, points: s.chain === null ? s.points : [] })),
}));

/**
 * Y-axis label of a block interval in ms, at most 5 characters so it fits the axis, in one unit
 * (ms) throughout: "950", "1.5k", "10.5k", "120k", "1.2M". Labels of 5+ digits were cut (#19).
 */
export function fmtAxisMs(ms: number): string {
  if (!Number.isFinite(ms)) return '';
  if (ms < 1000) return String(Math.round(ms));
  if (ms < 100_000) return `${Number((ms / 1000).toFixed(1))}k`;
  if (ms < 1_000_000) return `${Math.round(ms / 1000)}k`;
  return `${Number((ms / 1_000_000).toFixed(1))}M`;
}
