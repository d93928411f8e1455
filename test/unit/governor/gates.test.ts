// Gate rules as pure functions, with tables at every threshold (just below / at / above), the
// streak rule (required − 1 / required / required + 1), the window → streak formula, the naming
// and ad state machines, and no_signal reporting for gates whose source is missing.
import { describe, expect, it } from 'vitest';
import {
  ECONOMICS,
  evaluateEconomics,
  evaluateMarket,
  evaluateOperational,
  initialMemory,
  MARKET,
  noSignal,
  OPERATIONAL,
  requiredStreak,
  stepGate,
  type EconomicsSample,
  type GateMemory,
  type OperationalSample,
  type Verdict,
} from '../../../src/node-core/governor/gates.js';
import { mad, median, percentile, stdDev } from '../../../src/node-core/governor/stats.js';

/** Spacings whose MAD/median is exactly `ratio` (median 1000 ms). */
function spacingsWithSmoothness(ratio: number): number[] {
  const d = 1000 * ratio;
  return [1000 - d, 1000 - d, 1000, 1000 + d, 1000 + d];
}

const base: OperationalSample = {
  windowSecs: 240, blocks: 240, spacingsMs: spacingsWithSmoothness(0), finalityLagBlocks: 0, replayChecked: 4, replayOk: 4, peers: 0, peerLiveness: null, devSolo: true,
};
const op = (o: Partial<OperationalSample>) => evaluateOperational({ ...base, ...o }) as Extract<Verdict, { signal: 'ok' }>;

describe('stats helpers (reference definitions)', () => {
  it('percentile, median, std, MAD', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.75)).toBe(4);
    expect(median([4, 1, 3, 2])).toBe(3); // sorted[n/2]
    expect(stdDev([2, 4, 4, 4, 5, 5, 7, 9])).toBe(2);
    expect(mad([1, 1, 2, 2, 4, 6, 9])).toBe(1);
    expect(median([])).toBeUndefined();
  });
});

describe('operational gate thresholds', () => {
  it('block smoothness: enter ≤ 0.10, stay ≤ 0.25', () => {
    const rows: [number, boolean, boolean][] = [
      [0.099, true, true],
      [0.1, true, true],
      [0.101, false, true],
      [0.249, false, true],
      [0.25, false, true],
      [0.251, false, false],
    ];
    for (const [r, enter, stay] of rows) {
      const v = op({ spacingsMs: spacingsWithSmoothness(r) });
      expect(v.metrics.block_smoothness_ratio, `ratio ${r}`).toBeCloseTo(r, 6);
      expect([v.enterOk, v.stayOk], `ratio ${r}`).toEqual([enter, stay]);
    }
    expect(OPERATIONAL.smoothEnterMax).toBe(0.1);
  });

  it('finality lag: enter ≤ 2, stay ≤ 8 blocks', () => {
    const rows: [number, boolean, boolean][] = [
      [1, true, true], [2, true, true], [3, false, true], [7, false, true], [8, false, true], [9, false, false],
    ];
    for (const [lag, enter, stay] of rows) expect([op({ finalityLagBlocks: lag }).enterOk, op({ finalityLagBlocks: lag }).stayOk], `lag ${lag}`).toEqual([enter, stay]);
  });

  it('replay success ratio: every sampled block must re-validate', () => {
    expect(op({ replayChecked: 4, replayOk: 4 })).toMatchObject({ enterOk: true, stayOk: true });
    const v = op({ replayChecked: 1000, replayOk: 999 });
    expect(v).toMatchObject({ enterOk: false, stayOk: false });
    expect(v.reason).toContain('replay 999/1000');
  });

  it('peer liveness: enter ≥ 0.9, stay ≥ 0.5; a solo dev chain without peers is live', () => {
    const rows: [number, boolean, boolean][] = [
      [0.89, false, true], [0.9, true, true], [0.91, true, true], [0.49, false, false], [0.5, false, true], [0.51, false, true],
    ];
    for (const [p, enter, stay] of rows) {
      const v = op({ peerLiveness: p, devSolo: false, peers: 3 });
      expect([v.enterOk, v.stayOk], `liveness ${p}`).toEqual([enter, stay]);
    }
    expect(op({}).metrics.peer_liveness).toBe(1);
    expect(op({}).reason).toContain('dev chain, no peers');
    expect(evaluateOperational({ ...base, devSolo: false, peers: 2 })).toMatchObject({ signal: 'no_signal', missing: ['peer metrics'] });
  });

  it('a stalled chain (fewer than 3 blocks in the window) fails both conditions', () => {
    for (const [blocks, ok] of [[2, false], [3, true], [4, true]] as const) {
      const v = op({ blocks, spacingsMs: Array(Math.max(0, blocks - 1)).fill(1000) });
      expect(v.enterOk, `${blocks} blocks`).toBe(ok);
      if (!ok) expect(v.reason).toMatch(/^chain stalled: 2 blocks in the last 240 s/);
    }
  });
});

describe('market gates (storage, compute, energy)', () => {
  it('utilization 0.01..0.95 and margin −0.5..3.0, edges included', () => {
    const rows: [number, number, boolean][] = [
      [0.0099, 1, false], [0.01, 1, true], [0.0101, 1, true],
      [0.9499, 1, true], [0.95, 1, true], [0.9501, 1, false],
      [0.5, -0.5001, false], [0.5, -0.5, true], [0.5, -0.4999, true],
      [0.5, 2.9999, true], [0.5, 3.0, true], [0.5, 3.0001, false],
    ];
    for (const [util, margin, ok] of rows) expect(evaluateMarket('energy', { util, margin }), `${util}/${margin}`).toMatchObject({ signal: 'ok', enterOk: ok, stayOk: ok });
    expect(MARKET).toEqual({ utilMin: 0.01, utilMax: 0.95, marginMin: -0.5, marginMax: 3.0 });
  });

  it('a missing market is no_signal naming it, with null metrics (never invented numbers)', () => {
    const v = evaluateMarket('energy', null);
    expect(v).toMatchObject({ signal: 'no_signal', missing: ['energy market'], metrics: { utilization: null, provider_margin: null } });
    expect(v.reason).toMatch(/^no_signal: the energy market is not running/);
  });
});

describe('economics gate', () => {
  const sane = { util: 0.5, margin: 0.2 };
  const full: EconomicsSample = {
    epochTxCount: 10, epochTxVolume: 1000n, blockRewards: [100, 100, 100, 100], treasuryInflow: 50, treasuryHistory: [40, 50],
    markets: { storage: sane, compute: sane, energy: sane, ad: sane },
  };
  const ev = (o: Partial<EconomicsSample>) => evaluateEconomics({ ...full, ...o }) as Extract<Verdict, { signal: 'ok' }>;

  it('activity: tx ≥ 10 and volume ≥ 1000', () => {
    expect(ev({ epochTxCount: 9 }).enterOk).toBe(false);
    expect(ev({ epochTxCount: 10 }).enterOk).toBe(true);
    expect(ev({ epochTxCount: 11 }).enterOk).toBe(true);
    expect(ev({ epochTxVolume: 999n }).enterOk).toBe(false);
    expect(ev({ epochTxVolume: 1000n }).enterOk).toBe(true);
    expect(ev({ epochTxVolume: 1001n }).enterOk).toBe(true);
    expect(ev({ epochTxCount: 9 }).stayOk).toBe(false);
    expect(ECONOMICS.minTxCount).toBe(10);
  });

  it('reward volatility ≤ 2000 bps (p90 |Δreward| / median reward)', () => {
    // median 1000; |Δ| = 199.9 / 200 / 200.1 → 1999 / 2000 / 2001 bps
    for (const [d, ok] of [[199.9, true], [200, true], [200.1, false]] as const) {
      const v = ev({ blockRewards: [1000, 1000 + d, 1000] });
      expect(v.enterOk, `Δ ${d}`).toBe(ok);
      expect(v.metrics.block_reward_volatility_bps).toBe(Math.round((d / 1000) * 10_000));
    }
    expect(ev({ blockRewards: [0, 0, 0] }).reason).toContain('unbounded (median reward 0)');
  });

  it('treasury inflow > 0 and ≥ previous − Δ75', () => {
    expect(ev({ treasuryInflow: 0 })).toMatchObject({ enterOk: false, stayOk: false });
    // history [40, 50]: prev 50, Δ75 = 10 → needs ≥ 40
    expect(ev({ treasuryInflow: 39 }).enterOk).toBe(false);
    expect(ev({ treasuryInflow: 40 }).enterOk).toBe(true);
    expect(ev({ treasuryInflow: 41 }).enterOk).toBe(true);
  });

  it('one insane market fails it', () => {
    expect(ev({ markets: { ...full.markets, ad: { util: 0.96, margin: 0 } } })).toMatchObject({ enterOk: false, stayOk: false });
  });

  it('on our chain today: no_signal naming the missing sources, with the real activity figures', () => {
    const v = evaluateEconomics({ epochTxCount: 3, epochTxVolume: 120n, blockRewards: null, treasuryInflow: null, treasuryHistory: [], markets: { storage: null, compute: null, energy: null, ad: null } });
    expect(v).toMatchObject({ signal: 'no_signal', missing: ['block rewards', 'treasury', 'storage market', 'compute market', 'energy market', 'ad market'] });
    expect(v.metrics).toMatchObject({ epoch_tx_count: 3, epoch_tx_volume: '120', epoch_treasury_inflow: null });
    expect(v.reason).toBe('no_signal: missing block rewards, treasury, storage market, compute market, energy market, ad market; activity=FAIL (tx 3, volume 120)');
  });
});

const ok = (enterOk: boolean, stayOk: boolean): Verdict => ({ signal: 'ok', enterOk, stayOk, reason: 'r', metrics: {} });
function run(mem: GateMemory, verdicts: Verdict[], required: number) {
  const transitions: string[] = [];
  for (const v of verdicts) {
    const r = stepGate(mem, v, required, 7);
    mem = r.mem;
    if (r.transition) transitions.push(`${r.transition.from}->${r.transition.to}:${r.transition.action}`);
  }
  return { mem, transitions };
}

describe('streak rule', () => {
  it('the window sets the required streak: ceil(epoch / window), at least 1', () => {
    expect(requiredStreak(240, 120)).toBe(1); // default window = 2 × epoch
    expect(requiredStreak(120, 120)).toBe(1);
    expect(requiredStreak(119, 120)).toBe(2);
    expect(requiredStreak(60, 120)).toBe(2);
    expect(requiredStreak(2, 12)).toBe(6);
    expect(requiredStreak(5, 12)).toBe(3);
  });

  it('enters at exactly the required streak (required − 1 is not enough)', () => {
    expect(run(initialMemory('operational'), Array(2).fill(ok(true, true)), 3).transitions).toEqual([]);
    const r = run(initialMemory('operational'), Array(3).fill(ok(true, true)), 3);
    expect(r.transitions).toEqual(['inactive->active:enter']);
    expect(r.mem).toMatchObject({ state: 'active', enterStreak: 3, exitStreak: 0, lastTransitionEpoch: 7 });
    expect(run(initialMemory('operational'), Array(4).fill(ok(true, true)), 3).transitions).toEqual(['inactive->active:enter']);
  });

  it('a failing window resets the enter streak', () => {
    expect(run(initialMemory('operational'), [ok(true, true), ok(true, true), ok(false, true), ok(true, true), ok(true, true)], 3).transitions).toEqual([]);
  });

  it('exits after the required streak of failed stay conditions, resetting the enter streak', () => {
    const active = run(initialMemory('operational'), [ok(true, true)], 1).mem;
    expect(run(active, [ok(false, false)], 2).transitions).toEqual([]);
    const r = run(active, [ok(false, false), ok(false, false)], 2);
    expect(r.transitions).toEqual(['active->inactive:exit']);
    expect(r.mem).toMatchObject({ state: 'inactive', enterStreak: 0 });
    // a degraded-but-staying window neither exits nor counts as entering
    expect(run(active, Array(5).fill(ok(false, true)), 2).mem.state).toBe('active');
  });

  it('naming: inactive → rehearsal → trade → rehearsal, never back to inactive', () => {
    const r = run(initialMemory('naming'), [ok(true, true), ok(true, true), ok(false, false), ok(false, false)], 1);
    expect(r.transitions).toEqual(['inactive->rehearsal:rehearsal', 'rehearsal->trade:trade', 'trade->rehearsal:rehearsal']);
    expect(run(r.mem, Array(3).fill(ok(false, false)), 1).transitions).toEqual([]);
  });

  it('ad gates: inactive → rehearsal, exit → inactive; never trade', () => {
    const r = run(initialMemory('ad_targeting_presence'), [ok(true, true), ok(true, true), ok(false, false)], 1);
    expect(r.transitions).toEqual(['inactive->rehearsal:rehearsal', 'rehearsal->inactive:exit']);
  });

  it('no_signal keeps the state, resets streaks and names the missing source', () => {
    const half = run(initialMemory('naming'), [ok(true, true)], 3).mem;
    expect(half.enterStreak).toBe(1);
    const r = stepGate(half, noSignal('naming', 'DNS auctions', ['txt_success_ratio']), 3, 7);
    expect(r.transition).toBeUndefined();
    expect(r.mem).toMatchObject({ state: 'inactive', enterStreak: 0, exitStreak: 0, signal: 'no_signal', missingSources: ['DNS auctions'], lastMetrics: { txt_success_ratio: null } });
    expect(r.mem.lastReason).toBe('no_signal: DNS auctions is not available on this node (naming needs txt_success_ratio)');
  });

  it('waiting leaves streaks untouched', () => {
    const half = run(initialMemory('operational'), [ok(true, true)], 3).mem;
    expect(stepGate(half, { signal: 'waiting', reason: 'w', metrics: {} }, 3, 7).mem.enterStreak).toBe(1);
  });
});
