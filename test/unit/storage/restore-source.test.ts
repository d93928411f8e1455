// The restore wizard's pre-checks about its source and target (operator walkthrough): the data
// directory held by the asking node itself is "in use by this console's node" (never "not in use"),
// held by another live process it names that pid; a plain file given as a snapshot is "not a
// snapshot archive", not "truncated"; a relative or NUL-holding path is refused by the params of
// snapshots.verify / inspect / list and app.restoreSnapshot (−32602 naming the field `path`).
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../src/node-core/rpc/dispatcher.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import { acquireLock, LOCK_FILE, procStartTime, type HeldLock } from '../../../src/node-core/storage/lock.js';
import { planRestore } from '../../../src/node-core/snapshots/restore-plan.js';
import { locate } from '../../../src/node-core/snapshots/manifest.js';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { appRestoreSnapshot } from '../../../src/shared/api/app.js';

let dir: string;
let held: HeldLock | undefined;
let child: ChildProcess | undefined;
afterEach(async () => {
  await held?.release();
  held = undefined;
  child?.kill('SIGKILL');
  child = undefined;
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-restore-src-'));
  const root = path.join(dir, 'data');
  await fs.mkdir(path.join(root, 'chain'), { recursive: true });
  return root;
}

const target = async (root: string, o: Parameters<typeof planRestore>[4]) => (await planRestore(path.join(dir, 'none'), root, 'dev', new Date(), o)).plan.checks.find((c) => c.id === 'target')!;

describe('data directory pre-check', () => {
  it('held by the asking node itself: in use by the console\'s node (ok), or by this node (refused) — never "not in use"', async () => {
    const root = await dataDir();
    held = await acquireLock(root);
    const c = await target(root, { askedBy: 'console' });
    expect(c).toMatchObject({ ok: true, detail: `${root} is in use by this console's node: it will be stopped for the restore` });
    const n = await target(root, { askedBy: 'node' });
    expect(n.ok).toBe(false);
    expect(n.detail).toContain(`is in use by this node (pid ${process.pid})`);
    expect((await target(root, {})).detail).not.toContain('not in use');
  });

  it('held by another live process: a failure naming its pid', async () => {
    const root = await dataDir();
    child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
    await new Promise((r) => child!.once('spawn', r));
    const lock = { pid: child.pid, token: 'x', proc_start: procStartTime(child.pid!), hostname: os.hostname(), started_at_ms: Date.now() };
    await fs.writeFile(path.join(root, LOCK_FILE), JSON.stringify(lock));
    const c = await target(root, { askedBy: 'console' });
    expect(c.ok).toBe(false);
    expect(c.detail).toContain(`is in use by pid ${child.pid}`);
  });

  it('a lock left by an earlier run of this pid (not held here) is not in use', async () => {
    const root = await dataDir();
    await fs.writeFile(path.join(root, LOCK_FILE), JSON.stringify({ pid: process.pid, token: 'x', proc_start: null, hostname: os.hostname(), started_at_ms: 0 }));
    expect(await target(root, { askedBy: 'console' })).toMatchObject({ ok: true, detail: `${root} is a node's data directory, not in use` });
  });
});

describe('a file that is not a snapshot archive', () => {
  it.each([
    ['a short text file', Buffer.from('hello\nnot a snapshot\n'), 'it is a text file, with no tar header'],
    ['a long text file', Buffer.from('x'.repeat(5000)), 'it is a text file, with no tar header'],
    ['a gzip', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), 'gzip-compressed'],
    ['an empty file', Buffer.alloc(0), 'the file is empty'],
  ])('%s: "not a snapshot archive", not truncated', async (_what, body, why) => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-restore-src-'));
    const f = path.join(dir, 'notes.txt');
    await fs.writeFile(f, body);
    const err = await locate(f).then(() => null, (e: Error) => e);
    expect(err?.message).toContain(`${f}: not a snapshot archive (`);
    expect(err?.message).toContain(why);
    expect(err?.message).not.toMatch(/truncated|ends early/);
  });
});

describe('snapshot paths in params', () => {
  const d = () => {
    const started: unknown[] = [];
    // One stub for the three methods: only whether it is reached matters here.
    const handler = ((p: unknown) => (started.push(p), { job_id: 'j1' })) as never;
    const disp = new Dispatcher({ handlers: { 'snapshots.verify': handler, 'snapshots.inspect': handler, 'snapshots.list': handler }, events: new NodeEvents(), info: { title: 't', version: '0' } });
    return { started, call: async (method: string, params: unknown) => JSON.parse((await disp.handleText(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }), { transport: 'http', authorized: true }))!) };
  };

  it.each([['relative/snap'], ['./snap'], ['snap.tar'], ['/tmp/a\0b'], ['']])('snapshots.verify %j: −32602 on path, no job', async (p) => {
    const { started, call } = d();
    for (const params of [{ path: p }, [p]]) {
      const r = await call('snapshots.verify', params);
      expect(r.error.code).toBe(ErrorCode.InvalidParams);
      expect(JSON.stringify(r.error.data.issues)).toContain('"path"');
    }
    expect(started).toEqual([]);
  });

  it('a relative path: "give a full path" for inspect and list too; a full path is accepted', async () => {
    const { started, call } = d();
    for (const m of ['snapshots.inspect', 'snapshots.list']) expect(JSON.stringify((await call(m, { path: 'backups/x' })).error)).toContain('give a full path');
    expect((await call('snapshots.verify', { path: '/srv/backups/tb-dev-1' })).result).toEqual({ job_id: 'j1' });
    expect(started).toHaveLength(1);
    expect(appRestoreSnapshot.params.safeParse({ path: 'relative' }).success).toBe(false);
  });
});
