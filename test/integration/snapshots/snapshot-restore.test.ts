/**
 * A snapshot of a running node taken while it produces blocks (transfers in flight), restored by
 * `contract-cli snapshots restore` into a fresh data directory: a from-genesis replay of the
 * restored chain gives exactly the manifest's height and state root, and a node started on it
 * opens at that height with the same node key; restore metrics are loaded from restore_history.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { replayChain } from '../../../src/node-core/node-modules.js';
import { removeTemp, runCli, spawnNode, stopNode, tempDir, type NodeProc } from '../node/helpers.js';
import { ipc, jobEnd, openedHeight, subscribe } from './helpers.js';

let dir: string;
let node: NodeProc;
let nodeAddress: string;
const snaps: Record<string, any> = {};

beforeAll(async () => {
  dir = await tempDir('tb-snap');
  node = spawnNode({ dataDir: path.join(dir, 'node'), args: ['--block-time-ms', '100'] });
  nodeAddress = (await node.ready).node_address;
});
afterAll(async () => {
  await stopNode(node);
  await removeTemp(dir);
});

it('snapshots (dir and tar) taken while blocks are produced complete with a manifest of one block', async () => {
  const heads = await subscribe(node, 'newHeads');
  const to = 'tb1' + '5a'.repeat(20);
  for (let i = 0; i < 5; i++) await ipc(node, 'wallet.transfer', { from: 'faucet', to, amount: String(1000 + i) });
  const before = (await heads.next()).height;
  for (const format of ['dir', 'tar'] as const) {
    const { job_id } = await ipc(node, 'snapshots.create', { path: path.join(dir, 'backups'), format });
    const job = await jobEnd(node, job_id);
    expect(job.state, JSON.stringify(job.error)).toBe('done');
    expect(job.bytes_done).toBe(format === 'dir' ? job.create.bytes : 2 * job.create.bytes);
    expect(job.files_done).toBe(job.create.files);
    snaps[format] = job.create;
  }
  const after = (await heads.next((h) => h.height > snaps.tar.height)).height;
  expect(snaps.dir.height).toBeGreaterThanOrEqual(before);
  expect(after).toBeGreaterThan(snaps.dir.height);
  expect(snaps.dir.path).toMatch(/tb-dev-\d+-\d{8}T\d{6}Z$/);
  expect(snaps.tar.path).toMatch(/\.tar$/);
  // The transfers are in the snapshot's state: the receiver's balance is part of the state root.
  const listed = await ipc(node, 'snapshots.list', [path.join(dir, 'backups')]);
  expect(listed.snapshots.map((s: any) => s.id).sort()).toEqual([snaps.dir.id, snaps.tar.id].sort());
  expect(listed.snapshots.find((s: any) => s.id === snaps.dir.id).checksum).toBe(snaps.dir.checksum);
  expect(existsSync(path.join(dir, 'node', 'snapshots'))).toBe(true);
  expect((await fs.readdir(path.join(dir, 'node', 'snapshots'))).filter((n) => n.startsWith('.cut-'))).toEqual([]);
}, 60_000);

it('restore on a fresh data dir → replay gives the manifest state root; the node opens at that height', async () => {
  for (const format of ['dir', 'tar'] as const) {
    const s = snaps[format];
    const fresh = path.join(dir, `fresh-${format}`);
    const r = await runCli('contract-cli', ['snapshots', 'restore', '--from', s.path, '--data-dir', fresh, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`restored ${s.id} into ${fresh} (height ${s.height}, state root ${s.state_root})`);
    const replay = await replayChain(path.join(fresh, 'chain'));
    expect(replay).toMatchObject({ ok: true, height: s.height, stateRoot: s.state_root });
  }
  const fresh = path.join(dir, 'fresh-dir');
  const n = spawnNode({ dataDir: fresh, args: ['--block-time-ms', '600000'] });
  try {
    const ready = await n.ready;
    expect(await openedHeight(n)).toBe(snaps.dir.height);
    expect(ready.node_address).toBe(nodeAddress); // keys/ came with the snapshot
    expect((await ipc(n, 'chain.tip')).state_root).toBe(snaps.dir.state_root);
    const hist = await ipc(n, 'snapshots.restore_status');
    expect(hist.last).toMatchObject({ outcome: 'completed', snapshot_id: snaps.dir.id, height: snaps.dir.height });
    const metrics = await (await fetch(`http://127.0.0.1:${ready.metrics_port}/metrics`)).text();
    expect(metrics).toMatch(/^restore_duration_seconds_count 1$/m);
    expect(metrics).toMatch(/^restore_fail_total 0$/m);
  } finally {
    await stopNode(n);
  }
}, 60_000);
