// wallet.history on a real node (real classic-level, real RPC port): transfers in and out of an
// address, newest first, bounded scan, field-level errors for bad params.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, removeTemp, rpc, runCli, spawnNode, stopNode, tempDir, type NodeProc } from '../node/helpers.js';

const MANUAL = ['--block-time-ms', '600000'];
let dir: string;
let n: NodeProc;
let port: number;

beforeAll(async () => {
  dir = await tempDir('tb-hist');
  n = spawnNode({ dataDir: dir, args: MANUAL });
  port = (await n.ready).rpc_port;
});
afterAll(async () => {
  if (n) await stopNode(n);
  await removeTemp(dir);
});

describe('wallet.history', () => {
  it('lists transfers in and out, newest first, with heights and fees', async () => {
    const faucet = (await call(port, 'wallet.list')).wallets[0].address as string;
    const alice = 'tb1' + 'ab'.repeat(20);
    const bob = 'tb1' + 'cd'.repeat(20);
    const t1 = await call(port, 'wallet.transfer', { from: 'faucet', to: alice, amount: '25' });
    await call(port, 'dev.mine_one');
    await call(port, 'dev.mine_one'); // an empty block in between
    const t2 = await call(port, 'wallet.transfer', ['faucet', bob, '17']);
    await call(port, 'dev.mine_one');

    const f = await call(port, 'wallet.history', [faucet]);
    expect(f.entries.map((e: { hash: string }) => e.hash)).toEqual([t2.hash, t1.hash]);
    expect(f.entries[0]).toMatchObject({ direction: 'out', counterparty: bob, amount: '17', height: 3, fee: t2.fee });
    expect(f.entries[1]).toMatchObject({ direction: 'out', counterparty: alice, amount: '25', height: 1 });
    expect(f).toMatchObject({ scanned_from: 1, scanned_to: 3, truncated: false });

    const a = await call(port, 'wallet.history', { address: alice });
    expect(a.entries).toHaveLength(1);
    expect(a.entries[0]).toMatchObject({ direction: 'in', counterparty: faucet, amount: '25', hash: t1.hash });
    expect((await call(port, 'wallet.history', { address: 'tb1' + 'ee'.repeat(20) })).entries).toEqual([]);

    // limit and max_blocks bound the work and say so.
    const one = await call(port, 'wallet.history', { address: faucet, limit: 1 });
    expect(one.entries).toHaveLength(1);
    expect(one.truncated).toBe(true);
    const recent = await call(port, 'wallet.history', { address: faucet, max_blocks: 1 });
    expect(recent.entries.map((e: { hash: string }) => e.hash)).toEqual([t2.hash]);
    expect(recent.scanned_from).toBe(3);
  });

  it('wallet.create makes a key that wallet.list shows and that can receive', async () => {
    const k = await call(port, 'wallet.create', { name: 'alice-2' });
    expect(k.address).toMatch(/^tb1[0-9a-f]{40}$/);
    expect((await call(port, 'wallet.list')).wallets.map((w: { name: string }) => w.name)).toContain('alice-2');
    const dup = await rpc(port, 'wallet.create', ['alice-2']);
    expect((dup.error as any).data.reason).toBe('duplicate');
    const bad = await rpc(port, 'wallet.create', ['Not Valid']);
    expect(bad.error?.code).toBe(-32602);
    const t = await call(port, 'wallet.transfer', ['faucet', k.address, '5']);
    await call(port, 'dev.mine_one');
    const h = await call(port, 'wallet.history', [k.address]);
    expect(h.entries[0]).toMatchObject({ hash: t.hash, direction: 'in', amount: '5' });
  });

  it('contract-cli wallet history by wallet name (human and json)', async () => {
    const args = ['--data-dir', dir, '--rpc', `http://127.0.0.1:${port}`];
    const human = await runCli('contract-cli', ['wallet', 'history', 'alice-2', ...args]);
    expect(human.stderr).toBe('');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/in +\+5 +from tb1/);
    const json = JSON.parse((await runCli('contract-cli', ['wallet', 'history', 'faucet', '--limit', '1', '--format', 'json', ...args])).stdout);
    expect(json.entries).toHaveLength(1);
    expect(json.truncated).toBe(true);
  });

  it('refuses bad params field by field', async () => {
    const r = await rpc(port, 'wallet.history', { address: 'nope', max_blocks: 1_000_000 });
    expect(r.error?.code).toBe(-32602);
    const paths = (r.error as any).data.issues.map((i: { path: (string | number)[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['address', 'max_blocks']));
  });
});
