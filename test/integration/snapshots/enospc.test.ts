/**
 * A disk filling up during a snapshot (a real ENOSPC from a tmpfs mounted for the test — out of
 * inodes mid-copy; needs root, skipped otherwise) and a destination too small for the pre-check:
 * the job fails with a clear `no_space` error, no partial snapshot is left, snapshot_fail_total
 * counts it, and the node keeps producing blocks and can take the next snapshot.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTemp, spawnNode, stopNode, tempDir, type NodeProc } from '../node/helpers.js';
import { ipc, jobEnd, subscribe } from './helpers.js';

let dir: string;
let node: NodeProc;
let metricsPort: number;
const mounts: string[] = [];

function mountTmpfs(at: string, opts: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', at], { stdio: 'pipe' });
    mounts.push(at);
    return true;
  } catch {
    return false;
  }
}

const canMount = process.getuid?.() === 0;

beforeAll(async () => {
  dir = await tempDir('tb-enospc');
  node = spawnNode({ dataDir: path.join(dir, 'data'), args: ['--block-time-ms', '100'] });
  metricsPort = (await node.ready).metrics_port!;
});
afterAll(async () => {
  await stopNode(node);
  for (const m of mounts) execFileSync('umount', [m]);
  await removeTemp(dir);
});

async function failCount(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(/^snapshot_fail_total (\d+)$/m.exec(text)![1]);
}

it.skipIf(!canMount)('ENOSPC in the middle of a snapshot: clear error, nothing left behind, node unaffected', async () => {
  const full = path.join(dir, 'full disk');
  await fs.mkdir(full);
  // Plenty of bytes (the pre-check passes) but only 6 inodes: creating the snapshot's files runs out.
  expect(mountTmpfs(full, 'size=64m,nr_inodes=6')).toBe(true);
  const heads = await subscribe(node, 'newHeads');
  const fails = await failCount();
  const { job_id } = await ipc(node, 'snapshots.create', { path: full });
  const job = await jobEnd(node, job_id);
  expect(job.state).toBe('failed');
  expect(job.error.reason).toBe('no_space');
  expect(job.error.message).toBe(`not enough space on ${full} (the disk filled up); the partial snapshot was removed — free some space or choose another destination`);
  expect(await fs.readdir(full)).toEqual([]);
  expect((await fs.readdir(path.join(dir, 'data', 'snapshots'))).filter((n) => n.startsWith('.cut-'))).toEqual([]);
  expect(await failCount()).toBe(fails + 1);
  // The node carries on: new blocks, phase ready, and the next snapshot elsewhere works.
  const h = (await ipc(node, 'chain.tip')).height;
  await heads.next((x) => x.height > h);
  expect((await ipc(node, 'node.status')).phase).toBe('ready');
  const ok = await jobEnd(node, (await ipc(node, 'snapshots.create', { path: path.join(dir, 'roomy') })).job_id);
  expect(ok.state).toBe('done');
}, 60_000);

it.skipIf(!canMount)('a destination too small is refused before anything is written', async () => {
  const small = path.join(dir, 'small disk');
  await fs.mkdir(small);
  expect(mountTmpfs(small, 'size=1m')).toBe(true);
  const job = await jobEnd(node, (await ipc(node, 'snapshots.create', { path: small })).job_id);
  expect(job.state).toBe('failed');
  expect(job.error.reason).toBe('no_space');
  expect(job.error.message).toMatch(new RegExp(`^not enough space on ${small.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the snapshot needs \\d+ bytes \\(\\d+ of data \\+ margin\\), \\d+ are free$`));
  expect(await fs.readdir(small)).toEqual([]);
}, 60_000);
