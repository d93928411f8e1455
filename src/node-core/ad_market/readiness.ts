/**
 * Ad readiness (spec/ad_market.md §4): distinct viewers / hosts / providers inside the window,
 * static or percentile thresholds (EMA-smoothed), the exact blocker strings and the ready streak.
 * Pure: the chain module calls it at every block with the block timestamp (no clock here).
 */

/** Readiness knobs (spec §4 defaults; governance params replace them once they land). */
export interface ReadinessConfig {
  window_secs: number;
  min_unique_viewers: number;
  min_host_count: number;
  min_provider_count: number;
  use_percentile_thresholds: boolean;
  viewer_percentile: number;
  host_percentile: number;
  provider_percentile: number;
  ema_smoothing_ppm: number;
  floor_unique_viewers: number;
  floor_host_count: number;
  floor_provider_count: number;
  /** 0 = no cap. */
  cap_unique_viewers: number;
  cap_host_count: number;
  cap_provider_count: number;
  percentile_buckets: number;
}

export const READINESS_DEFAULTS: ReadinessConfig = Object.freeze({
  window_secs: 21_600,
  min_unique_viewers: 250,
  min_host_count: 25,
  min_provider_count: 10,
  use_percentile_thresholds: false,
  viewer_percentile: 90,
  host_percentile: 75,
  provider_percentile: 50,
  ema_smoothing_ppm: 200_000,
  floor_unique_viewers: 0,
  floor_host_count: 0,
  floor_provider_count: 0,
  cap_unique_viewers: 0,
  cap_host_count: 0,
  cap_provider_count: 0,
  percentile_buckets: 12,
});

/** The three blocker strings, exactly as the reference spells them. */
export const BLOCKERS = ['insufficient_unique_viewers', 'insufficient_host_diversity', 'insufficient_provider_diversity'] as const;
export type Blocker = (typeof BLOCKERS)[number];

/** One acknowledged impression (the readiness event). `ts_ms` = block timestamp it was recorded in. */
export interface AckEvent {
  ts_ms: number;
  viewer: string;
  host: string;
  provider: string;
}

/** Smoothed thresholds and the streak carried from block to block. */
export interface ReadinessCarry {
  ema_viewers: number;
  ema_hosts: number;
  ema_providers: number;
  ready_streak_windows: number;
  /** floor(last_updated_s / window_secs) of the last update; -1 before the first. */
  last_window_id: number;
}

export const EMPTY_CARRY: ReadinessCarry = Object.freeze({ ema_viewers: 0, ema_hosts: 0, ema_providers: 0, ready_streak_windows: 0, last_window_id: -1 });

export interface ReadinessCounts {
  unique_viewers: number;
  host_count: number;
  provider_count: number;
}

export interface ReadinessEval extends ReadinessCounts {
  ready: boolean;
  blockers: Blocker[];
  thresholds: { min_unique_viewers: number; min_host_count: number; min_provider_count: number };
  carry: ReadinessCarry;
}

/** Distinct counts of the events in [from_ms, to_ms]. */
export function distinctCounts(events: readonly AckEvent[], fromMs: number, toMs: number): ReadinessCounts {
  const v = new Set<string>(), h = new Set<string>(), p = new Set<string>();
  for (const e of events) {
    if (e.ts_ms < fromMs || e.ts_ms > toMs) continue;
    v.add(e.viewer);
    h.add(e.host);
    if (e.provider !== '') p.add(e.provider);
  }
  return { unique_viewers: v.size, host_count: h.size, provider_count: p.size };
}

/** Value at percentile `pct` (0..100) of ascending `xs`: index round((n−1)·p). Empty → 0. */
export function percentileOf(xs: readonly number[], pct: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.round((s.length - 1) * (Math.min(100, Math.max(0, pct)) / 100));
  return s[i];
}

/** EMA step `round((1−α)·prev + α·sample)`, α = ppm/1e6; prev 0 → sample. */
export function emaStep(prev: number, sample: number, ppm: number): number {
  if (prev === 0) return sample;
  const a = Math.min(1_000_000, Math.max(0, ppm));
  return Math.round(((1_000_000 - a) * prev + a * sample) / 1_000_000);
}

/** Per-bucket distinct counts: the window split into max(buckets, 4) slices of at least 60 s. */
export function bucketCounts(events: readonly AckEvent[], nowMs: number, cfg: ReadinessConfig): ReadinessCounts[] {
  const windowMs = cfg.window_secs * 1000;
  const n0 = Math.max(cfg.percentile_buckets, 4);
  const len = Math.max(Math.floor(windowMs / n0), 60_000);
  const n = Math.max(1, Math.floor(windowMs / len));
  const out: ReadinessCounts[] = [];
  for (let i = 0; i < n; i++) {
    const to = nowMs - i * len;
    out.push(distinctCounts(events, to - len + 1, to));
  }
  return out;
}

const clampFC = (x: number, floor: number, cap: number) => Math.max(floor, cap > 0 ? Math.min(cap, x) : x);

/**
 * Readiness at `nowMs` over `events` (already the module's stored events), carrying the EMA and
 * the streak from `prev`. The streak counts windows that were ready: +1 on the first ready
 * evaluation and on each new window id while ready (the reference only counts new windows, which
 * leaves a freshly ready market at 0); not ready → 0. Static mode: thresholds = the mins. Percentile mode: per-bucket distinct
 * counts → percentile → floor/cap → EMA.
 */
export function evaluateReadiness(events: readonly AckEvent[], nowMs: number, cfg: ReadinessConfig, prev: ReadinessCarry): ReadinessEval {
  const counts = distinctCounts(events, nowMs - cfg.window_secs * 1000 + 1, nowMs);
  let th = { min_unique_viewers: cfg.min_unique_viewers, min_host_count: cfg.min_host_count, min_provider_count: cfg.min_provider_count };
  const carry: ReadinessCarry = { ...prev };
  if (cfg.use_percentile_thresholds) {
    const b = bucketCounts(events, nowMs, cfg);
    carry.ema_viewers = emaStep(prev.ema_viewers, clampFC(percentileOf(b.map((x) => x.unique_viewers), cfg.viewer_percentile), cfg.floor_unique_viewers, cfg.cap_unique_viewers), cfg.ema_smoothing_ppm);
    carry.ema_hosts = emaStep(prev.ema_hosts, clampFC(percentileOf(b.map((x) => x.host_count), cfg.host_percentile), cfg.floor_host_count, cfg.cap_host_count), cfg.ema_smoothing_ppm);
    carry.ema_providers = emaStep(prev.ema_providers, clampFC(percentileOf(b.map((x) => x.provider_count), cfg.provider_percentile), cfg.floor_provider_count, cfg.cap_provider_count), cfg.ema_smoothing_ppm);
    th = { min_unique_viewers: carry.ema_viewers, min_host_count: carry.ema_hosts, min_provider_count: carry.ema_providers };
  }
  const blockers: Blocker[] = [];
  if (counts.unique_viewers < th.min_unique_viewers) blockers.push('insufficient_unique_viewers');
  if (counts.host_count < th.min_host_count) blockers.push('insufficient_host_diversity');
  if (counts.provider_count < th.min_provider_count) blockers.push('insufficient_provider_diversity');
  const ready = blockers.length === 0;
  const windowId = Math.floor(nowMs / 1000 / cfg.window_secs);
  if (!ready) carry.ready_streak_windows = 0;
  else if (windowId !== prev.last_window_id || prev.ready_streak_windows === 0) carry.ready_streak_windows = prev.ready_streak_windows + 1;
  carry.last_window_id = windowId;
  return { ...counts, ready, blockers, thresholds: th, carry };
}

/** Freshness histogram (ppm) of ages: <1 h, 1–6 h, 6–24 h, ≥24 h (spec §2). Empty → all 0. */
export function freshnessHistogram(agesMs: readonly number[]): { under_1h_ppm: number; hours_1_to_6_ppm: number; hours_6_to_24_ppm: number; over_24h_ppm: number } {
  const c = [0, 0, 0, 0];
  const H = 3_600_000;
  for (const a of agesMs) c[a < H ? 0 : a < 6 * H ? 1 : a < 24 * H ? 2 : 3]++;
  const n = agesMs.length;
  const ppm = (x: number) => (n === 0 ? 0 : Math.round((x * 1_000_000) / n));
  return { under_1h_ppm: ppm(c[0]), hours_1_to_6_ppm: ppm(c[1]), hours_6_to_24_ppm: ppm(c[2]), over_24h_ppm: ppm(c[3]) };
}
