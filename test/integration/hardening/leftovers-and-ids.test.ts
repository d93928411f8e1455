// Issue 12 item 7: (a) partial snapshots left by a killed run are removed by the next run into the
// same destination (a live writer's are kept) and reported; (b) a 429 echoes the request id(s);
// (c) duplicate ids inside one batch: the first runs, later ones get −32600 duplicate_id.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnapshot } from '../../../src/node-core/snapshots/create.js';
import { listSnapshots } from '../../../src/node-core/snapshots/manifest.js';
import { procStartTime } from '../../../src/node-core/storage/lock.js';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { post, startFixture, type Fixture } from '../../unit/rpc/helpers.js';
import { removeTemp, tempDir } from '../node/helpers.js';
import { makeDataDir } from '../snapshots/helpers.js';

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

/** The pid of a process that has exited (a writer killed mid-run). */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

describe('snapshot leftovers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('tb-leftovers');
  });
  afterAll(() => removeTemp(dir));

  it('the next run removes partial output of dead writers and stale cut folders, keeps a live writer’s, and says so', async () => {
    const data = path.join(dir, 'data');
    await makeDataDir(data, 2);
    const dest = path.join(dir, 'backups');
    await fs.mkdir(dest);
    // A dir-format run killed mid-copy (owner file names a dead pid) …
    const deadDir = path.join(dest, '.dev-h1-20261101T000000Z.partial');
    await fs.mkdir(path.join(deadDir, 'chain'), { recursive: true });
    await fs.writeFile(path.join(deadDir, 'chain', '000005.ldb'), Buffer.alloc(4096, 7));
    await fs.writeFile(deadDir + '.owner', JSON.stringify({ pid: await deadPid(), proc_start: '1', hostname: os.hostname(), started_at_ms: Date.now() }));
    // … a tar run of an older version (no owner file) …
    const oldTar = path.join(dest, '.dev-h1-20261101T000001Z.tar.partial');
    await fs.writeFile(oldTar, Buffer.alloc(1024));
    // … a tar run still being written by a live process of this host …
    const writer = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const liveTar = path.join(dest, '.dev-h2-20261101T000002Z.tar.partial');
    await fs.writeFile(liveTar, Buffer.alloc(1024));
    await fs.writeFile(liveTar + '.owner', JSON.stringify({ pid: writer.pid, proc_start: procStartTime(writer.pid!), hostname: os.hostname(), started_at_ms: Date.now() }));
    // … and a consistent-cut folder of a killed run inside the data directory.
    const cut = path.join(data, 'snapshots', '.cut-deadbeef0000');
    await fs.mkdir(path.join(cut, 'chain'), { recursive: true });
    await fs.writeFile(path.join(cut, 'chain', 'CURRENT'), 'MANIFEST-000001\n');
    try {
      const r = await createSnapshot({ root: data, dest, origin: 'cli' });
      expect([...(r.removed_leftovers ?? [])].sort()).toEqual([cut, deadDir, oldTar].sort());
      expect(await exists(deadDir)).toBe(false);
      expect(await exists(deadDir + '.owner')).toBe(false);
      expect(await exists(oldTar)).toBe(false);
      expect(await exists(cut)).toBe(false);
      expect(await exists(liveTar)).toBe(true);
      // Only the complete snapshot is in the destination (besides the live writer's files).
      expect((await fs.readdir(dest)).sort()).toEqual([path.basename(liveTar), path.basename(liveTar) + '.owner', r.id].sort());
      const listed = await listSnapshots(dest);
      expect(listed.invalid).toEqual([]);
      expect(listed.snapshots.map((s) => s.id)).toEqual([r.id]);
      // A clean run leaves no owner file of its own and reports nothing.
      const again = await createSnapshot({ root: data, dest, origin: 'cli', format: 'tar' });
      expect(again.removed_leftovers).toBeUndefined();
      expect((await fs.readdir(dest)).filter((n) => n.endsWith('.owner'))).toEqual([path.basename(liveTar) + '.owner']);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('JSON-RPC ids in refusals and batches', () => {
  let f: Fixture;
  beforeAll(async () => {
    // A bucket that never holds a whole token (refills 1 token per 100 s): every request is refused, however slow the machine.
    f = await startFixture({ rateLimitPerSec: 0.01 });
  });
  afterAll(() => f.close());

  it('a 429 echoes the id of a single request, and each member id of a batch', async () => {
    let single;
    for (let i = 0; i < 10 && single?.status !== 429; i++) single = await post(f.url, `{"jsonrpc":"2.0","id":"req-${i}","method":"chain.tip"}`);
    expect(single!.status).toBe(429);
    expect(single!.json).toMatchObject({ id: expect.stringMatching(/^req-\d+$/), error: { code: ErrorCode.RateLimited } });
    const batch = await post(f.url, '[{"jsonrpc":"2.0","id":7,"method":"chain.tip"},{"jsonrpc":"2.0","method":"chain.tip"},{"jsonrpc":"2.0","id":"b","method":"chain.tip"}]');
    expect(batch.status).toBe(429);
    expect(batch.json.map((e: { id: unknown }) => e.id)).toEqual([7, 'b']);
    const garbage = await post(f.url, '{not json');
    expect(garbage.status).toBe(429);
    expect(garbage.json).toMatchObject({ id: null, error: { code: ErrorCode.RateLimited } });
  });
});

describe('duplicate ids inside one batch', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(() => f.close());

  it('the first member with an id runs; later members with the same id are refused (−32600 duplicate_id) and not run', async () => {
    const before = f.chain.height;
    const r = await post(
      f.url,
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'dev.mine_one' },
        { jsonrpc: '2.0', id: 1, method: 'dev.mine_one' },
        { jsonrpc: '2.0', id: '1', method: 'chain.tip' },
        { jsonrpc: '2.0', id: null, method: 'chain.tip' },
        { jsonrpc: '2.0', id: null, method: 'chain.tip' },
        { jsonrpc: '2.0', method: 'dev.mine_one' },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(5);
    expect(r.json[0]).toMatchObject({ id: 1, result: { height: before + 1 } });
    expect(r.json[1]).toMatchObject({ id: 1, error: { code: ErrorCode.InvalidRequest, data: { reason: 'duplicate_id' } } });
    expect(r.json[2]).toMatchObject({ id: '1', result: expect.any(Object) }); // "1" is not 1
    expect(r.json[3]).toMatchObject({ id: null, result: expect.any(Object) });
    expect(r.json[4]).toMatchObject({ id: null, error: { data: { reason: 'duplicate_id' } } });
    // The refused duplicate did not run; the notification did.
    expect(f.chain.height).toBe(before + 2);
  });
});
