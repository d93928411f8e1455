import { describe, expect, it } from 'vitest';
import { bucketCounts, emaStep, EMPTY_CARRY, evaluateReadiness, freshnessHistogram, percentileOf, READINESS_DEFAULTS, type AckEvent } from '../../../src/node-core/ad_market/readiness.js';

const NOW = 1_800_000_000_000;
function events(viewers: number, hosts: number, providers: number, ts = NOW): AckEvent[] {
  return Array.from({ length: viewers }, (_, i) => ({ ts_ms: ts, viewer: `v${i}`, host: `h${i % hosts}`, provider: providers === 0 ? '' : `p${i % providers}` }));
}

describe('static readiness thresholds', () => {
  const cfg = READINESS_DEFAULTS;
  it('before any event every non-zero minimum is a blocker, in the reference order', () => {
    const r = evaluateReadiness([], NOW, cfg, EMPTY_CARRY);
    expect(r.blockers).toEqual(['insufficient_unique_viewers', 'insufficient_host_diversity', 'insufficient_provider_diversity']);
    expect(r.ready).toBe(false);
  });
  it('each blocker clears exactly at its threshold', () => {
    expect(evaluateReadiness(events(249, 25, 10), NOW, cfg, EMPTY_CARRY).blockers).toEqual(['insufficient_unique_viewers']);
    expect(evaluateReadiness(events(250, 24, 10), NOW, cfg, EMPTY_CARRY).blockers).toEqual(['insufficient_host_diversity']);
    expect(evaluateReadiness(events(250, 25, 9), NOW, cfg, EMPTY_CARRY).blockers).toEqual(['insufficient_provider_diversity']);
    const r = evaluateReadiness(events(250, 25, 10), NOW, cfg, EMPTY_CARRY);
    expect(r.blockers).toEqual([]);
    expect(r.ready).toBe(true);
    expect([r.unique_viewers, r.host_count, r.provider_count]).toEqual([250, 25, 10]);
  });
  it('events outside the window do not count', () => {
    const old = events(250, 25, 10, NOW - cfg.window_secs * 1000);
    expect(evaluateReadiness(old, NOW, cfg, EMPTY_CARRY).unique_viewers).toBe(0);
    const edge = events(250, 25, 10, NOW - cfg.window_secs * 1000 + 1);
    expect(evaluateReadiness(edge, NOW, cfg, EMPTY_CARRY).ready).toBe(true);
  });
  it('streak: first ready evaluation → 1, same window stays, next window +1, not ready → 0', () => {
    const ev = events(250, 25, 10);
    const a = evaluateReadiness(ev, NOW, cfg, EMPTY_CARRY);
    expect(a.carry.ready_streak_windows).toBe(1);
    const b = evaluateReadiness(ev, NOW + 1000, cfg, a.carry);
    expect(b.carry.ready_streak_windows).toBe(Math.floor((NOW + 1000) / 1000 / cfg.window_secs) === a.carry.last_window_id ? 1 : 2);
    const next = evaluateReadiness(events(250, 25, 10, NOW + cfg.window_secs * 1000), NOW + cfg.window_secs * 1000, cfg, b.carry);
    expect(next.carry.ready_streak_windows).toBe(b.carry.ready_streak_windows + 1);
    expect(evaluateReadiness([], NOW + 2 * cfg.window_secs * 1000, cfg, next.carry).carry.ready_streak_windows).toBe(0);
  });
});

describe('percentile thresholds with EMA', () => {
  it('percentile index round((n−1)p) and EMA round((1−α)prev + α·sample) against hand-computed values', () => {
    expect(percentileOf([5, 1, 3, 2, 4], 90)).toBe(5); // round(4·0.9)=4 → 5
    expect(percentileOf([5, 1, 3, 2, 4], 50)).toBe(3); // index 2
    expect(percentileOf([10, 20, 30, 40], 75)).toBe(30); // round(3·0.75)=round(2.25)=2 → 30
    expect(emaStep(0, 37, 200_000)).toBe(37);
    expect(emaStep(100, 50, 200_000)).toBe(90); // 0.8·100 + 0.2·50
    expect(emaStep(90, 51, 200_000)).toBe(82); // 72 + 10.2 = 82.2
  });
  it('splits the window into max(buckets,4) slices and thresholds follow the EMA of the percentile', () => {
    const cfg = { ...READINESS_DEFAULTS, use_percentile_thresholds: true, window_secs: 1200, percentile_buckets: 4, viewer_percentile: 50, host_percentile: 50, provider_percentile: 50 };
    // 4 slices of 300 s: slice i (0 = newest) holds 10·(i+1) viewers, 2 hosts, 1 provider.
    const ev: AckEvent[] = [];
    for (let i = 0; i < 4; i++) for (let v = 0; v < 10 * (i + 1); v++) ev.push({ ts_ms: NOW - i * 300_000 - 1000, viewer: `s${i}v${v}`, host: `h${v % 2}`, provider: 'p' });
    expect(bucketCounts(ev, NOW, cfg).map((b) => b.unique_viewers)).toEqual([10, 20, 30, 40]);
    const a = evaluateReadiness(ev, NOW, cfg, EMPTY_CARRY);
    // sorted [10,20,30,40], p50 → index round(1.5)=2 → 30; first EMA = sample.
    expect(a.thresholds).toEqual({ min_unique_viewers: 30, min_host_count: 2, min_provider_count: 1 });
    expect(a.ready).toBe(true); // 100 distinct viewers in the window ≥ 30
    const b = evaluateReadiness(ev.filter((e) => e.viewer.startsWith('s3')), NOW, cfg, a.carry);
    // slices now [0,0,0,40] → p50 index 2 → 0 → EMA round(0.8·30 + 0) = 24
    expect(b.thresholds.min_unique_viewers).toBe(24);
  });
});

describe('freshness histogram', () => {
  it('bins ages <1h, 1–6h, 6–24h, ≥24h in ppm', () => {
    const H = 3_600_000;
    expect(freshnessHistogram([0, H, 6 * H, 24 * H])).toEqual({ under_1h_ppm: 250_000, hours_1_to_6_ppm: 250_000, hours_6_to_24_ppm: 250_000, over_24h_ppm: 250_000 });
    expect(freshnessHistogram([]).under_1h_ppm).toBe(0);
  });
});
