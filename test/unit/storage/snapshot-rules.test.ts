// Pure rules of snapshots: manifest parsing (format, newer version, unsafe paths), comparison with
// what was found, snapshot ids, next run of a schedule; and the scheduler on a real data dir
// (run now, keep last N, failure recorded and published).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest, ScheduleRun } from '../../../src/shared/api/snapshots.js';
import { parseManifest, safeRelPath, snapshotId } from '../../../src/node-core/snapshots/manifest.js';
import { SnapshotJobs } from '../../../src/node-core/snapshots/jobs.js';
import { BackupScheduler, DEFAULT_SCHEDULE, nextRunAt } from '../../../src/node-core/snapshots/scheduler.js';
import { compareWithManifest, describeProblems } from '../../../src/node-core/snapshots/verify.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import { openTestChain, type TestChain } from '../chain/helpers.js';

const H = (c: string) => c.repeat(64);
const manifest = (over: Partial<Manifest> = {}): Manifest => ({
  format: 'the-block-snapshot',
  format_version: 1,
  id: 'tb-dev-5-20260101T000000Z',
  network: 'dev',
  chain_id: 31337,
  genesis_hash: H('a'),
  height: 5,
  block_hash: H('b'),
  state_root: H('c'),
  node_version: '0.1.0',
  chain_schema: 2,
  created_at: '2026-01-01T00:00:00.000Z',
  created_at_ms: 1767225600000,
  origin: 'cli',
  subsystems: ['chain'],
  total_bytes: 3,
  files: [{ path: 'chain/CURRENT', size: 3, sha256: H('d'), mode: 0o644 }],
  ...over,
});

describe('manifest', () => {
  it('parses a valid manifest and reports each kind of bad one', () => {
    expect(parseManifest(JSON.stringify(manifest()), 'x').id).toBe('tb-dev-5-20260101T000000Z');
    expect(() => parseManifest('{', 'x')).toThrow(/x: manifest.json is not JSON/);
    expect(() => parseManifest('{"format":"zip"}', 'x')).toThrow(/not a manifest of a The Block snapshot/);
    expect(() => parseManifest(JSON.stringify({ format: 'the-block-snapshot', format_version: 7 }), 'x')).toThrow(/format version 7 is newer than this node understands \(1\)/);
    expect(() => parseManifest(JSON.stringify(manifest({ height: -1 })), 'x')).toThrow(/manifest.json is invalid \(height/);
    for (const bad of ['../etc/passwd', '/abs', 'a//b', 'a/./b', 'a\\b', 'manifest.json'])
      expect(() => parseManifest(JSON.stringify(manifest({ files: [{ path: bad, size: 1, sha256: H('e'), mode: 0o644 }] })), 'x')).toThrow(/unsafe path/);
    const dup = { path: 'a', size: 1, sha256: H('e'), mode: 0o644 };
    expect(() => parseManifest(JSON.stringify(manifest({ files: [dup, dup] })), 'x')).toThrow(/lists a twice/);
  });

  it('safe relative paths and ids', () => {
    expect(safeRelPath('chain/000005.ldb')).toBe(true);
    expect(safeRelPath('..')).toBe(false);
    expect(snapshotId('dev', 1234, new Date('2026-03-04T05:06:07.890Z'))).toBe('tb-dev-1234-20260304T050607Z');
  });

  it('comparison: missing, resized, changed and unlisted files, worst reason first', () => {
    const m = manifest({ files: [
      { path: 'a', size: 1, sha256: H('1'), mode: 0o644 },
      { path: 'b', size: 2, sha256: H('2'), mode: 0o644 },
      { path: 'c', size: 3, sha256: H('3'), mode: 0o644 },
    ] });
    expect(compareWithManifest(m, new Map([['a', { size: 1, sha256: H('1') }], ['b', { size: 2, sha256: H('2') }], ['c', { size: 3, sha256: H('3') }]]))).toEqual([]);
    const p = compareWithManifest(m, new Map([['a', { size: 9, sha256: H('1') }], ['b', { size: 2, sha256: H('f') }], ['x', { size: 1, sha256: H('1') }]]));
    expect(p.map((x) => [x.path, x.reason])).toEqual([['a', 'tampered'], ['b', 'tampered'], ['c', 'missing_files'], ['x', 'tampered']]);
    expect(describeProblems('s', p)).toEqual({ reason: 'missing_files', message: 'snapshot s failed verification: files are missing (1, e.g. c) (4 problems in all)' });
  });
});

describe('schedule', () => {
  const at = (iso: string) => Date.parse(iso);
  it.each([
    // [frequency, time, weekday, now, next]
    ['daily', '03:00', 0, '2026-01-07T02:59:00Z', '2026-01-07T03:00:00Z'],
    ['daily', '03:00', 0, '2026-01-07T03:00:00Z', '2026-01-08T03:00:00Z'],
    ['daily', '23:59', 0, '2026-12-31T23:59:30Z', '2027-01-01T23:59:00Z'],
    ['weekly', '03:00', 3, '2026-01-07T02:00:00Z', '2026-01-07T03:00:00Z'], // 2026-01-07 is a Wednesday
    ['weekly', '03:00', 3, '2026-01-07T04:00:00Z', '2026-01-14T03:00:00Z'],
    ['weekly', '00:00', 0, '2026-01-07T04:00:00Z', '2026-01-11T00:00:00Z'],
  ] as const)('%s at %s (weekday %i) after %s → %s', (frequency, time_utc, weekday, now, next) => {
    expect(nextRunAt({ ...DEFAULT_SCHEDULE, enabled: true, frequency, time_utc, weekday }, at(now))).toBe(at(next));
  });
  it('disabled → no next run', () => {
    expect(nextRunAt(DEFAULT_SCHEDULE, Date.now())).toBeNull();
  });
});

describe('BackupScheduler on a real data dir', () => {
  let t: TestChain;
  let dest: string;
  beforeAll(async () => {
    t = await openTestChain();
    for (let i = 0; i < 2; i++) await t.chain.produceBlock();
    dest = path.join(t.root, '..', `${path.basename(t.root)}-backups`);
  });
  afterAll(async () => {
    await t.cleanup();
    await fs.rm(dest, { recursive: true, force: true });
  });

  it('runs now, keeps the newest N scheduled snapshots, records and publishes failures', async () => {
    const events = new NodeEvents();
    const published: ScheduleRun[] = [];
    events.on('snapshots.scheduled', (r) => published.push(r));
    const jobs = new SnapshotJobs({ root: t.root, network: 'dev', events, workers: 1 });
    const s = await BackupScheduler.open({ root: t.root, network: 'dev', jobs, events });
    await expect(s.set({ ...DEFAULT_SCHEDULE, enabled: true, path: 'relative/dir' })).rejects.toThrow(/not an absolute path/);
    await expect(s.set({ ...DEFAULT_SCHEDULE, enabled: true, path: path.join(t.root, 'inside') })).rejects.toThrow(/inside the data directory/);
    const st = await s.set({ ...DEFAULT_SCHEDULE, enabled: true, path: dest, keep_last: 2 });
    expect(st.next_run_at_ms).toBeGreaterThan(Date.now());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await t.chain.produceBlock(); // a new height → a new id each run
      const run = await s.runNow().done;
      expect(run.ok).toBe(true);
      ids.push(run.snapshot_id!);
    }
    const left = (await fs.readdir(dest)).sort();
    expect(left).toEqual(ids.slice(1).sort());
    expect(published.at(-1)?.pruned).toEqual([ids[0]]);
    // A failing run (destination is a file) is recorded as the last failure and published.
    await fs.writeFile(path.join(dest, 'not-a-dir'), 'x');
    await s.set({ ...DEFAULT_SCHEDULE, enabled: true, path: path.join(dest, 'not-a-dir'), keep_last: 2 });
    const bad = await s.runNow().done;
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/not-a-dir/);
    expect(s.state().last_failure).toEqual(bad);
    expect(published.at(-1)).toEqual(bad);
    await s.close();
    // Settings and results survive a restart of the scheduler.
    const again = await BackupScheduler.open({ root: t.root, network: 'dev', jobs, events });
    expect(again.state()).toMatchObject({ enabled: true, keep_last: 2, last_failure: bad });
    await again.close();
  }, 60_000);
});
