/**
 * The naming gate fed by the .block registry (issue 16): a dev node (50 ms blocks, governor on,
 * 1 s windows) runs healthy auctions through dns.*; the governor's naming gate, which read
 * `no_signal` before this module, moves Inactive → Rehearsal, its intent applies on chain, and
 * the registry reports mode "rehearsal" (auctions run, no value moves).
 */
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { Node } from '../../../src/node-core/node.js';
import { Keystore } from '../../../src/node-core/wallet/keystore.js';
import { rpc, removeTemp, tempDir } from '../node/helpers.js';

let dir: string;
let node: Node | undefined;
let port: number;

async function call(method: string, params: unknown = []): Promise<any> {
  const r = await rpc(port, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
  return r.result;
}
async function included(hash: string): Promise<void> {
  const until = Date.now() + 60_000;
  while ((await call('tx.status', [hash])).status !== 'included') {
    if (Date.now() > until) throw new Error(`tx ${hash} not included`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function until<T>(f: () => Promise<T>, ok: (v: T) => boolean, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out; last value ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  dir = await tempDir('tb-dns-gate');
  const root = path.join(dir, 'node');
  await new Keystore(root, 'dev').create('bidder');
  const { config } = loadConfig({
    cwd: os.tmpdir(),
    env: { TB_GOVERNOR_ENABLED: '1', TB_GOVERNOR_WINDOW_SECS: '1', TB_GOVERNOR_SHADOW_ONLY: '0' },
    flags: { data_dir: root, rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '50', log_level: 'warn' },
  });
  node = await Node.start(config, { stdout: false });
  port = node.rpcPort!;
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await removeTemp(dir);
});

describe('naming gate on a dev chain', () => {
  it('healthy auctions move it Inactive → Rehearsal; the registry then runs in rehearsal', async () => {
    const naming = async () => (await call('governor.status')).gates.find((g: { name: string }) => g.name === 'naming');
    expect(await naming()).toMatchObject({ state: 'inactive', signal: 'waiting' });
    const bidder = (await call('wallet.list')).wallets.find((k: { name: string }) => k.name === 'bidder').address;
    await included((await call('wallet.transfer', { from: 'faucet', to: bidder, amount: '10000' })).hash);
    for (const d of ['one.block', 'two.block']) {
      await included((await call('dns.publish_record', { from: 'faucet', domain: d })).hash);
      await included((await call('dns.list_for_sale', { from: 'faucet', domain: d, min_bid: '10', stake_requirement: '5', duration_blocks: 40 })).hash);
      await included((await call('dns.register_stake', { from: 'bidder', reference: `k-${d.split('.')[0]}`, amount: '5' })).hash);
      await included((await call('dns.place_bid', { from: 'bidder', domain: d, amount: '20', stake_ref: `k-${d.split('.')[0]}` })).hash);
      await until(() => call('dns.auctions', [d]), (v) => v.auctions[0].phase === 'ended');
      await included((await call('dns.complete_sale', { from: 'bidder', domain: d })).hash);
    }
    const g = await until(naming, (x) => x.state === 'rehearsal');
    expect(g.last_metrics).toMatchObject({ txt_success_ratio: 1, completion_ratio: 1, dispute_ratio: 0, settlement_p90: '20' });
    const [intent] = await until(() => call('governor.decisions', { limit: 50, gate: 'naming' }), (l) => l.length > 0);
    expect(intent).toMatchObject({ gate: 'naming', action: 'rehearsal', params_patch: { naming_mode: 'rehearsal' } });
    await until(() => call('dns.auctions'), (v) => v.mode === 'rehearsal', 120_000);
  }, 240_000);
});
