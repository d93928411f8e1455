/**
 * The treasury module in a real in-process node (real classic-level chain DB, real RPC on a free
 * port, blocks produced with dev.mine_one): fund the treasury, create → queue → vote → tally →
 * timelock → (scheduled epoch) → execute (lease; the treasury pays the execution fee) → Finalized;
 * a second disbursement executed and rolled back inside its window with the compensating move;
 * provenance.json; metrics; params; a wallet key (`from`) that signs and pays for its calls; the
 * executor's intent queue surviving a node restart (the lost tx re-submitted from
 * treasury/intents.json); and a from-genesis replay that reproduces the treasury state and root.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFromGenesis } from '../../../src/node-core/chain/replay.js';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { chainModulesOf } from '../../../src/node-core/modules/index.js';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { Node } from '../../../src/node-core/node.js';
import { TREASURY_ADDRESS } from '../../../src/node-core/treasury/index.js';
import { rpc, removeTemp, tempDir } from '../node/helpers.js';

let dir: string;
let node: Node | undefined;
let port: number;
const DEST = 'tb1' + '7e'.repeat(20);

async function call(method: string, params: unknown = []): Promise<any> {
  const r = await rpc(port, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
  return r.result;
}
async function mine(n = 1): Promise<void> {
  for (let i = 0; i < n; i++) await call('dev.mine_one');
}
async function mineTo(height: number): Promise<void> {
  while ((await call('chain.tip')).height < height) await mine();
}
let config: ReturnType<typeof loadConfig>['config'];
const payload = (amount: number, title: string) => ({
  proposal: { title, summary: 'integration', quorum: { operators_ppm: 670000, builders_ppm: 670000 }, vote_window_blocks: 3, timelock_blocks: 2, rollback_window_blocks: 4 },
  disbursement: { destination: DEST, amount, memo: title, scheduled_epoch: 1 },
});

beforeAll(async () => {
  dir = await tempDir('tb-treasury');
  config = loadConfig({ cwd: os.tmpdir(), env: {}, flags: { data_dir: path.join(dir, 'node'), rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '600000', log_level: 'warn', rpc_tokens_per_sec: '100000' } }).config;
  node = await Node.start(config, { stdout: false });
  port = node.rpcPort!;
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await removeTemp(dir);
});

async function toStatus(id: number, status: string, max = 10): Promise<any> {
  for (let i = 0; i < max; i++) {
    const d = (await call('gov.treasury.disbursement', { id })).disbursement;
    if (d.status === status) return d;
    await mine();
  }
  throw new Error(`disbursement ${id} did not reach ${status}`);
}

describe('treasury in a node', () => {
  it('create → vote → timelock → execute → Finalized, with provenance.json and metrics', async () => {
    await call('wallet.transfer', { from: 'faucet', to: TREASURY_ADDRESS, amount: '10000' });
    await mine();
    expect((await call('gov.treasury.balance')).balance).toBe('10000');

    const bad = await rpc(port, 'gov.treasury.submit_disbursement', { payload: { disbursement: { destination: 'ct1x', amount: 0, memo: '', scheduled_epoch: 1 } } });
    expect(bad.error?.code).toBe(-32602); // field issues, as for any other method's params
    expect(bad.error?.data?.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(expect.arrayContaining(['payload.disbursement.destination', 'payload.disbursement.amount']));

    await call('gov.treasury.submit_disbursement', { payload: payload(600, 'grant one') });
    await mine();
    await call('gov.treasury.queue_disbursement', { id: 1 });
    await mine();
    await call('gov.treasury.vote_disbursement', { id: 1, choice: 'yes' });
    await mine();
    const q = await toStatus(1, 'Queued');
    expect(q.votes).toMatchObject({ yes: q.votes.total_stake, turnout_ppm: 1_000_000, passing: true });
    await toStatus(1, 'Timelocked');
    // scheduled_epoch 1 starts at height 120: execution is refused before it (at mempool admission)
    expect((await call('chain.tip')).height).toBeLessThan(119);
    await call('gov.treasury.execute_disbursement', { id: 1 }).then(
      () => expect.unreachable('executed before its scheduled epoch'),
      (err) => expect(err.rpc.data.reason).toBe('not_scheduled'),
    );
    expect((await call('gov.treasury.disbursement', { id: 1 })).disbursement.next).toMatchObject({ event: 'scheduled_epoch', height: 120 });
    await mineTo(119); // the next block is in epoch 1

    const pending = call('gov.treasury.execute_disbursement', { id: 1 });
    let r: any;
    for (let i = 0; i < 10 && r === undefined; i++) {
      await mine();
      r = await Promise.race([pending, new Promise((res) => setTimeout(() => res(undefined), 200))]);
    }
    expect(r.lease_tx_hash).toMatch(/^[0-9a-f]{64}$/);
    const ex = await toStatus(1, 'Executed');
    expect(ex.tx_hash).toBe(r.tx_hash);
    expect((await call('account.get', [DEST])).balance).toBe('600');
    // amount + the execution tx's fee (the fee floor, 1), refunded to the executor by the treasury
    expect(ex.execution_fee).toBe('1');
    expect((await call('gov.treasury.balance')).balance).toBe('9399');
    const status = await call('gov.treasury.executor_status');
    expect(status.lease).toMatchObject({ holder: status.self, live: true, id: 1 });

    const fin = await toStatus(1, 'Finalized');
    expect(fin.stages.map((s: any) => s.status)).toEqual(['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized']);
    await new Promise((res) => setTimeout(res, 300));
    const prov = JSON.parse(await fs.readFile(path.join(dir, 'node', 'treasury', 'provenance.json'), 'utf8'));
    expect(prov.disbursements.map((d: any) => [d.id, d.status])).toEqual([[1, 'Finalized']]);

    const metrics = await (await fetch(`http://127.0.0.1:${node!.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^treasury_balance 9399$/m);
    expect(metrics).toMatch(/^treasury_executor_result_total\{result="success"\} 1$/m);
    // every name the issue and the operations guide list
    expect(metrics).toMatch(/^treasury_balance_ct 9399$/m);
    expect(metrics).toMatch(/^treasury_balance_it 0$/m);
    expect(metrics).toMatch(/^treasury_disbursement_backlog 0$/m);
    expect(metrics).toMatch(/^treasury_disbursement_amount\{status="Finalized"\} 600$/m);
    expect(metrics).toMatch(/^treasury_disbursement_amount_ct\{status="Finalized"\} 600$/m);
    expect(metrics).toMatch(/^treasury_disbursement_scheduled_oldest_age_seconds 0$/m);
    expect(metrics).toMatch(/^treasury_executor_staged_intents 0$/m);
    for (const st of ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed']) expect(metrics).toMatch(new RegExp(`^governance_disbursements_total\\{status="${st}"\\} 1$`, 'm'));
    expect(metrics).toMatch(/^governance_disbursements_total\{status="Finalized"\} 1$/m);
    expect(metrics).toMatch(/^treasury_disbursements\{status="Finalized"\} 1$/m);
  }, 120_000);

  it('rolls back an executed disbursement inside its window: compensating move and provenance entry', async () => {
    await call('gov.treasury.submit_disbursement', { payload: payload(400, 'grant two') });
    await mine();
    await call('gov.treasury.queue_disbursement', [2]);
    await mine();
    await call('gov.treasury.vote_disbursement', [2, 'yes']);
    await toStatus(2, 'Timelocked');
    const { tx_hash } = await call('gov.treasury.execute_disbursement', { id: 2 }); // lease still held
    await mine();
    expect((await call('gov.treasury.disbursement', { id: 2 })).disbursement).toMatchObject({ status: 'Executed', tx_hash });
    await call('gov.treasury.rollback_disbursement', { id: 2, reason: 'wrong destination' });
    await mine();
    const d = (await call('gov.treasury.disbursement', { id: 2 })).disbursement;
    expect(d.status).toBe('RolledBack');
    expect(d.rollback).toMatchObject({ reason: 'wrong destination', prior_tx: tx_hash, compensation: { from: DEST, to: TREASURY_ADDRESS, amount: '400' } });
    expect((await call('gov.treasury.balance')).balance).toBe('9398'); // the amount came back; the execution fee stays spent
    const late = await rpc(port, 'gov.treasury.rollback_disbursement', { id: 1, reason: 'too late' });
    expect(late.error?.data?.reason).toBe('rollback_window_closed');
    await new Promise((res) => setTimeout(res, 300));
    const prov = JSON.parse(await fs.readFile(path.join(dir, 'node', 'treasury', 'provenance.json'), 'utf8'));
    expect(prov.disbursements.map((x: any) => [x.id, x.status, x.rollback?.reason ?? null])).toEqual([[1, 'Finalized', null], [2, 'RolledBack', 'wrong destination']]);
    const list = await call('gov.treasury.disbursements', { limit: 1 });
    expect(list.disbursements.map((x: any) => x.id)).toEqual([2]);
    expect(list.next_cursor).toBe(2);
    expect((await call('gov.treasury.disbursements', { cursor: 2 })).disbursements.map((x: any) => x.id)).toEqual([1]);
  }, 120_000);

  it('param update is proposed and voted with the node key; history shows it', async () => {
    await call('gov.param.update', ['energy_min_stake', 2000]);
    await mine();
    const h = await call('gov.param.history');
    expect(h[0]).toMatchObject({ name: 'energy_min_stake', value: '2000', status: 'Voting' });
    const bad = await rpc(port, 'gov.param.update', ['no_such_param', 1]);
    expect(bad.error?.data?.reason).toBe('unknown_param');
    expect((await call('gov.param.show', ['energy_min_stake']))[0]).toMatchObject({ value: '1000', default: '1000' });
  }, 60_000);

  it('a wallet key named in `from` signs and pays for its calls; a non-validator key cannot vote', async () => {
    const faucet = (await call('wallet.list')).wallets.find((w: any) => w.name === 'faucet');
    const before = BigInt((await call('account.get', [faucet.address])).balance);
    const { tx_hash } = await call('gov.treasury.submit_disbursement', { payload: payload(50, 'from the faucet'), from: 'faucet' });
    await mine();
    const d = (await call('gov.treasury.disbursement', { id: 3 })).disbursement;
    expect(d).toMatchObject({ creator: faucet.address, status: 'Draft' });
    const tx = (await call('tx.status', { hash: tx_hash })) as { status: string };
    expect(tx.status).toBe('included');
    expect(BigInt((await call('account.get', [faucet.address])).balance)).toBe(before - 1n); // its own fee
    await call('gov.treasury.queue_disbursement', { id: 3, from: 'faucet' });
    await mine();
    const v = await rpc(port, 'gov.treasury.vote_disbursement', { id: 3, choice: 'yes', from: 'faucet' });
    expect(v.error?.data?.reason).toBe('not_a_validator');
    const nobody = await rpc(port, 'gov.treasury.vote_disbursement', { id: 3, choice: 'yes', from: 'nobody' });
    expect(nobody.error?.data?.reason).toBe('not_found');
    const bal = await call('gov.treasury.balance');
    expect(bal).toMatchObject({ fee_share_bps: 1000 });
    expect(BigInt(bal.fees_accrued)).toBeGreaterThanOrEqual(0n);
  }, 60_000);

  it('a staged execution intent survives a restart: the lost tx is re-submitted from treasury/intents.json', async () => {
    await call('gov.treasury.vote_disbursement', { id: 3, choice: 'yes' });
    await toStatus(3, 'Timelocked');
    const { tx_hash } = await call('gov.treasury.execute_disbursement', { id: 3 }); // lease still held: no wait
    const staged = await call('gov.treasury.executor_status');
    expect(staged.intents).toMatchObject([{ disbursement_id: 3, tx_hash, submissions: 1, lease: { id: 1, holder: staged.self } }]);
    const file = JSON.parse(await fs.readFile(path.join(dir, 'node', 'treasury', 'intents.json'), 'utf8'));
    expect(file.intents.map((i: any) => i.tx_hash)).toEqual([tx_hash]);
    // stop before any block: the mempool (and the tx in it) is gone; the intent file is not
    await node!.stop();
    node = await Node.start(config, { stdout: false });
    port = node.rpcPort!;
    const after = await call('gov.treasury.executor_status');
    expect(after.intents).toMatchObject([{ disbursement_id: 3, tx_hash, submissions: 2 }]);
    expect((await call('tx.status', { hash: tx_hash })).status).toBe('pending');
    const ex = await toStatus(3, 'Executed');
    expect(ex.tx_hash).toBe(tx_hash);
    await mine();
    expect((await call('gov.treasury.executor_status')).intents).toEqual([]);
  }, 120_000);

  it('a from-genesis replay reproduces the treasury state and root', async () => {
    const tip = await call('chain.tip');
    await node!.stop();
    node = undefined;
    const r = await replayFromGenesis(path.join(dir, 'node', 'chain'), { modules: chainModulesOf(NODE_MODULES) });
    expect(r).toEqual({ height: tip.height, stateRoot: tip.state_root, ok: true });
  }, 60_000);
});
