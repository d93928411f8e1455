// Energy page model: coverage (received vs expected, nonce gaps, stale), the trace of a reading,
// chart series and the forms' field-level validation naming the exact failing field.
import { describe, expect, it } from 'vitest';
import type { EnergyMarketState } from '../../../src/shared/api/energy.js';
import { coverage, parseReading, series, trace, validateRegister } from '../../../src/renderer/src/energy/model.js';

const H = (n: number) => n.toString(16).padStart(64, '0');
const market = {
  status: 'ok', height: 20, timestamp_ms: 0, escrow: '',
  providers: [], credits: [{ provider: 'energy-0x00000000', amount_kwh: 60, timestamp: 5, meter_hash: H(1), reading_timestamp: 1000, nonce: 1, total_kwh: 100 }],
  receipts: [{ buyer: 'b', seller: 'energy-0x00000000', owner: 'o', kwh_delivered: 40, price_paid: 1000, block_settled: 7, treasury_fee: 25, slash_applied: 0, meter_hash: H(1), credit_height: 5, trade: false }],
  disputes: [], slashes: [],
  readings: [1, 2, 5, 6].map((nonce, i) => ({ provider_id: 'energy-0x00000000', meter_hash: H(nonce), height: 5 + i, timestamp: 1000 + 10 * (nonce - 1), nonce, total_kwh: 100 * nonce, credited_kwh: 100 })),
  governance: { mode: 'real_time', market_mode: 'rehearsal', quorum_threshold_ppm: 0, expiry_blocks: 0, oracle_timeout_blocks: 30, min_stake: 1000, slashing_rate_bps: 500, treasury_fee_bps: 250, max_clock_skew_secs: 300 },
  totals: { registrations: 1, readings: 4, settlements: 1, kwh_traded: 40, value_traded: 1000, treasury_fee: 0, slashed: 0 },
} satisfies EnergyMarketState;

describe('energy page model', () => {
  it('coverage: received vs expected, nonce gaps, stale after the oracle timeout', () => {
    const c = coverage(market, 'energy-0x00000000', 1060);
    expect(c).toMatchObject({ received: 4, gaps: [3, 4], interval_s: 10, age_s: 10, stale: false });
    expect(c.expected).toBe(7);
    expect(coverage(market, 'energy-0x00000000', 1100).stale).toBe(true);
    expect(coverage(market, 'energy-0x00000001', 1100)).toMatchObject({ received: 0, expected: 0, gaps: [], stale: false });
  });

  it('trace: reading → credit → settlement → receipt', () => {
    expect(trace(market, H(1)).map((s) => [s.step, s.done])).toEqual([['reading', true], ['credit', true], ['settlement', true], ['receipt', true]]);
    expect(trace(market, H(1))[1].text).toBe('100 kWh credited, 60 kWh still pending');
    expect(trace(market, H(2))[2]).toMatchObject({ step: 'settlement', done: false });
    expect(series(market)).toEqual([{ block: 7, kwh: 40, price: 25 }]);
  });

  it('forms name the failing field', () => {
    expect(validateRegister({ capacity_kwh: '500', price_per_kwh: '25', stake: '10', meter_address: 'meter-01', jurisdiction: 'US_CA' }, 1000)).toEqual({ stake: 'must be at least energy_min_stake = 1000' });
    // A negative number breaks the minimum, not "whole number" (operator finding F15).
    expect(validateRegister({ capacity_kwh: '-5', price_per_kwh: 'x', stake: '1000', meter_address: 'meter-01', jurisdiction: 'US_CA' }, 1000)).toEqual({ capacity_kwh: 'must be at least 1', price_per_kwh: 'must be a whole number (digits only, e.g. 500)' });
    expect(Object.keys(validateRegister({ capacity_kwh: '0', price_per_kwh: 'x', stake: '1000', meter_address: 'a b', jurisdiction: 'california' }, 1000))).toEqual(['capacity_kwh', 'price_per_kwh', 'meter_address', 'jurisdiction']);
    const r = parseReading(JSON.stringify({ provider_id: 'energy-0x00000000', meter_address: 'm', kwh_reading: 1, timestamp: 2, nonce: 1, signature: 'ab' }));
    expect(r).toEqual({ ok: false, errors: { signature: 'signature: signature must be 64 bytes (128 hex digits)' } });
    expect(parseReading('{').ok).toBe(false);
    expect(parseReading(JSON.stringify({ provider_id: 'energy-0x00000000', meter_address: 'm', kwh_reading: 1, timestamp: 2, nonce: 1, signature: 'ab'.repeat(64) })).ok).toBe(true);
  });
});
