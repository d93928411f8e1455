// Issue 12 item 3: one unreadable wallet file hides nothing. `wallet.list` (through the real
// dispatcher) lists the readable wallets and the damaged file apart with its path and reason;
// `contract-cli wallet list` shows them all and exits 0; a transfer from the damaged wallet is a
// clear application error naming the file, never −32603.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../src/node-core/rpc/dispatcher.js';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { runCli } from '../../integration/node/helpers.js';
import { openTestChain, type TestChain } from '../chain/helpers.js';

let t: TestChain;
afterEach(() => t?.cleanup());

const damages: [string, (file: string) => Promise<void>][] = [
  ['truncated to half', async (f) => fs.truncate(f, Math.floor((await fs.stat(f)).size / 2))],
  ['emptied', (f) => fs.truncate(f, 0)],
  ['NUL-filled', async (f) => fs.writeFile(f, Buffer.alloc((await fs.stat(f)).size))],
  ['a seed that does not match its address', async (f) => {
    const j = JSON.parse(await fs.readFile(f, 'utf8'));
    j.seed = '11'.repeat(32);
    await fs.writeFile(f, JSON.stringify(j));
  }],
];

describe('wallet.list with a damaged key file', () => {
  it.each(damages)('alice.json %s: faucet and bob still listed, alice reported apart', async (_what, damage) => {
    t = await openTestChain();
    await t.keystore.create('alice');
    const bob = await t.keystore.create('bob');
    const file = path.join(t.root, 'keys', 'wallets', 'alice.json');
    await damage(file);
    const d = new Dispatcher({ handlers: t.h, events: t.events, metrics: t.metrics, info: { title: 't', version: '0' } });
    const list = JSON.parse((await d.handleText('{"jsonrpc":"2.0","id":1,"method":"wallet.list"}', { transport: 'http', authorized: false }))!);
    expect(list.error).toBeUndefined();
    expect(list.result.wallets.map((w: { name: string }) => w.name)).toEqual(['faucet', 'bob']);
    expect(list.result.wallets[1]).toMatchObject({ address: bob.address, balance: '0' });
    expect(list.result.unreadable).toEqual([{ name: 'alice', path: file, reason: expect.stringMatching(/not JSON|not a key file|inconsistent/) }]);

    const transfer = JSON.parse(
      (await d.handleText(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'wallet.transfer', params: { from: 'alice', to: bob.address, amount: '1' } }), {
        transport: 'http',
        authorized: true,
      }))!,
    );
    expect(transfer.error.code).not.toBe(ErrorCode.Internal);
    expect(transfer.error).toMatchObject({ code: ErrorCode.Application, data: { reason: 'key_file_unreadable', path: file } });
    expect(transfer.error.message).toContain('alice.json');
  });

  it('contract-cli wallet list shows every readable wallet and the damaged one, exit 0', async () => {
    t = await openTestChain();
    await t.keystore.create('alice');
    await t.keystore.create('bob');
    const file = path.join(t.root, 'keys', 'wallets', 'alice.json');
    await fs.truncate(file, 10);
    const human = await runCli('contract-cli', ['wallet', 'list', '--data-dir', t.root, '--network', 'dev', '--rpc', 'http://127.0.0.1:9']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^faucet +tb1/m);
    expect(human.stdout).toMatch(/^bob +tb1/m);
    expect(human.stdout).toContain(`unreadable: alice  ${file}: is not JSON`);
    const json = await runCli('contract-cli', ['wallet', 'list', '--format', 'json', '--data-dir', t.root, '--network', 'dev', '--rpc', 'http://127.0.0.1:9']);
    expect(json.code).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.wallets.map((w: { name: string }) => w.name)).toEqual(['faucet', 'bob']);
    expect(r.unreadable).toEqual([{ name: 'alice', path: file, reason: expect.stringContaining('not JSON') }]);
  });
});
