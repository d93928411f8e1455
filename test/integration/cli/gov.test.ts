/**
 * `contract-cli gov …` against a real node process (1-second... here 300 ms blocks): preview --check
 * passes both example payloads and fails a bad one listing every problem; create → queue → vote →
 * (tally, timelock) → execute → Finalized through the CLI; `gov disburse show --format json`
 * equals the node's `gov.treasury.disbursement` field by field; `gov treasury executor-status`;
 * `gov param update|history`; then `kill -9` of the node's own pid right after an execution's
 * block: `treasury/provenance.json` is a whole JSON document (old or new, never torn).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TREASURY_ADDRESS } from '../../../src/node-core/treasury/index.js';
import { REPO, removeTemp, rpc, runCli, spawnNode, tempDir, type NodeProc, type Ready } from '../node/helpers.js';

let dir: string;
let node: NodeProc;
let ready: Ready;
let env: Record<string, string>;
const DEST = 'tb1' + '5a'.repeat(20);

beforeAll(async () => {
  dir = await tempDir('tb-gov-cli');
  node = spawnNode({ dataDir: dir, args: ['--block-time-ms', '300'] });
  ready = await node.ready;
  env = { TB_RPC_URL: `http://127.0.0.1:${ready.rpc_port}` };
}, 60_000);
afterAll(async () => {
  if (node.child.exitCode === null) node.child.kill('SIGKILL');
  await removeTemp(dir);
});

const cli = (...args: string[]) => runCli('contract-cli', args, { env, cwd: REPO });
async function call(method: string, params: unknown = []): Promise<any> {
  const r = await rpc(ready.rpc_port, method, params);
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result;
}
async function until<T>(f: () => Promise<T | undefined>, what: string, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}`);
}
const statusIs = (id: number, s: string) =>
  until(async () => {
    // Not found yet: the create transaction is not in a block yet — keep waiting.
    const r = await rpc(ready.rpc_port, 'gov.treasury.disbursement', { id });
    if (r.error) return undefined;
    const d = r.result.disbursement;
    return d.status === s ? d : undefined;
  }, `disbursement ${id} ${s}`);

describe('contract-cli gov', () => {
  it('preview --check: both example payloads pass; a bad one fails listing every problem', async () => {
    for (const f of [path.join(REPO, 'examples/governance/disbursement_example.json'), '/work/shared/data/disbursement_example.json']) {
      try {
        await fs.access(f);
      } catch {
        continue; // the shared reference copy exists on the team machine only
      }
      const r = await cli('gov', 'disburse', 'preview', '--json', f, '--check');
      expect(r.code, r.stderr + r.stdout).toBe(0);
    }
    const bad = path.join(dir, 'bad.json');
    await fs.writeFile(bad, JSON.stringify({ disbursement: { destination: 'ct1abc', amount: 0, memo: 'x', scheduled_epoch: 0 }, extra: 1 }));
    const r = await cli('gov', 'disburse', 'preview', '--json', bad, '--check');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/disbursement\.destination/);
    expect(r.stdout).toMatch(/disbursement\.amount/);
    expect(r.stdout).toMatch(/disbursement\.scheduled_epoch/);
    expect(r.stdout).toMatch(/extra|Unrecognized/);
  }, 60_000);

  it('create → queue → vote → timelock → execute → Finalized; show --format json equals the RPC field by field', async () => {
    await call('wallet.transfer', { from: 'faucet', to: TREASURY_ADDRESS, amount: '100000' });
    await until(async () => ((await call('gov.treasury.balance')).balance === '100000' ? true : undefined), 'treasury funded');
    const file = path.join(dir, 'p.json');
    await fs.writeFile(file, JSON.stringify({
      proposal: { title: 'cli grant', summary: 's', quorum: { operators_ppm: 670000, builders_ppm: 670000 }, vote_window_blocks: 60, timelock_blocks: 3, rollback_window_blocks: 10 },
      disbursement: { destination: DEST, amount: 2500, memo: 'cli', scheduled_epoch: 1 },
    }));
    expect((await cli('gov', 'disburse', 'create', '--json', file)).code).toBe(0);
    await statusIs(1, 'Draft');
    expect((await cli('gov', 'disburse', 'queue', '--id', '1')).code).toBe(0);
    await statusIs(1, 'Voting');
    const v = await cli('gov', 'disburse', 'vote', '--id', '1', '--choice', 'yes');
    expect(v.code, v.stderr).toBe(0);
    await statusIs(1, 'Timelocked');
    // scheduled_epoch 1 starts at height 120: refused before (no lease is taken for it). The CLI
    // starts while the chain runs on (300 ms blocks): on a loaded machine it can start after height
    // 120 — then the execution is valid and must land at or after 120.
    let ex: Awaited<ReturnType<typeof cli>> | undefined;
    if ((await call('chain.tip')).height < 110) {
      const early = await cli('gov', 'disburse', 'execute', '--id', '1', '--format', 'json');
      if (early.code === 0) ex = early;
      else {
        expect(early.code, early.stderr).toBe(1);
        expect(early.stderr).toMatch(/not_scheduled/);
      }
    }
    if (!ex) {
      await until(async () => ((await call('chain.tip')).height >= 119 ? true : undefined), 'height 119', 120_000);
      ex = await cli('gov', 'disburse', 'execute', '--id', '1', '--format', 'json');
    }
    expect(ex.code, ex.stderr).toBe(0);
    const executed = await statusIs(1, 'Executed');
    expect(executed.tx_hash).toBe(JSON.parse(ex.stdout).tx_hash);
    expect(executed.stages.find((st: { status: string }) => st.status === 'Executed').height).toBeGreaterThanOrEqual(120);
    const es = await cli('gov', 'treasury', 'executor-status', '--format', 'json');
    expect(JSON.parse(es.stdout).lease).toMatchObject({ holder: JSON.parse(es.stdout).self, live: true });
    await statusIs(1, 'Finalized');
    const show = await cli('gov', 'disburse', 'show', '--id', '1', '--format', 'json');
    expect(show.code).toBe(0);
    const fromCli = JSON.parse(show.stdout);
    const fromRpc = (await call('gov.treasury.disbursement', { id: 1 })).disbursement;
    // `next` is null once Finalized, so nothing in the view depends on the wall clock.
    for (const k of Object.keys(fromRpc)) expect(fromCli[k], k).toEqual(fromRpc[k]);
    expect(Object.keys(fromCli).sort()).toEqual(Object.keys(fromRpc).sort());
    const human = await cli('gov', 'disburse', 'show', '--id', '1');
    expect(human.stdout).toMatch(/Finalized/);
    expect(human.stdout).toMatch(/fee 1, paid by the treasury/);
    const bal = JSON.parse((await cli('gov', 'treasury', 'balance', '--format', 'json')).stdout);
    expect(bal).toMatchObject({ fee_share_bps: 1000 });
  }, 240_000);

  it('param update and history', async () => {
    expect((await cli('gov', 'param', 'update', 'energy_min_stake', '2000', '--epoch', '50')).code).toBe(0);
    const h = await until(async () => {
      const r = await cli('gov', 'param', 'history', '--format', 'json');
      const list = JSON.parse(r.stdout);
      return list.length > 0 ? list : undefined;
    }, 'param proposal');
    expect(h[0]).toMatchObject({ name: 'energy_min_stake', value: '2000', status: 'Voting', scheduled_epoch: 50 });
    expect((await cli('gov', 'param', 'history')).stdout).toMatch(/scheduled epoch 50/);
    const bad = await cli('gov', 'param', 'update', 'energy_min_stake', 'lots');
    expect(bad.code).toBe(2);
  }, 60_000);

  it('kill -9 right after an execution: provenance.json is whole (old or new)', async () => {
    const file = path.join(dir, 'p2.json');
    await fs.writeFile(file, JSON.stringify({
      proposal: { title: 'second', summary: 's', quorum: { operators_ppm: 1, builders_ppm: 1 }, vote_window_blocks: 60, timelock_blocks: 1, rollback_window_blocks: 200 },
      disbursement: { destination: DEST, amount: 100, memo: 'two', scheduled_epoch: 1 },
    }));
    await cli('gov', 'disburse', 'create', '--json', file);
    await statusIs(2, 'Draft');
    await cli('gov', 'disburse', 'queue', '--id', '2');
    await statusIs(2, 'Voting');
    await cli('gov', 'disburse', 'vote', '--id', '2', '--choice', 'yes');
    await statusIs(2, 'Timelocked');
    await call('gov.treasury.execute_disbursement', { id: 2 });
    await statusIs(2, 'Executed');
    process.kill(node.pid, 'SIGKILL');
    await node.exited;
    const text = await fs.readFile(path.join(dir, 'treasury', 'provenance.json'), 'utf8');
    const prov = JSON.parse(text); // never torn
    const ids = prov.disbursements.map((d: any) => d.id);
    expect(ids[0]).toBe(1);
    expect([[1], [1, 2]]).toContainEqual(ids);
    // the executor's intent queue is written the same way: whole too
    const intents = JSON.parse(await fs.readFile(path.join(dir, 'treasury', 'intents.json'), 'utf8'));
    expect(intents.version).toBe(1);
    const leftovers = (await fs.readdir(path.join(dir, 'treasury'))).filter((f) => f !== 'provenance.json' && f !== 'intents.json');
    expect(leftovers.every((f) => f.includes('.tmp') || f.startsWith('.'))).toBe(true);
  }, 120_000);
});
