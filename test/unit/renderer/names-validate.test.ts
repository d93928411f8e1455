// Names "Act" form rules: each bad value the walkthrough typed gets an operator message on its
// field and keeps the buttons that send it disabled; the node's −32602 issues land on their fields.
import { describe, expect, it } from 'vitest';
import { DOMAIN_RE } from '../../../src/shared/api/dns.js';
import { blocker, domainError, issuesOnFields, validateAct, type ActDraft } from '../../../src/renderer/src/names/validate.js';

const ok: ActDraft = { domain: 'alice.block', amount: '100', stakeRef: 'bob-1', stakeReq: '0', blocks: '30' };

describe('names form: domain', () => {
  it('accepts what the contract accepts', () => {
    for (const d of ['alice.block', 'a.block', 'a-1.block', `${'a'.repeat(63)}.block`]) {
      expect(domainError(d)).toBeUndefined();
      expect(DOMAIN_RE.test(d)).toBe(true);
    }
  });
  it.each([
    ['-alice.block', /cannot start or end with -/],
    ['alice-.block', /cannot start or end with -/],
    ['ünï.block', /Only a–z, 0–9 and -/],
    ['ALICE.block', /lowercase: alice\.block/],
    ['alice.BLOCK', /lowercase/],
    ['.block', /Type the name before \.block/],
    [`${'a'.repeat(64)}.block`, /at most 63 characters \(this has 64\)/],
    ['alice', /ends in \.block/],
    ['al ice.block', /Only a–z/],
  ])('%s: %s', (d, msg) => {
    expect(DOMAIN_RE.test(d)).toBe(false);
    expect(domainError(d)).toMatch(msg);
    expect(validateAct({ ...ok, domain: d }).domain).toMatch(msg);
  });
});

describe('names form: amounts, stake reference, duration', () => {
  it('a good draft has no errors and every button can send', () => {
    expect(validateAct(ok)).toEqual({});
    for (const a of ['publish', 'list', 'stake', 'bid', 'cancel'] as const) expect(blocker(a, ok, {})).toBeUndefined();
  });
  it('refuses a signed, fractional or too large amount in operator words', () => {
    expect(validateAct({ ...ok, amount: '-5' }).amount).toBe('Amount is a whole number of base units, like 100 (no sign, decimals or spaces).');
    expect(validateAct({ ...ok, amount: '1.5' }).amount).toMatch(/whole number/);
    expect(validateAct({ ...ok, amount: '99999999999999999999999' }).amount).toBe('Amount is beyond the largest possible amount (18446744073709551615).');
    expect(validateAct({ ...ok, stakeReq: '-1' }).stakeReq).toMatch(/^Stake required is a whole number/);
  });
  it('a zero amount is a valid minimum bid but not a bid or a stake', () => {
    const d = { ...ok, amount: '0' };
    expect(validateAct(d)).toEqual({});
    expect(blocker('list', d, {})).toBeUndefined();
    expect(blocker('bid', d, {})).toMatch(/more than 0 to bid/);
    expect(blocker('stake', d, {})).toMatch(/more than 0 to stake/);
  });
  it('refuses a stake reference with a space or capitals', () => {
    expect(validateAct({ ...ok, stakeRef: 'st 1' }).stakeRef).toMatch(/1–64 of a–z, 0–9, _ and -/);
    expect(validateAct({ ...ok, stakeRef: 'ST1' }).stakeRef).toMatch(/no capitals/);
    expect(validateAct({ ...ok, stakeRef: 'a'.repeat(65) }).stakeRef).toMatch(/at most 64 characters \(this has 65\)/);
  });
  it('an empty or out-of-range duration is an error (it answered "<1")', () => {
    expect(validateAct({ ...ok, blocks: '' }).blocks).toBe('Enter the auction length in blocks (1 to 1,000,000).');
    expect(validateAct({ ...ok, blocks: '0' }).blocks).toMatch(/from 1 to 1,000,000/);
    expect(validateAct({ ...ok, blocks: '1000001' }).blocks).toMatch(/from 1 to 1,000,000/);
  });
  it('each button is blocked only by the fields it sends', () => {
    const d = { ...ok, amount: '-5', domain: '' };
    const e = validateAct(d);
    expect(blocker('publish', d, e)).toBe('Fill in Name.');
    expect(blocker('stake', d, e)).toMatch(/whole number/);
    const bad = { ...ok, domain: '-alice.block' };
    expect(blocker('stake', bad, validateAct(bad))).toBeUndefined();
    expect(blocker('publish', bad, validateAct(bad))).toMatch(/cannot start/);
  });
});

describe('names form: the node’s −32602 issues', () => {
  it('puts them on their fields in operator words, the rest aside', () => {
    const sent = { ...ok, amount: '-5', blocks: '' };
    const r = issuesOnFields(
      [
        { path: ['min_bid'], message: 'must be a decimal integer string like "25" (no sign, fraction, exponent or spaces)' },
        { path: ['duration_blocks'], message: 'Too small: expected number to be >=1' },
        { path: ['stake_ref'], message: 'must be 1-64 of a-z 0-9 _ -' },
        { path: ['from'], message: 'required (a string)' },
      ],
      sent,
    );
    expect(r.fields).toEqual({
      amount: 'Amount is a whole number of base units, like 100 (no sign, decimals or spaces).',
      blocks: 'Enter the auction length in blocks (1 to 1,000,000).',
      // The form thinks "bob-1" is fine: the node's own words, said as a refusal.
      stakeRef: 'The node refused this value: must be 1-64 of a-z 0-9 _ -.',
    });
    expect(r.rest).toEqual([{ path: ['from'], message: 'required (a string)' }]);
  });
});
