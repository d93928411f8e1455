// Regression tests for the console bugs of issue #19 that live in pure renderer functions.
import { describe, expect, it } from 'vitest';
import { fmtRawLogLine } from '../../../src/renderer/src/components/logText';
import { streakView } from '../../../src/renderer/src/governor/streak';
import { newerMempoolSize } from '../../../src/renderer/src/pages/mempool';
import { fmtAxisMs, useBlocks } from '../../../src/renderer/src/store/blocks';

describe('governor streaks (#19: "21/12", "42/12" after entering)', () => {
  it.each([
    [0, 12, '0/12', 0],
    [7, 12, '7/12', 58],
    [12, 12, '12/12 ✓', 100],
    [21, 12, '12/12 ✓', 100],
    [42, 12, '12/12 ✓', 100],
    [3, 0, '1/1 ✓', 100],
  ])('%i of %i reads %s', (n, of, text, pct) => {
    const v = streakView(n, of);
    expect(v.text).toBe(text);
    expect(v.pct).toBe(pct);
    expect(v.title).toContain(String(n));
  });
});

describe('chart y-axis labels (#19: cut beyond 4 digits)', () => {
  it.each([
    [0, '0'],
    [950, '950'],
    [1500, '1.5k'],
    [9999, '10k'],
    [10_500, '10.5k'],
    [12_000, '12k'],
    [99_400, '99.4k'],
    [120_000, '120k'],
    [3_600_000, '3.6M'],
  ])('%i ms → %s', (ms, label) => {
    expect(fmtAxisMs(ms)).toBe(label);
    expect(fmtAxisMs(ms).length).toBeLessThanOrEqual(5);
  });
});

describe('chart buffer on a network switch (#19: the chart flattened)', () => {
  it('keeps the points across a restart of the same chain and drops them on another chain', () => {
    useBlocks.setState({ points: [], chain: null });
    const st = useBlocks.getState();
    st.setChain('dev:31337');
    for (let h = 100; h < 110; h++) st.add({ height: h, hash: `h${h}`, timestamp_ms: 1_000_000 + h * 1000, tx_count: 0 });
    useBlocks.getState().setChain('dev:31337');
    expect(useBlocks.getState().points).toHaveLength(10);
    useBlocks.getState().setChain('localnet:31338');
    expect(useBlocks.getState().points).toHaveLength(0);
    // The new chain's first blocks: intervals of its own, not hours against the old chain.
    useBlocks.getState().add({ height: 1, hash: 'n1', timestamp_ms: 5_000_000, tx_count: 0 });
    useBlocks.getState().add({ height: 2, hash: 'n2', timestamp_ms: 5_001_000, tx_count: 0 });
    expect(useBlocks.getState().points.map((p) => p.interval_ms)).toEqual([null, 1000]);
  });
});

describe('Overview mempool (#19: shows 1 after the transaction was included)', () => {
  it('takes the newer of the 2 s sample and the per-block mempool.stats', () => {
    expect(newerMempoolSize({ ts_ms: 1000, mempool_size: 1 }, { size: 0 }, 1500)).toBe(0);
    expect(newerMempoolSize({ ts_ms: 2000, mempool_size: 3 }, { size: 0 }, 1500)).toBe(3);
    expect(newerMempoolSize(undefined, { size: 2 }, 0)).toBe(2);
    expect(newerMempoolSize({ ts_ms: 1, mempool_size: 4 }, undefined, 0)).toBe(4);
    expect(newerMempoolSize(undefined, undefined, 0)).toBeUndefined();
  });
});

describe('log file and crash output (#19: raw JSON)', () => {
  it('formats pino JSON as time, level, message and fields', () => {
    const t = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();
    const line = JSON.stringify({ level: 40, time: t, pid: 1, hostname: 'x', msg: 'peer banned', peer: '12D3', score: -100, why: { a: 1 } });
    expect(fmtRawLogLine(line)).toBe('03:04:05.006 warn  peer banned peer=12D3 score=-100 why={"a":1}');
  });
  it('keeps plain text and broken JSON as they are', () => {
    expect(fmtRawLogLine('Error: listen EADDRINUSE')).toBe('Error: listen EADDRINUSE');
    expect(fmtRawLogLine('{not json')).toBe('{not json');
    expect(fmtRawLogLine('[1,2]')).toBe('[1,2]');
  });
});
