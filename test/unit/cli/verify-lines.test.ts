// `contract-cli snapshots verify` of a tampered snapshot (operator finding F7): the detail named in
// the message was printed a second time on the next line.
import { describe, expect, it } from 'vitest';
import { verifyLines } from '../../../src/cli/commands/snapshots-output';
import { describeProblems } from '../../../src/node-core/snapshots/verify';
import type { VerifyResult } from '../../../src/shared/api/snapshots-shapes';

const result = (problems: { path: string; problem: string; reason: string }[]): VerifyResult => ({
  ok: false,
  path: '/bk/tb-dev-3',
  files_checked: 5,
  bytes_checked: 100,
  reason: 'tampered',
  message: describeProblems('tb-dev-3', problems as never).message,
  problems: problems.map(({ path, problem }) => ({ path, problem })),
});

describe('verify lines', () => {
  it('one tampered file: the detail appears once', () => {
    const lines = verifyLines(result([{ path: 'chain/genesis.json', problem: 'size is 515 bytes, the manifest says 513', reason: 'tampered' }]));
    expect(lines.join('\n').split('size is 515 bytes').length - 1).toBe(1);
    expect(lines).toHaveLength(1);
  });

  it('several problems: the others are listed under the message', () => {
    const lines = verifyLines(
      result([
        { path: 'chain/a.ldb', problem: 'SHA-256 differs', reason: 'tampered' },
        { path: 'keys/k.json', problem: 'SHA-256 differs', reason: 'tampered' },
      ]),
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('  keys/k.json: SHA-256 differs');
  });
});
