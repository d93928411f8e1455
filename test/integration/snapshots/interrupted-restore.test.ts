/**
 * A restore killed (SIGKILL) at each point of its state machine — staging begun, staging copied,
 * staging verified, swap begun, right after the swap — is detected at the next node start by the journal
 * `<data dir>.restore.lock` and rolled back: the node opens the pre-restore chain, says so in its
 * phase reason and in `snapshots.restore_status`, counts it in restore_fail_total, and no staging
 * or pre-restore directory is left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { removeTemp, runCli, spawnNode, stopNode, tempDir, TSX } from '../node/helpers.js';
import { ipc, makeDataDir, openedHeight, treeHash } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/restore-crash.ts', import.meta.url));
let dir: string;
let data: string;
let snap: string;
let headBefore: number;

beforeAll(async () => {
  dir = await tempDir('tb-interrupt');
  data = path.join(dir, 'data');
  await makeDataDir(data, 3);
  const r = await runCli('contract-cli', ['snapshots', 'create', '--path', path.join(dir, 'bk'), '--data-dir', data, '--format', 'json', '--include', 'keys,logs']);
  expect(r.code, r.stderr).toBe(0);
  snap = (JSON.parse(r.stdout) as { path: string }).path;
  // The chain moves on after the snapshot: a rollback must bring back this later head.
  headBefore = await makeDataDir(data, 4);
}, 60_000);
afterAll(async () => {
  await removeTemp(dir);
});

function killedRestore(point: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, ['--import', TSX, CHILD, snap, data, point], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('exit', (code, signal) => resolve({ code, signal, out }));
  });
}

let rolledBack = 0;
// staging: journal written, staging dir empty; verifying: staging copy complete, not checked;
// staged: checked, swap not begun; swapping: journal says swapping, nothing moved; swapped: moved, not finished.
for (const point of ['staging', 'verifying', 'staged', 'swapping', 'swapped']) {
  it(`killed at "${point}": rolled back at the next start`, async () => {
    // (A node start rewrites LevelDB's own files, so the chain is compared by its head, the rest byte for byte.)
    const keep = ['chain', 'restore_history', 'node.lock', 'logs', 'snapshots', 'snapshot_schedule'];
    const before = await treeHash(data, keep);
    const r = await killedRestore(point);
    expect(r.signal, r.out).toBe('SIGKILL');
    expect(existsSync(`${data}.restore.lock`)).toBe(true);
    if (point === 'swapped') expect(existsSync(data) && (await fs.readdir(dir)).some((n) => n.startsWith('data.pre-restore-'))).toBe(true);

    const n = spawnNode({ dataDir: data, args: ['--block-time-ms', '600000'] });
    try {
      const ready = await n.ready;
      rolledBack++;
      const starting = n.messages.find((m) => m.type === 'phase' && m.phase === 'starting' && 'reason' in m && m.reason) as { reason: string } | undefined;
      expect(starting?.reason).toMatch(/^An interrupted restore of tb-dev-\d+-\S+ \(started .* by pid \d+\) was rolled back: /);
      expect(await openedHeight(n)).toBe(headBefore);
      const st = await ipc(n, 'snapshots.restore_status');
      expect(st.last).toMatchObject({ outcome: 'rolled_back' });
      expect(st.history.filter((h: { outcome: string }) => h.outcome === 'rolled_back')).toHaveLength(rolledBack);
      const metrics = await (await fetch(`http://127.0.0.1:${ready.metrics_port}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^restore_fail_total ${rolledBack}$`, 'm'));
    } finally {
      await stopNode(n);
    }
    expect(existsSync(`${data}.restore.lock`)).toBe(false);
    expect((await fs.readdir(dir)).filter((x) => /pre-restore|restore-staging|restore-discarded/.test(x))).toEqual([]);
    expect(await treeHash(data, keep)).toEqual(before);
    expect(Object.keys(before)).toContain('keys/node_key.json');
  }, 60_000);
}
