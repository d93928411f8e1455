/**
 * A restore replaces the keys folder with the snapshot's: a wallet key made since the snapshot
 * would be left only in the pre-restore copy (operator walkthrough: it vanished from the Wallet
 * drawer and "remove it once the node runs well" then lost it for good). The plan names such keys
 * (`wallets_not_in_snapshot`), and `contract-cli snapshots restore` warns before it asks.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { planRestore } from '../../../src/node-core/snapshots/restore-plan.js';
import { removeTemp, runCli, tempDir } from '../node/helpers.js';
import { makeDataDir } from './helpers.js';

let dir: string;
let data: string;
const env = () => ({ TB_DATA_DIR: data });

beforeAll(async () => {
  dir = await tempDir('tb-restore-wallets');
  data = path.join(dir, 'data');
  await makeDataDir(data, 2);
  expect((await runCli('contract-cli', ['wallet', 'new', '--name', 'early'], { env: env() })).code).toBe(0);
}, 60_000);
afterAll(async () => {
  await removeTemp(dir);
});

async function snapshot(include: string): Promise<string> {
  const r = await runCli('contract-cli', ['snapshots', 'create', '--path', path.join(dir, `bk-${include.replace(/,/g, '-')}`), '--data-dir', data, '--format', 'json', '--include', include]);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { path: string }).path;
}

it('names the wallet keys made since a snapshot that holds the keys; the CLI warns before it asks', async () => {
  const withKeys = await snapshot('chain,keys');
  const withoutKeys = await snapshot('chain');
  expect((await runCli('contract-cli', ['wallet', 'new', '--name', 'later'], { env: env() })).code).toBe(0);
  expect((await runCli('contract-cli', ['wallet', 'new', '--name', 'also-later'], { env: env() })).code).toBe(0);

  const { plan } = await planRestore(withKeys, data, 'dev');
  expect(plan.ok).toBe(true);
  expect(plan.wallets_not_in_snapshot).toEqual(['also-later', 'later']);
  // Keys not in the snapshot are kept as they are: nothing to warn about.
  expect((await planRestore(withoutKeys, data, 'dev')).plan.wallets_not_in_snapshot).toBeUndefined();

  // No confirmation typed (stdin closed): the plan is printed with the warning and nothing changes.
  const r = await runCli('contract-cli', ['snapshots', 'restore', '--from', withKeys, '--data-dir', data]);
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/WARNING: wallet keys also-later, later are not in the snapshot: after the restore they are only in \S.*\/keys\/wallets\/ — copy them back before removing that folder/);
  const list = await runCli('contract-cli', ['wallet', 'list'], { env: env() });
  expect(list.stdout).toContain('later');
}, 120_000);
