// Treasury "Create from a JSON template" (new-operator walkthrough): text that stopped being JSON
// kept the previous text's warnings on screen, and a 70,000-character title was not flagged
// although the node refuses a payload longer than the contract's PAYLOAD_MAX_CHARS.
import { describe, expect, it } from 'vitest';
import { PAYLOAD_MAX_CHARS } from '../../../src/shared/api/treasury-payload';
import { createChecks, type PreviewResult } from '../../../src/renderer/src/treasury/create-checks';

const payload = (title = 'Grant') => ({
  proposal: { title, summary: 'What it pays for', quorum: { operators_ppm: 670000, builders_ppm: 670000 } },
  disbursement: { destination: 'tb1' + '0'.repeat(40), amount: 1000, memo: '', scheduled_epoch: 1 },
});
const warned: PreviewResult = {
  ok: true,
  issues: [{ path: 'disbursement.amount', code: 'InsufficientFunds', message: 'treasury holds 0 (0 uncommitted); amount 1000 is not covered yet', severity: 'warning' }],
  windows: { vote_blocks: 120, timelock_blocks: 120, rollback_blocks: 120 },
};

describe('treasury create panel checks', () => {
  it('a valid payload shows the preview: warnings only is submittable', () => {
    expect(createChecks(null, payload(), warned)).toEqual({ jsonError: null, issues: warned.issues, windows: warned.windows, ok: true });
    expect(createChecks(null, payload(), undefined)).toMatchObject({ issues: [], ok: false });
  });

  it.each([
    ['', 'Unexpected end of JSON input'],
    ['{', "Expected property name or '}' in JSON at position 1"],
  ])('text %j that is not JSON shows the parse error and clears the previous checks', (text, message) => {
    let err = '';
    try {
      JSON.parse(text);
    } catch (e) {
      err = (e as Error).message;
    }
    expect(err).toContain(message.split(' ')[0]);
    // the last good payload and its preview are still what the page holds
    expect(createChecks(err, payload(), warned)).toEqual({ jsonError: err, issues: [], windows: null, ok: false });
  });

  it('a payload over the contract limit is flagged before submit, once, even while the node says nothing', () => {
    const long = payload('t'.repeat(70_000));
    const c = createChecks(null, long, undefined);
    expect(c.ok).toBe(false);
    expect(c.issues).toEqual([{ path: '(root)', code: 'PayloadTooLarge', message: expect.stringContaining(`(max ${PAYLOAD_MAX_CHARS})`), severity: 'error' }]);
    const node: PreviewResult = {
      ok: false,
      windows: null,
      issues: [
        { path: 'proposal.title', code: 'schema', message: `Too big: expected string to have <=${PAYLOAD_MAX_CHARS} characters`, severity: 'error' },
        { path: '(root)', code: 'PayloadTooLarge', message: 'payload is 70150 characters as JSON (max 65536)', severity: 'error' },
      ],
    };
    // the node's own size issue is not listed twice; its field issue is kept
    expect(createChecks(null, long, node).issues.map((i) => `${i.path} ${i.code}`)).toEqual(['(root) PayloadTooLarge', 'proposal.title schema']);
    // even if a preview said ok, the local limit keeps Create disabled
    expect(createChecks(null, long, { ok: true, issues: [], windows: null }).ok).toBe(false);
    expect(createChecks(null, payload('t'.repeat(60_000)), warned).ok).toBe(true);
  });
});
