/**
 * Operator findings F1–F3: a typed folder is checked without creating anything; a path under a
 * pseudo file system (/proc) or under a file is refused at once with a reason; folders are created
 * level by level only when asked.
 */
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWritable } from '../../../src/host/preflight.js';
import { createSnapshot } from '../../../src/node-core/snapshots/create.js';
import { checkDestination } from '../../../src/node-core/snapshots/service.js';
import { checkDirTarget, mkdirLevels } from '../../../src/node-core/storage/dir-target.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-dirtarget-'));
  await fs.writeFile(path.join(tmp, 'a file'), 'x');
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const hasProc = existsSync('/proc/self');

describe('checkDirTarget', () => {
  it('a missing folder under a writable one: ok, nothing created', async () => {
    const p = path.join(tmp, 'dåta 数据', 'dev');
    const t = await checkDirTarget(p);
    expect(t).toMatchObject({ ok: true, exists: false, existing: tmp });
    expect(t.total_bytes).toBeGreaterThan(0);
    expect(existsSync(path.join(tmp, 'dåta 数据'))).toBe(false);
  });

  it('a path under a file: ENOTDIR, naming the file', async () => {
    const t = await checkDirTarget(path.join(tmp, 'a file', 'x', 'y'));
    expect(t).toMatchObject({ ok: false, code: 'ENOTDIR' });
    expect(t.problem).toContain('a file');
  });

  it.runIf(hasProc)('a path under /proc: refused as not a real disk', async () => {
    const t = await checkDirTarget('/proc/nope/x');
    expect(t).toMatchObject({ ok: false, code: 'EPSEUDOFS', existing: '/proc' });
    expect(t.problem).toMatch(/not on a real disk/);
  });

  it('mkdirLevels creates each missing level; an existing folder is fine', async () => {
    const p = path.join(tmp, 'l1', 'l2', 'l3');
    await mkdirLevels(p);
    expect((await fs.stat(p)).isDirectory()).toBe(true);
    await mkdirLevels(p);
    await expect(mkdirLevels(path.join(tmp, 'a file', 'z'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('first-run preflight (F2, F3)', () => {
  it('checking a typed folder creates nothing', async () => {
    for (const typed of ['t', 'ty', 'typ', 'typo']) expect((await checkWritable(path.join(tmp, 'home', typed, 'dev'))).status).toBe('ok');
    expect(existsSync(path.join(tmp, 'home'))).toBe(false);
  });

  it.runIf(hasProc)('/proc/nope fails at once with "not a real disk"', async () => {
    const c = await checkWritable('/proc/nope/dev');
    expect(c.status).toBe('fail');
    expect(c.detail).toMatch(/not on a real disk/);
  });
});

describe('snapshots (F1)', () => {
  it.runIf(hasProc)('snapshots.free_space reports a /proc path not writable', async () => {
    const r = await checkDestination('/proc/nope/x', path.join(tmp, 'data'));
    expect(r.writable).toBe(false);
    expect(r.problem).toMatch(/not on a real disk/);
  });

  it.runIf(hasProc)('create refuses a /proc destination up front (bad_path) instead of hanging', async () => {
    // The data directory check comes first, so give it one that only has a genesis file.
    const { makeDataDir } = await import('../../integration/snapshots/helpers.js');
    const data = path.join(tmp, 'data');
    await makeDataDir(data, 1);
    await expect(createSnapshot({ root: data, dest: '/proc/nope/x', origin: 'cli' })).rejects.toMatchObject({ reason: 'bad_path', message: expect.stringMatching(/not on a real disk/) });
  }, 60_000);
});
