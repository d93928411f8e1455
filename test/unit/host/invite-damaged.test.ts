// Network import of a damaged invite or an incomplete network file (operator finding F13): a
// garbage invite showed JSON.parse's text about '\uFFFD'; `{"name":"x"}` gave four zod messages in
// one run-on line.
import { describe, expect, it } from 'vitest';
import { INVITE_PREFIX, parseShared } from '../../../src/host/network-import.js';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('did not throw');
};

describe('damaged network input', () => {
  it.each(['garbage', 'eyJuYW1lIjoiYm9i', 'WzEsMl0'])('invite tb-invite:%s → damaged or cut short, copy it again', (body) => {
    const m = message(() => parseShared(`${INVITE_PREFIX}${body}`));
    expect(m).toContain('this invite is damaged or cut short — copy it again');
    expect(m).not.toMatch(/JSON|\uFFFD/);
  });

  it('a network file missing fields names them together, without zod wording', () => {
    const m = message(() => parseShared('{"name":"x"}'));
    expect(m).toMatch(/missing chain_id, genesis_hash, genesis, bootstrap/);
    expect(m).not.toContain('Invalid input');
    expect(message(() => parseShared('{"name":"x","chain_id":"7","genesis_hash":"00","genesis":{},"bootstrap":[]}'))).toMatch(/chain_id must be a number, not a string/);
  });
});
