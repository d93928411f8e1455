// Usage errors exit 2 (README "contract-cli": 0 success, 1 failure, 2 usage or configuration error),
// including two cases found by hand: a wallet name the keystore refuses (was 1) and a command
// group run without its subcommand, which prints help on stderr (was 0). Real processes, no node.
import { promises as fs } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemp, runCli, tempDir } from '../node/helpers.js';

let dataDir: string;
beforeAll(async () => {
  dataDir = await tempDir('tb-cli-usage');
});
afterAll(async () => {
  await removeTemp(dataDir);
});

describe('contract-cli / probe usage exit codes', () => {
  it.each([['../evil'], ['Ωmega'], ['a b'], ['x'.repeat(33)]])('wallet new --name %j → exit 2, names the rule, writes nothing', async (name) => {
    const r = await runCli('contract-cli', ['wallet', 'new', '--name', name, '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: invalid wallet name .*1-32 characters of a-z, 0-9, _ and -/m);
    const wallets = await fs.readdir(`${dataDir}/keys/wallets`).catch(() => [] as string[]);
    expect(wallets).toEqual([]);
  });

  it('a valid name still works (exit 0), a duplicate is a failure (exit 1), not usage', async () => {
    expect((await runCli('contract-cli', ['wallet', 'new', '--name', 'alice', '--data-dir', dataDir])).code).toBe(0);
    const dup = await runCli('contract-cli', ['wallet', 'new', '--name', 'alice', '--data-dir', dataDir]);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
  });

  it.each([
    ['contract-cli', [] as string[]],
    ['contract-cli', ['wallet']],
    ['contract-cli', ['chain']],
    ['probe', [] as string[]],
  ] as const)('%s %j without a subcommand → help on stderr, exit 2', async (bin, args) => {
    const r = await runCli(bin, [...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage:');
  });

  it.each([
    ['contract-cli', ['--help']],
    ['contract-cli', ['help']],
    ['contract-cli', ['wallet', '--help']],
    ['probe', ['--help']],
  ] as const)('%s %j (asked for help) → exit 0', async (bin, args) => {
    const r = await runCli(bin, [...args]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage:');
  });
});
