// Transfer form rules: every bad input names the problem; good input gives exact bigints.
import { describe, expect, it } from 'vitest';
import { validateTransfer } from '../../../src/renderer/src/wallet/validate.js';

const ALICE = 'tb1' + 'ab'.repeat(20);
const ok = { from: 'faucet', to: ALICE, amount: '25', fee: '' };
const ctx = { balance: 1000n, feeFloor: 2n };

describe('validateTransfer', () => {
  it('accepts a good transfer and defaults the fee to the floor', () => {
    expect(validateTransfer(ok, ctx)).toEqual({ errors: {}, amount: 25n, fee: 2n, total: 27n });
    expect(validateTransfer({ ...ok, fee: '7' }, ctx)).toMatchObject({ errors: {}, fee: 7n, total: 32n });
    expect(validateTransfer({ ...ok, amount: '998' }, ctx).errors).toEqual({});
  });

  it.each([
    [{ from: '' }, 'from', 'Choose the key'],
    [{ to: '' }, 'to', 'Enter the receiver'],
    [{ to: 'tb1xyz' }, 'to', 'tb1 followed by 40 hex digits'],
    [{ to: ALICE.toUpperCase().replace('TB1', 'tb1') }, 'to', 'lowercase'],
    [{ to: ALICE + '0' }, 'to', 'this has 44'],
    [{ amount: '' }, 'amount', 'Enter an amount'],
    [{ amount: '2.5' }, 'amount', 'decimal integer'],
    [{ amount: '1e3' }, 'amount', 'decimal integer'],
    [{ amount: '-1' }, 'amount', 'decimal integer'],
    [{ amount: '0' }, 'amount', 'greater than 0'],
    [{ amount: '999' }, 'amount', 'more than the balance of faucet (1000)'],
    [{ amount: '18446744073709551616' }, 'amount', 'at most'],
    [{ amount: '18446744073709551615', fee: '5' }, 'amount', 'beyond the largest'],
    [{ fee: '1' }, 'fee', 'at least the mempool floor of 2'],
    [{ fee: '0x10' }, 'fee', 'decimal integer'],
  ])('%j → %s error', (patch, field, text) => {
    const r = validateTransfer({ ...ok, ...patch }, ctx);
    expect((r.errors as Record<string, string>)[field]).toContain(text);
  });

  it('checks the balance only once it is known', () => {
    expect(validateTransfer({ ...ok, amount: '999999' }, { feeFloor: 1n }).errors).toEqual({});
  });
});
