/**
 * The node process end to end: phases over IPC, JSON-RPC over IPC (incl. log.line replay and
 * node.stats events), logs, graceful stop on SIGINT/SIGTERM/{type:'stop'} and restart at the
 * same head and state root, telemetry off.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, removeTemp, rpc, spawnNode, stopNode, tempDir, type NodeProc } from './helpers.js';

/** Blocks only when asked (dev.mine_one), so the head is exactly what the test made it. */
const MANUAL = ['--block-time-ms', '600000'];

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tb-life');
});
afterAll(async () => {
  await removeTemp(dir);
});

const phases = (n: NodeProc) =>
  n.messages.filter((m) => m.type === 'phase').map((m) => (m as { phase: string }).phase);

describe('node lifecycle', () => {
  let head: { height: number; hash: string; state_root: string };
  let alice: string;

  it('starts through the phases, serves HTTP and IPC, stops on SIGINT with exit 0', async () => {
    const n = spawnNode({ dataDir: dir, args: MANUAL });
    const ready = await n.ready;
    expect(ready).toMatchObject({
      type: 'ready',
      network: 'dev',
      chain_id: 31337,
      data_dir: dir,
      pid: n.pid,
    });
    expect(ready.metrics_port).toBeGreaterThan(0);
    // The metrics listen host travels with its port, as rpc_addr does (the Overview shows host:port).
    expect(ready).toMatchObject({ rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0' });
    // The endpoints come right before the ready phase: whoever sees `ready` knows them already.
    await n.nextMessage((m) => (m as { type?: string; phase?: string }).type === 'phase' && (m as { phase: string }).phase === 'ready');
    expect(phases(n)).toEqual(['starting', 'opening_db', 'replaying', 'ready']);
    const order = n.messages.map((m) => (m.type === 'phase' ? `phase:${m.phase}` : m.type));
    expect(order.indexOf('ready')).toBe(order.indexOf('phase:ready') - 1);

    // JSON-RPC over the IPC channel (structured messages), the same dispatcher as HTTP.
    n.child.send({ jsonrpc: '2.0', id: 7, method: 'node.status', params: [] });
    const status = (await n.nextMessage((m) => (m as { id?: number }).id === 7)) as {
      result: { phase: string; data_dir: string };
    };
    expect(status.result).toMatchObject({ phase: 'ready', data_dir: dir });

    // log.line: the ring's backlog is replayed to a new subscriber (it holds the startup lines).
    n.child.send({ jsonrpc: '2.0', id: 8, method: 'chain.subscribe', params: ['log.line'] });
    const sub = (await n.nextMessage((m) => (m as { id?: number }).id === 8)) as { result: string };
    const replayed = (await n.nextMessage(
      (m) => (m as any)?.params?.subscription === sub.result && (m as any).params.result.msg === 'node ready',
    )) as { params: { result: { level: number; fields: { rpc_port: number } } } };
    expect(replayed.params.result.level).toBe(30);
    expect(replayed.params.result.fields.rpc_port).toBe(ready.rpc_port);
    // node.stats arrive on their own every 2 s.
    n.child.send({ jsonrpc: '2.0', id: 9, method: 'chain.subscribe', params: ['node.stats'] });
    const statsSub = (await n.nextMessage((m) => (m as { id?: number }).id === 9)) as { result: string };
    const stats = (await n.nextMessage((m) => (m as any)?.params?.subscription === statsSub.result)) as {
      params: { result: Record<string, number> };
    };
    expect(stats.params.result.rss_bytes).toBeGreaterThan(0);
    expect(stats.params.result.data_dir_bytes).toBeGreaterThan(0);
    expect(stats.params.result.peers).toBe(0);

    // Make some state: a wallet key, transfers, two blocks.
    const w = await call(ready.rpc_port, 'wallet.list');
    expect(w.wallets[0].name).toBe('faucet');
    alice = 'tb1' + 'ab'.repeat(20);
    await call(ready.rpc_port, 'wallet.transfer', { from: 'faucet', to: alice, amount: '25' });
    await call(ready.rpc_port, 'dev.mine_one');
    await call(ready.rpc_port, 'wallet.transfer', ['faucet', alice, '17']);
    await call(ready.rpc_port, 'dev.mine_one');
    head = await call(ready.rpc_port, 'chain.tip');
    expect(head.height).toBe(2);
    expect((await call(ready.rpc_port, 'account.get', [alice])).balance).toBe('42');
    expect((await call(ready.rpc_port, 'node.stats')).rss_bytes).toBeGreaterThan(0);

    expect(existsSync(path.join(dir, 'node.lock'))).toBe(true);
    n.child.kill('SIGINT');
    const exit = await n.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(phases(n).slice(-2)).toEqual(['stopping', 'stopped']);
    expect(n.messages.at(-1)).toEqual({ type: 'exit', code: 0 });
    expect(existsSync(path.join(dir, 'node.lock'))).toBe(false);
    // Listeners are closed: the port no longer answers.
    await expect(
      fetch(`http://127.0.0.1:${ready.rpc_port}`, { method: 'POST', body: '{}' }),
    ).rejects.toThrow();
  });

  it('restarts at the same head and state root; stops on {type:"stop"} and SIGTERM', async () => {
    const n = spawnNode({ dataDir: dir, args: MANUAL });
    const ready = await n.ready;
    expect(await call(ready.rpc_port, 'chain.tip')).toEqual(head);
    expect((await call(ready.rpc_port, 'account.get', [alice])).balance).toBe('42');
    n.child.send({ type: 'stop' });
    expect(await n.exited).toEqual({ code: 0, signal: null });

    const m = spawnNode({ dataDir: dir, args: MANUAL });
    const r2 = await m.ready;
    expect((await call(r2.rpc_port, 'chain.tip')).state_root).toBe(head.state_root);
    expect(await stopNode(m, 'SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('writes logs/node.log (a link to the active rotated file) with one line per block', async () => {
    const link = path.join(dir, 'logs', 'node.log');
    expect((await fs.lstat(link)).isSymbolicLink()).toBe(true);
    const lines = (await fs.readFile(link, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; height?: number });
    expect(lines.filter((l) => l.msg === 'block').map((l) => l.height)).toEqual([1, 2]);
    // The auth token is never logged (there is none here, but the config line is redacted in shape).
    expect(lines.some((l) => l.msg === 'node starting')).toBe(true);
    // Every ordered stop above (SIGINT, {type:'stop'}, SIGTERM) ends with `phase stopped` in the
    // file itself, so the log tells an ordered stop from a crash (it used to end at `stopping`).
    const starts = lines.filter((l) => l.msg === 'node starting').length;
    expect(starts).toBe(3);
    expect(lines.filter((l) => l.msg === 'phase stopped')).toHaveLength(starts);
    expect(lines.at(-1)?.msg).toBe('phase stopped');
  });

  it('with --no-telemetry serves no metrics; the auth token guards mutating methods and is never logged', async () => {
    const token = 'tok-' + 'x'.repeat(24);
    const n = spawnNode({
      dataDir: dir,
      args: [...MANUAL, '--no-telemetry'],
      env: { TB_RPC_AUTH_TOKEN: token },
    });
    const ready = await n.ready;
    expect(ready.metrics_port).toBeNull();
    expect(ready.metrics_addr).toBeNull();
    const denied = await rpc(ready.rpc_port, 'dev.mine_one');
    expect(denied.error?.code).toBe(-32004);
    const ok = await rpc(ready.rpc_port, 'dev.mine_one', [], { authorization: `Bearer ${token}` });
    expect(ok.result.height).toBe(3);
    expect(await stopNode(n, 'SIGINT')).toEqual({ code: 0, signal: null });
    const log = await fs.readFile(path.join(dir, 'logs', 'node.log'), 'utf8');
    expect(log).not.toContain(token);
    expect(n.stdout()).not.toContain(token);
    expect(log).toContain('<redacted>');
  });
});
