/** The naming gate's verdict from registry samples (dns/gate.ts) and its steps through gates.ts. */
import { describe, expect, it } from 'vitest';
import { evaluateNaming } from '../../../src/node-core/dns/gate.js';
import { initialMemory, stepGate } from '../../../src/node-core/governor/gates.js';

const healthy = { txtAttempts: 10, txtOk: 10, completions: 4, cancels: 0, stakeUnlocks: 1, salePrices: [100n, 200n, 300n, 400n], totalStake: 500n, mode: 'inactive' as const };

describe('naming gate source', () => {
  it('waits without activity, then healthy auctions move inactive → rehearsal → trade', () => {
    expect(evaluateNaming({ ...healthy, txtAttempts: 0, txtOk: 0 }).signal).toBe('waiting');
    expect(evaluateNaming({ ...healthy, completions: 0 }).signal).toBe('waiting');
    const v = evaluateNaming(healthy);
    expect(v).toMatchObject({ signal: 'ok', enterOk: true, stayOk: true });
    expect(v.metrics).toEqual({ txt_success_ratio: 1, completion_ratio: 1, dispute_ratio: 0.2, stake_coverage_ratio: 1.25, settlement_p90: '400' });
    let { mem, transition } = stepGate(initialMemory('naming'), v, 1, 3);
    expect(transition).toEqual({ from: 'inactive', to: 'rehearsal', action: 'rehearsal' });
    ({ mem, transition } = stepGate(mem, evaluateNaming({ ...healthy, mode: 'rehearsal' }), 1, 4));
    expect(transition?.to).toBe('trade');
  });
  it('unhealthy registries do not enter; forged TXT floods push trade back to rehearsal', () => {
    expect(evaluateNaming({ ...healthy, txtOk: 5 })).toMatchObject({ enterOk: false, stayOk: false });
    expect(evaluateNaming({ ...healthy, cancels: 4 })).toMatchObject({ enterOk: false });
    expect(evaluateNaming({ ...healthy, mode: 'rehearsal', totalStake: 10n })).toMatchObject({ enterOk: false, stayOk: true });
    const trade = { ...initialMemory('naming'), state: 'trade' as const };
    expect(stepGate(trade, evaluateNaming({ ...healthy, mode: 'trade', txtOk: 1 }), 1, 9).transition?.to).toBe('rehearsal');
  });
});
