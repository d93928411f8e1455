// Treasury "Balance and inflow" chart (operator finding F11: an empty treasury was labelled "1",
// and the labels were drawn over the line).
import { describe, expect, it } from 'vitest';
import { balanceChartView } from '../../../src/renderer/src/treasury/balance-chart';

const hist = (...b: string[]) => b.map((balance, i) => ({ height: 10 + i, balance }));

describe('treasury balance chart', () => {
  it('an empty treasury reads 0, not 1, and its flat line is drawn at mid-height', () => {
    const v = balanceChartView(hist('0', '0', '0'), 600, 90);
    expect(v.maxLabel).toBe('0');
    expect(v.minLabel).toBe('0');
    expect(v.points).toBe('0.0,45.0 300.0,45.0 600.0,45.0');
    expect(v.rangeLabel).toBe('#10 … #12');
  });

  it('a growing balance spans the box inside its 3-unit margins, highest at the top', () => {
    const v = balanceChartView(hist('100', '150', '200'), 600, 90);
    expect(v.minLabel).toBe('100');
    expect(v.maxLabel).toBe('200');
    expect(v.points).toBe('0.0,87.0 300.0,45.0 600.0,3.0');
  });

  it('labels u64 balances exactly (beyond 2^53)', () => {
    const v = balanceChartView(hist('18446744073709551615', '18446744073709551614'), 600, 90);
    expect(v.maxLabel).toBe('18,446,744,073,709,551,615');
    expect(v.minLabel).toBe('18,446,744,073,709,551,614');
  });
});
