import { describe, expect, it } from 'vitest';
import { authorize, EPS_UNIT, familyOf, impressionsUntilExhausted, PRIVACY_DEFAULTS, remainingPpm, type FamilyBudget } from '../../../src/node-core/ad_market/privacy.js';
import { priceStep, runAuction, winRatePpm } from '../../../src/node-core/ad_market/auction.js';

describe('privacy budgets', () => {
  // No forgetting, cost 0.25 ε: four impressions fit in ε = 1.0, the fifth exhausts.
  const cfg = { ...PRIVACY_DEFAULTS, default_epsilon_cost: EPS_UNIT / 4n, forgetting_ppm: 0, cool_off_impressions: 3 };
  it('family = lower-cased prefix before ":"', () => expect(familyOf('Presence:localnet')).toBe('presence'));
  it('exhaustion → cooldown for cool_off impressions → recovery, with the forecast counting down', () => {
    let b = new Map<string, FamilyBudget>();
    const seq: string[] = [];
    const forecasts: (number | null)[] = [];
    for (let i = 0; i < 10; i++) {
      const f = b.get('presence');
      forecasts.push(f ? impressionsUntilExhausted(f, 1, cfg) : null);
      const r = authorize(b, ['presence:localnet'], 1, cfg);
      b = r.budgets;
      seq.push(r.decision);
    }
    expect(seq).toEqual(['ok', 'ok', 'ok', 'ok', 'budget_exhausted', 'cooldown', 'cooldown', 'cooldown', 'ok', 'ok']);
    expect(forecasts.slice(1, 5)).toEqual([3, 2, 1, 0]);
    const f = b.get('presence')!;
    expect(f.denied).toBe(1);
    expect(f.cooling).toBe(3);
    expect(remainingPpm(f, cfg)).toBe(500_000);
  });
  it('with the default forgetting factor the spend settles below the max: the forecast is never', () => {
    let b = new Map<string, FamilyBudget>();
    for (let i = 0; i < 200; i++) b = authorize(b, ['interest:travel'], 1, PRIVACY_DEFAULTS).budgets;
    expect(b.get('interest')!.last_decision).toBe('ok');
    expect(impressionsUntilExhausted(b.get('interest')!, 1, PRIVACY_DEFAULTS)).toBeNull();
  });
  it('impressions without badges are always ok', () => expect(authorize(new Map(), [], 1, cfg).decision).toBe('ok'));
});

describe('auctions', () => {
  const a = { id: 'a', max_bid: 5_000_000n, remaining: 100_000_000n, quality_ppm: 1_000_000 };
  const b = { id: 'b', max_bid: 3_000_000n, remaining: 100_000_000n, quality_ppm: 1_000_000 };
  it('shading is applied and moves with the competing bid', () => {
    const alone = runAuction([a], 1_000_000n, 1_000_000);
    expect(alone).toMatchObject({ winner: 'a', top: 5_000_000n, paid: 1_000_001n, shading_bps: 2000 });
    const vsB = runAuction([a, b], 1_000_000n, 1_000_000);
    expect(vsB).toMatchObject({ winner: 'a', paid: 3_000_001n, shading_bps: 6000 });
    const vsHigh = runAuction([a, { ...b, max_bid: 4_999_999n }], 1_000_000n, 1_000_000);
    expect(vsHigh.shading_bps).toBe(10_000);
  });
  it('bids under the clearing price drop out; stale presence weight lowers the bid', () => {
    expect(runAuction([b], 4_000_000n, 1_000_000).winner).toBeNull();
    expect(runAuction([a], 1_000_000n, 200_000).top).toBe(1_000_000n);
  });
  it('the PI clearing price rises on wins and falls on misses; win rate in ppm', () => {
    const up = priceStep({ clearing_price: 1_000_000n, integral: 0n }, true);
    expect(up.clearing_price).toBeGreaterThan(1_000_000n);
    const down = priceStep({ clearing_price: 1_000_000n, integral: 0n }, false);
    expect(down.clearing_price).toBeLessThan(1_000_000n);
    expect(winRatePpm({ wins: 3, opportunities: 4 })).toBe(750_000);
  });
});
