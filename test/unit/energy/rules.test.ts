// Energy market rules (pure): settlement math (price × kWh, treasury fee floor(price_paid × 250 / 10 000),
// integers), slashing at energy_slashing_rate_bps of the stake on an upheld dispute, conservation of
// value over random markets (fast-check), rehearsal moving nothing, and the reading checks' order.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Ledger, TxContext } from '../../../src/node-core/chain/module.js';
import { applyEnergy, checkReading, ENERGY_ESCROW, type EnergyCall, type Params } from '../../../src/node-core/energy/rules.js';
import { decodeEnergy, EMPTY_ENERGY, encodeEnergy, type EnergyState } from '../../../src/node-core/energy/state.js';
import { TREASURY_ADDRESS } from '../../../src/node-core/treasury/index.js';

const V = 'tb1' + 'aa'.repeat(20);
const OWNER = 'tb1' + 'bb'.repeat(20);

function ledger(b: Map<string, bigint>): Ledger {
  const get = (a: string) => b.get(a) ?? 0n;
  return {
    balance: get,
    transfer(from, to, amount) {
      if (get(from) < amount) return { reason: 'insufficient_balance', message: `${from} has ${get(from)}` };
      b.set(from, get(from) - amount);
      b.set(to, get(to) + amount);
      return null;
    },
    credit: () => null,
    debit: () => null,
  };
}
function ctx(b: Map<string, bigint>, height = 10, timestampMs = 1_700_000_000_000): TxContext {
  return { height, epoch: 0, timestampMs, proposer: V, validators: new Map([[V, 100n]]), ledger: ledger(b), read: () => { throw new Error('no reads'); }, sender: V, txHash: '00'.repeat(32), fee: 0n, fees: 0n, index: 0 };
}
const P = (trade: boolean, slashingBps = 500n): Params => ({ minStake: 1000n, timeoutBlocks: 30n, slashingBps, trade });
function run(s: EnergyState, c: EnergyCall, cx: TxContext, p: Params): EnergyState {
  const r = applyEnergy(s, c, cx, p);
  if (!r.ok) throw new Error(`${r.reason}: ${r.message}`);
  return r.state;
}
const reading = (kwh: bigint, ts: number, nonce: bigint) => ({ provider_id: 'energy-0x00000000', meter_address: 'm1', total_kwh: kwh, timestamp: ts, nonce, signature: new Uint8Array(64).fill(Number(nonce % 255n)) });

function market(trade: boolean, b: Map<string, bigint>, price: bigint, stake: bigint, kwh: bigint): { s: EnergyState; hash: string } {
  let s = run(EMPTY_ENERGY, { op: 'register', capacity: 1_000_000n, price, stake, meter: 'm1', jurisdiction: 'US_CA', owner: OWNER }, ctx(b), P(trade));
  s = run(s, { op: 'readings', readings: [reading(kwh, 1_700_000_000, 1n)] }, ctx(b), P(trade));
  return { s, hash: [...s.credits.keys()][0] };
}

describe('energy settlement and slashing', () => {
  it('price × kWh, fee floor(price_paid × 250 / 10 000) to the treasury, the rest to the owner (integers)', () => {
    const b = new Map([[V, 10_000n]]);
    const { s, hash } = market(true, b, 7n, 2000n, 77n);
    expect(b.get(ENERGY_ESCROW)).toBe(2000n);
    const s2 = run(s, { op: 'settle', provider: 'energy-0x00000000', kwh: 77n, hash }, ctx(b, 11), P(true));
    expect(s2.receipts[0]).toMatchObject({ pricePaid: 539n, fee: 13n, kwh: 77n, trade: true });
    expect(b.get(OWNER)).toBe(526n);
    expect(b.get(TREASURY_ADDRESS)).toBe(13n);
    expect(s2.credits.size).toBe(0);
    expect(s2.providers.get('energy-0x00000000')).toMatchObject({ available: 1_000_000n - 77n, delivered: 77n });
    // the state round-trips through its canonical encoding
    expect(encodeEnergy(decodeEnergy(encodeEnergy(s2)))).toEqual(encodeEnergy(s2));
  });

  it('an upheld dispute slashes stake × rate / 10 000 from escrow into the treasury; a second vote is refused', () => {
    const b = new Map([[V, 10_000n]]);
    const { s, hash } = market(true, b, 7n, 2000n, 77n);
    const s1 = run(s, { op: 'flag', hash, reason: 'tamper', reporter: '' }, ctx(b, 11), P(true));
    const s2 = run(s1, { op: 'vote', id: 1, choice: 'uphold', note: 'confirmed' }, ctx(b, 12), P(true, 750n));
    expect(s2.slashes[0]).toMatchObject({ amount: 150n, reason: 'dispute' });
    expect(s2.providers.get('energy-0x00000000')!.stake).toBe(1850n);
    expect(b.get(ENERGY_ESCROW)).toBe(1850n);
    expect(b.get(TREASURY_ADDRESS)).toBe(150n);
    const again = applyEnergy(s2, { op: 'vote', id: 1, choice: 'dismiss', note: '' }, ctx(b, 13), P(true));
    expect(again.ok ? '' : again.reason).toBe('dispute_already_resolved');
  });

  it('conserves value over random markets, and rehearsal moves nothing', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.bigInt({ min: 0n, max: 1_000_000n }), fc.bigInt({ min: 1000n, max: 10n ** 9n }), fc.bigInt({ min: 1n, max: 100_000n }), fc.bigInt({ min: 0n, max: 10_000n }), (trade, price, stake, kwh, bps) => {
        const b = new Map([[V, 10n ** 15n]]);
        const total = () => [...b.values()].reduce((x, y) => x + y, 0n);
        const t0 = total();
        const { s, hash } = market(trade, b, price, stake, kwh);
        const settle = kwh / 2n + 1n;
        const s2 = run(s, { op: 'settle', provider: 'energy-0x00000000', kwh: settle, hash }, ctx(b, 11), P(trade));
        const s3 = run(run(s2, { op: 'flag', hash, reason: 'x', reporter: '' }, ctx(b, 12), P(trade)), { op: 'vote', id: 1, choice: 'uphold', note: '' }, ctx(b, 13), P(trade, bps));
        expect(total()).toBe(t0);
        const r = s3.receipts[0];
        expect(r.pricePaid).toBe(settle * price);
        expect(r.fee).toBe((settle * price * 250n) / 10_000n);
        expect(s3.slashes[0].amount).toBe((stake * bps) / 10_000n);
        if (!trade) expect(b.get(V)).toBe(10n ** 15n);
        else expect((b.get(OWNER) ?? 0n) + (b.get(TREASURY_ADDRESS) ?? 0n) + (b.get(ENERGY_ESCROW) ?? 0n)).toBe(settle * price + stake);
      }),
      { numRuns: 200 },
    );
  });

  it('registration needs energy_min_stake and a free meter; settlement refuses unknown credits, overdraws and over-capacity', () => {
    const b = new Map([[V, 10_000n]]);
    const low = applyEnergy(EMPTY_ENERGY, { op: 'register', capacity: 10n, price: 1n, stake: 999n, meter: 'm1', jurisdiction: 'US_CA', owner: '' }, ctx(b), P(false));
    expect(low.ok ? '' : low.reason).toBe('insufficient_stake');
    const { s, hash } = market(false, b, 1n, 1000n, 50n);
    const dup = applyEnergy(s, { op: 'register', capacity: 10n, price: 1n, stake: 1000n, meter: 'm1', jurisdiction: 'US_CA', owner: '' }, ctx(b), P(false));
    expect(dup.ok ? '' : dup.reason).toBe('meter_in_use');
    const reason = (c: EnergyCall) => {
      const r = applyEnergy(s, c, ctx(b, 11), P(false));
      return r.ok ? 'ok' : r.reason;
    };
    expect(reason({ op: 'settle', provider: 'energy-0x00000000', kwh: 1n, hash: 'ff'.repeat(32) })).toBe('unknown_reading');
    expect(reason({ op: 'settle', provider: 'energy-0x00000000', kwh: 51n, hash })).toBe('insufficient_credit');
    expect(reason({ op: 'settle', provider: 'energy-0x00000001', kwh: 1n, hash })).toBe('unknown_provider');
    const other = { ...ctx(b, 11), sender: OWNER };
    const r = applyEnergy(s, { op: 'settle', provider: 'energy-0x00000000', kwh: 1n, hash }, other, P(false));
    expect(r.ok ? '' : r.reason).toBe('unauthorized');
  });

  it('reading checks in order: timestamps against the block time, then nonce, order, total', () => {
    const b = new Map([[V, 10_000n]]);
    const { s } = market(false, b, 1n, 1000n, 50n);
    const p = s.providers.get('energy-0x00000000')!;
    const now = 1_700_000_010;
    const chk = (kwh: bigint, ts: number, nonce: bigint) => checkReading(p, reading(kwh, ts, nonce), now, 30n)?.reason ?? 'ok';
    expect(chk(60n, now + 301, 2n)).toBe('future_timestamp');
    expect(chk(60n, now - 301, 2n)).toBe('stale_timestamp');
    expect(chk(60n, now - 31, 2n)).toBe('oracle_timeout');
    expect(chk(60n, now, 1n)).toBe('nonce_replay');
    expect(chk(60n, 1_700_000_000, 2n)).toBe('stale_reading');
    expect(chk(49n, now, 2n)).toBe('non_monotonic_total');
    expect(chk(50n, now, 2n)).toBe('ok');
    expect(checkReading(undefined, reading(1n, now, 1n), now, 30n)?.reason).toBe('unknown_provider');
    expect(checkReading(p, { ...reading(60n, now, 2n), meter_address: 'm2' }, now, 30n)?.reason).toBe('unknown_meter');
  });
});
