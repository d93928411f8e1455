/**
 * The operator flow of issue 2, with real processes: `contract-cli node start --config …`,
 * JSON-RPC `chain.tip` over HTTP, `/metrics` (checked by `promtool check metrics`), `probe tip |
 * ping-rpc --timeout 2 | mine-one | tip --prom`, `wallet new --name alice`, `tx transfer --from
 * faucet --to <alice> --amount 25`, `account show <alice>` = 25 after the next block; then
 * `chain tip|block`, `node status`, `wallet list|show`, Ctrl-C and `chain replay --from-genesis`.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO,
  removeTemp,
  runCli,
  runTool,
  spawnNode,
  tempDir,
  type NodeProc,
  type Ready,
} from '../node/helpers.js';

let dir: string;
let cwd: string;
let node: NodeProc;
let ready: Ready;
let env: Record<string, string>;

const hasPromtool = await runTool('promtool', ['--version']).then(
  (r) => r.code === 0,
  () => false,
);

beforeAll(async () => {
  dir = await tempDir('tb-flow');
  cwd = path.dirname(dir);
  await fs.mkdir(path.join(cwd, 'config'));
  await fs.copyFile(path.join(REPO, 'config/node.toml'), path.join(cwd, 'config/node.toml'));
  node = spawnNode({ dataDir: dir, viaCli: true, args: ['--config', 'config/node.toml'], cwd });
  ready = await node.ready;
  env = { TB_RPC_URL: `http://127.0.0.1:${ready.rpc_port}`, TB_DATA_DIR: dir };
});
afterAll(async () => {
  if (node.child.exitCode === null) node.child.kill('SIGKILL');
  await removeTemp(dir);
});

const cli = (...args: string[]) => runCli('contract-cli', args, { env, cwd });
const probe = (...args: string[]) => runCli('probe', args, { env, cwd });

describe('operator flow', () => {
  let alice: string;

  it('answers chain.tip over HTTP and serves /metrics that pass promtool', async () => {
    const res = await fetch(`http://localhost:${ready.rpc_port}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"jsonrpc":"2.0","method":"chain.tip","params":[],"id":1}',
    });
    const body = (await res.json()) as {
      jsonrpc: string;
      id: number;
      result: { height: number; hash: string };
    };
    expect(body).toMatchObject({ jsonrpc: '2.0', id: 1 });
    expect(body.result.hash).toMatch(/^[0-9a-f]{64}$/);

    const metrics = await (await fetch(`http://localhost:${ready.metrics_port}/metrics`)).text();
    for (const name of [
      'block_height',
      'finalized_height',
      'block_interval_seconds',
      'txs_applied_total',
      'mempool_size',
      'rpc_requests_total',
      'rpc_latency_seconds',
    ])
      expect(metrics).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    if (hasPromtool) {
      const check = await runTool('promtool', ['check', 'metrics'], metrics);
      expect(check.code, check.stdout + check.stderr).toBe(0);
    }
  });

  it('probe tip / ping-rpc --timeout 2 / mine-one / tip --prom', async () => {
    const tip = await probe('tip');
    expect(tip.code).toBe(0);
    expect(tip.stdout).toMatch(/^ok {4}tip: height \d+, hash [0-9a-f]{12}…/);
    const ping = await probe('ping-rpc', '--timeout', '2');
    expect(ping.code).toBe(0);
    expect(ping.stdout).toContain('node ready, network dev, chain id 31337');
    const mine = await probe('mine-one', '--format', 'json');
    expect(mine.code).toBe(0);
    const mined = JSON.parse(mine.stdout) as { success: boolean; metrics: { probe_mined_height: number } };
    expect(mined.success).toBe(true);
    const prom = await probe('tip', '--prom', '--expect', String(mined.metrics.probe_mined_height));
    expect(prom.code).toBe(0);
    expect(prom.stdout).toMatch(/^probe_success 1$/m);
    expect(prom.stdout).toMatch(/^probe_duration_seconds [0-9.]+$/m);
    const h = Number(/^probe_tip_height (\d+)$/m.exec(prom.stdout)?.[1]);
    expect(h).toBeGreaterThanOrEqual(mined.metrics.probe_mined_height);
    if (hasPromtool) expect((await runTool('promtool', ['check', 'metrics'], prom.stdout)).code).toBe(0);
  });

  it('probe expectations and failures exit 1 (with probe_success 0 under --prom)', async () => {
    const high = await probe('tip', '--expect', '999999999', '--prom');
    expect(high.code).toBe(1);
    expect(high.stdout).toMatch(/^probe_success 0$/m);
    const chain = await probe('ping-rpc', '--expect', '1');
    expect(chain.code).toBe(1);
    expect(chain.stdout).toBe(
      'FAIL  ping-rpc: chain id 31337 is not the expected 1 — node ready, network dev, chain id 31337, height ' +
        /height (\d+)\n$/.exec(chain.stdout)?.[1] +
        '\n',
    );
    const down = await probe('ping-rpc', 'http://127.0.0.1:1', '--timeout', '2');
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('FAIL  ping-rpc: cannot reach node at http://127.0.0.1:1');
    const usage = await probe('tip', '--timeout', 'soon');
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('error: --timeout: must be a number of seconds like 2 or 0.5');
  });

  it('wallet new, tx transfer from the faucet, account show = 25 after the next block', async () => {
    const created = await cli('wallet', 'new', '--name', 'alice', '--format', 'json');
    expect(created.code, created.stderr).toBe(0);
    alice = (JSON.parse(created.stdout) as { address: string }).address;
    expect(alice).toMatch(/^tb1[0-9a-f]{40}$/);
    expect((await fs.stat(path.join(dir, 'keys/wallets/alice.json'))).mode & 0o777).toBe(0o600);

    const tx = await cli('tx', 'transfer', '--from', 'faucet', '--to', alice, '--amount', '25');
    expect(tx.code, tx.stderr).toBe(0);
    const hash = tx.stdout.trim();
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    // "After the next block": mine one now instead of waiting for the timer.
    expect((await probe('mine-one')).code).toBe(0);
    const show = await cli('account', 'show', alice);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^balance +25$/m);
    const json = JSON.parse((await cli('account', 'show', alice, '--format', 'json')).stdout) as {
      balance: string;
      nonce: string;
    };
    expect(json).toMatchObject({ address: alice, balance: '25', nonce: '0' });

    // --wait follows the transfer into a block (the node's own 1 s timer produces it).
    const waited = await cli(
      'tx',
      'transfer',
      '--from',
      'faucet',
      '--to',
      alice,
      '--amount',
      '5',
      '--fee',
      '3',
      '--wait',
      '--format',
      'json',
    );
    expect(waited.code, waited.stderr).toBe(0);
    const w = JSON.parse(waited.stdout) as { status: string; height: number; fee: string };
    expect(w).toMatchObject({ status: 'included', fee: '3' });
    const block = JSON.parse((await cli('chain', 'block', String(w.height), '--format', 'json')).stdout) as {
      transactions: { to: string; amount: string }[];
    };
    expect(block.transactions).toContainEqual(expect.objectContaining({ to: alice, amount: '5' }));
  });

  it('wallet list / show, chain tip / block, node status in human and JSON form', async () => {
    const list = (JSON.parse((await cli('wallet', 'list', '--format', 'json')).stdout) as {
      wallets: { name: string; balance?: string }[];
    }).wallets;
    expect(list.map((w) => w.name)).toEqual(['faucet', 'alice']);
    expect(list[1].balance).toBe('30');
    const show = await cli('wallet', 'show', 'alice');
    expect(show.stdout).toMatch(new RegExp(`^address +${alice}$`, 'm'));
    const tip = JSON.parse((await cli('chain', 'tip', '--format', 'json')).stdout) as {
      height: number;
      hash: string;
    };
    const byHash = await cli('chain', 'block', tip.hash);
    expect(byHash.code).toBe(0);
    expect(byHash.stdout).toMatch(new RegExp(`^height +${tip.height}$`, 'm'));
    const missing = await cli('chain', 'block', '99999999');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no block at height 99999999 .*\(not_found\)\n$/);
    const status = await cli('node', 'status');
    expect(status.stdout).toMatch(/^phase +ready$/m);
    expect(status.stdout).toMatch(
      new RegExp(`^data dir +${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
    );
  });

  it('CLI input errors: one line, non-zero exit, nothing sent', async () => {
    const badAddr = await cli('account', 'show', 'tb1xyz');
    expect(badAddr.code).toBe(2);
    expect(badAddr.stderr).toBe('error: address "tb1xyz" must be tb1 followed by 40 hex digits\n');
    const frac = await cli('tx', 'transfer', '--from', 'faucet', '--to', alice, '--amount', '2.5');
    expect(frac.code).toBe(2);
    expect(frac.stderr).toBe(
      'error: --amount: must be a decimal integer string like "25" (no sign, fraction, exponent or spaces)\n',
    );
    const big = await cli(
      'tx',
      'transfer',
      '--from',
      'faucet',
      '--to',
      alice,
      '--amount',
      '18446744073709551616',
    );
    expect(big.code).toBe(2);
    const nobody = await cli('tx', 'transfer', '--from', 'nobody', '--to', alice, '--amount', '1');
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toBe('error: no wallet named "nobody" (see wallet list) (not_found)\n');
    const dup = await cli('wallet', 'new', '--name', 'alice');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already exists');
    const unreachable = await runCli('contract-cli', ['chain', 'tip', '--rpc', 'http://127.0.0.1:1'], {
      cwd,
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^error: cannot reach node at http:\/\/127\.0\.0\.1:1: is it running\?/,
    );
    const unknown = await cli('chain', 'tipp');
    expect(unknown.code).toBe(2);
  });

  it('replay refuses while the node runs; Ctrl-C stops it; replay then matches the head; repair verifies', async () => {
    const busy = await cli('chain', 'replay', '--from-genesis');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`data directory ${dir} is in use by pid ${node.pid}`);
    const tip = JSON.parse((await cli('chain', 'tip', '--format', 'json')).stdout) as { height: number };

    node.child.kill('SIGINT');
    expect(await node.exited).toEqual({ code: 0, signal: null });

    const replay = await cli('chain', 'replay', '--from-genesis', '--data-dir', dir, '--format', 'json');
    expect(replay.code, replay.stderr).toBe(0);
    const r = JSON.parse(replay.stdout) as { ok: boolean; height: number; stateRoot: string };
    expect(r.ok).toBe(true);
    expect(r.height).toBeGreaterThanOrEqual(tip.height);
    const human = await cli('chain', 'replay', '--from-genesis');
    expect(human.stdout).toContain(`ok: the state root matches at every height 0..${r.height}`);
    // The first way out of a corrupt DB, verified by the same replay.
    const repair = await cli('chain', 'repair', '--format', 'json');
    expect(repair.code, repair.stderr).toBe(0);
    expect(JSON.parse(repair.stdout)).toMatchObject({ repaired: true, ok: true, height: r.height, stateRoot: r.stateRoot });
  });
});
