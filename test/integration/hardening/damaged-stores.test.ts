// Issue 12 item 2: a damaged rebuildable store does not stop the node. Every kind of damage of
// `snapshot_schedule/simpledb.bin` (0 bytes, NUL-filled, truncated, one bit flipped) is moved aside
// with a time stamp and recreated empty; a real node with a damaged schedule and a damaged
// `overlay/overlay_peers.json` reaches `ready`, logs at warn and replays the `node.notice`s to a
// subscriber; an essential store (the node key) still refuses with a clear message.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeEvents } from '../../../src/node-core/events.js';
import { BackupScheduler } from '../../../src/node-core/snapshots/scheduler.js';
import { SnapshotJobs } from '../../../src/node-core/snapshots/jobs.js';
import { encodeStoreFile, FILE_NAME } from '../../../src/node-core/storage/simpledb-engines.js';
import { openRebuildable } from '../../../src/node-core/storage/quarantine.js';
import type { NodeNotice } from '../../../src/shared/api/types.js';
import { removeTemp, spawnNode, stopNode, tempDir } from '../node/helpers.js';
import { ipc, makeDataDir } from '../snapshots/helpers.js';

let dir: string;
afterEach(async () => {
  if (dir) await removeTemp(dir);
});

const SETTINGS = { enabled: true, frequency: 'daily', time_utc: '03:00', weekday: 0, path: '/srv/backups', keep_last: 7, include: ['chain'], format: 'dir' };

async function writeSchedule(root: string): Promise<string> {
  const file = path.join(root, 'snapshot_schedule', FILE_NAME);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, encodeStoreFile('snapshot_schedule', new Map([['settings', Buffer.from(JSON.stringify(SETTINGS))]])));
  return file;
}

const damages: [string, (f: string) => Promise<void>][] = [
  ['0 bytes', (f) => fs.truncate(f, 0)],
  ['NUL-filled', async (f) => fs.writeFile(f, Buffer.alloc((await fs.stat(f)).size))],
  ['truncated', async (f) => fs.truncate(f, Math.floor((await fs.stat(f)).size / 2))],
  ['one bit flipped', async (f) => {
    const b = await fs.readFile(f);
    b[b.length - 3] ^= 0x10;
    await fs.writeFile(f, b);
  }],
];

describe('rebuildable stores are quarantined, not fatal', () => {
  it.each(damages)('snapshot_schedule %s: moved aside, recreated empty, logged, one notice', async (_what, damage) => {
    dir = await tempDir('tb-damaged');
    const file = await writeSchedule(dir);
    const original = await fs.readFile(file);
    await damage(file);
    const damaged = await fs.readFile(file);
    expect(damaged.equals(original)).toBe(false);
    const events = new NodeEvents();
    const notices: NodeNotice[] = [];
    events.on('node.notice', (n) => notices.push(n));
    const jobs = new SnapshotJobs({ root: dir, network: 'dev', events });
    const s = await BackupScheduler.open({ root: dir, network: 'dev', jobs, events, now: () => Date.UTC(2026, 11, 6) });
    try {
      expect(s.state()).toMatchObject({ enabled: false, next_run_at_ms: null }); // defaults
      const moved = (await fs.readdir(dir)).filter((n) => n.startsWith('snapshot_schedule.corrupt-'));
      expect(moved).toHaveLength(1);
      expect(moved[0]).toMatch(/^snapshot_schedule\.corrupt-\d{8}T\d{6}Z$/);
      // The damaged bytes are kept, untouched, for inspection.
      expect((await fs.readFile(path.join(dir, moved[0], FILE_NAME))).equals(damaged)).toBe(true);
      expect(notices).toEqual([
        expect.objectContaining({ level: 'warn', kind: 'store_quarantined', store: 'snapshot_schedule', path: path.join(dir, 'snapshot_schedule'), moved_to: path.join(dir, moved[0]) }),
      ]);
      expect(notices[0].message).toContain('scheduled backups are off');
      // The new store works.
      await s.set({ ...SETTINGS, enabled: false } as never);
    } finally {
      await s.close();
      await jobs.close();
    }
  });

  it('an essential store is never quarantined', async () => {
    dir = await tempDir('tb-damaged');
    await expect(openRebuildable('launch_governor', path.join(dir, 'governor_db'), 'x')).rejects.toThrow(/essential/);
  });

  it('a real node with a damaged schedule and peer list reaches ready and tells the console', async () => {
    dir = await tempDir('tb-damaged-node');
    const data = path.join(dir, 'data');
    await makeDataDir(data, 1);
    const sched = await writeSchedule(data);
    await fs.truncate(sched, 20);
    const peers = path.join(data, 'overlay', 'overlay_peers.json');
    await fs.mkdir(path.dirname(peers), { recursive: true });
    await fs.writeFile(peers, '[{"peer_id":"12D3KooW');
    const n = spawnNode({ dataDir: data, args: ['--block-time-ms', '600000', '--p2p-quic-addr', '127.0.0.1:0', '--p2p-tcp-addr', '127.0.0.1:0'] });
    try {
      await n.ready;
      // Subscribing after the fact still shows both (replayed).
      const sub = (await ipc(n, 'chain.subscribe', ['node.notice'])) as string;
      const got: NodeNotice[] = [];
      for (let i = 0; i < 2; i++) {
        const m = (await n.nextMessage((x) => (x as any)?.params?.subscription === sub && !got.includes((x as any).params.result))) as any;
        got.push(m.params.result);
      }
      expect(got.map((g) => g.store).sort()).toEqual(['overlay peer list', 'snapshot_schedule']);
      const names = await fs.readdir(data);
      expect(names.some((x) => /^snapshot_schedule\.corrupt-/.test(x))).toBe(true);
      expect((await fs.readdir(path.dirname(peers))).some((x) => /^overlay_peers\.json\.corrupt-/.test(x))).toBe(true);
      const warns = n
        .stdout()
        .split('\n')
        .filter((l) => l.includes('"level":40') && l.includes('moved aside'));
      expect(warns.length).toBe(2);
      expect((await ipc(n, 'snapshots.schedule_get')).enabled).toBe(false);
    } finally {
      await stopNode(n);
    }
  });

  it('a damaged node key (essential) still stops the start with a clear message', async () => {
    dir = await tempDir('tb-damaged-key');
    const data = path.join(dir, 'data');
    await makeDataDir(data, 1);
    await fs.truncate(path.join(data, 'keys', 'node_key.json'), 10);
    const n = spawnNode({ dataDir: data, args: ['--block-time-ms', '600000'] });
    const { code } = await n.exited;
    expect(code).toBe(1);
    expect(n.stderr()).toMatch(/error: key file .*node_key\.json is not JSON/);
  });
});
