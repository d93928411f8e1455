// The live chart's bounded buffer and its downsampling (pure functions of the renderer).
import { describe, expect, it } from 'vitest';
import { addBlock, MAX_POINTS, toChartPoints, WINDOW_MS, type BlockPoint } from '../../../src/renderer/src/store/blocks.js';

const hash = (h: number) => h.toString(16).padStart(64, '0');
const block = (height: number, ts: number, txs = 0) => ({ height, hash: hash(height), timestamp_ms: ts, tx_count: txs });

function feed(n: number, stepMs = 1000, start = 1): BlockPoint[] {
  let pts: BlockPoint[] = [];
  for (let h = start; h < start + n; h++) pts = addBlock(pts, block(h, h * stepMs, h % 3));
  return pts;
}

describe('block buffer', () => {
  it('computes intervals and tx/s between consecutive heights', () => {
    let pts = addBlock([], block(1, 1000, 0));
    pts = addBlock(pts, block(2, 2500, 3));
    expect(pts.map((p) => [p.height, p.interval_ms, p.tps])).toEqual([
      [1, null, null],
      [2, 1500, 2],
    ]);
  });

  it('ignores duplicates and fills gaps in height order (backfill after live heads)', () => {
    let pts = addBlock([], block(10, 10_000));
    pts = addBlock(pts, block(10, 10_000));
    pts = addBlock(pts, block(8, 8_000));
    expect(pts.map((p) => p.interval_ms)).toEqual([null, null]);
    pts = addBlock(pts, block(9, 9_200));
    expect(pts.map((p) => [p.height, p.interval_ms])).toEqual([
      [8, null],
      [9, 1200],
      [10, 800],
    ]);
  });

  it('keeps only the last 10 minutes', () => {
    const pts = feed(900);
    expect(pts[pts.length - 1].ts - pts[0].ts).toBeLessThanOrEqual(WINDOW_MS);
    expect(pts).toHaveLength(WINDOW_MS / 1000 + 1);
  });

  it('never holds more than MAX_POINTS, however fast blocks come', () => {
    expect(feed(5000, 50)).toHaveLength(MAX_POINTS);
  });

  it('starts over when the chain is a different one (height far below)', () => {
    const pts = addBlock(feed(MAX_POINTS + 10), block(1, 5_000_000));
    expect(pts.map((p) => p.height)).toEqual([1]);
  });
});

describe('chart downsampling', () => {
  it('passes short series through', () => {
    const pts = feed(100);
    expect(toChartPoints(pts)).toHaveLength(100);
    expect(toChartPoints(pts)[5]).toMatchObject({ from: 6, height: 6, interval_ms: 1000 });
  });

  it('merges runs of blocks into at most max points with mean interval and summed tx/s', () => {
    const pts = feed(600);
    const c = toChartPoints(pts, 150);
    expect(c.length).toBeLessThanOrEqual(150);
    expect(c[1]).toMatchObject({ from: 5, height: 8, interval_ms: 1000 });
    // heights 5..8 carry 2,0,1,2 txs over 4 s
    expect(c[1].tps).toBeCloseTo(5 / 4);
    expect(c.reduce((n, p) => n + (p.height - p.from + 1), 0)).toBe(600);
  });
});
