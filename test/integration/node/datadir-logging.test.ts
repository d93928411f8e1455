/**
 * Data-dir lock, logger and stats sampler on a real disk (in-process).
 */
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine, NodeStats } from '../../../src/shared/api/index.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import { createNodeLogger, LogRing, LOG_RING_SIZE } from '../../../src/node-core/logging.js';
import { StatsSampler } from '../../../src/node-core/stats.js';
import {
  DataDirLockedError,
  openDataDir,
  procStartTime,
  staleReason,
} from '../../../src/node-core/storage/datadir.js';
import { removeTemp, tempDir } from './helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('tb-dd');
});
afterEach(async () => {
  await removeTemp(dir);
});

describe('data directory', () => {
  it('creates the layout (keys 0700) under a path with spaces and non-ASCII, and locks it', async () => {
    const dd = await openDataDir(dir);
    expect(dd.root).toBe(dir);
    for (const sub of ['chain', 'keys', 'logs'])
      expect((await fs.stat(path.join(dir, sub))).isDirectory()).toBe(true);
    expect((await fs.stat(path.join(dir, 'keys'))).mode & 0o777).toBe(0o700);
    const lock = JSON.parse(await fs.readFile(path.join(dir, 'node.lock'), 'utf8'));
    expect(lock).toMatchObject({ pid: process.pid, token: dd.lock.token, hostname: os.hostname() });
    // A second open in the same process is refused too.
    await expect(openDataDir(dir)).rejects.toThrow(new DataDirLockedError(dir, process.pid).message);
    await dd.release();
    expect(existsSync(path.join(dir, 'node.lock'))).toBe(false);
    await dd.release(); // idempotent
  });

  it('refuses a root held by another live process and names its pid', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const start = procStartTime(child.pid!);
      await fs.writeFile(
        path.join(dir, 'node.lock'),
        JSON.stringify({
          pid: child.pid,
          token: 't',
          proc_start: start,
          hostname: os.hostname(),
          started_at_ms: 1,
        }),
      );
      await expect(openDataDir(dir)).rejects.toThrow(`data directory ${dir} is in use by pid ${child.pid}`);
      expect(JSON.parse(await fs.readFile(path.join(dir, 'node.lock'), 'utf8')).token).toBe('t');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('takes over stale locks with a warning: dead pid, reused pid, garbage', async () => {
    const warnings: string[] = [];
    const dead = {
      pid: 2 ** 22 + 777,
      token: 'a',
      proc_start: '5',
      hostname: os.hostname(),
      started_at_ms: 1,
    };
    await fs.writeFile(path.join(dir, 'node.lock'), JSON.stringify(dead));
    let dd = await openDataDir(dir, { warn: (m) => warnings.push(m) });
    expect(warnings[0]).toMatch(/^taking over stale lock .*node\.lock: pid \d+ is not running$/);
    await dd.release();

    // The pid exists (our parent) but started at another time: it was reused by an unrelated process.
    if (procStartTime(process.ppid) !== null) {
      await fs.writeFile(
        path.join(dir, 'node.lock'),
        JSON.stringify({ ...dead, pid: process.ppid, proc_start: '1' }),
      );
      dd = await openDataDir(dir, { warn: (m) => warnings.push(m) });
      expect(warnings[1]).toContain(`pid ${process.ppid} was reused by another process`);
      await dd.release();
    }

    await fs.writeFile(path.join(dir, 'node.lock'), 'not json');
    dd = await openDataDir(dir, { warn: (m) => warnings.push(m) });
    expect(warnings.at(-1)).toContain('lock file is unreadable');
    await dd.release();
  });

  it('staleReason: a lock of another host is never judged stale', () => {
    expect(staleReason({ pid: 2 ** 22 + 1, hostname: 'elsewhere' })).toBeNull();
  });
});

describe('logger', () => {
  it('writes JSON lines to logs/node.log, rotates by size, and feeds log.line (info+) into the ring', async () => {
    const events = new NodeEvents();
    const ring = new LogRing();
    const seen: LogLine[] = [];
    events.on('log.line', (l) => seen.push(l));
    const logsDir = path.join(dir, 'logs');
    const log = await createNodeLogger({
      logsDir,
      level: 'debug',
      maxSizeMb: 1,
      maxFiles: 2,
      events,
      ring,
      stdout: false,
    });
    log.logger.debug({ detail: 1 }, 'only in the file');
    log.logger.info({ height: 5, rpc_auth_token: 'secret-value' }, 'block');
    log.logger.warn('careful');
    expect(seen.map((l) => l.msg)).toEqual(['block', 'careful']);
    expect(seen[0]).toMatchObject({ level: 30, fields: { height: 5, rpc_auth_token: '<redacted>' } });
    // Past 1 MiB twice: each time pino-roll opens the next file ('ready') and the link follows it.
    const filler = 'x'.repeat(1000);
    let i = 0;
    for (let round = 0; round < 2; round++) {
      const rotated = new Promise((resolve) => log.file.once('ready', resolve));
      for (let k = 0; k < 1100; k++) log.logger.info({ i: i++, filler }, 'filler');
      await rotated;
    }
    log.logger.info({ i: i++ }, 'last');
    await log.close();

    const files = (await fs.readdir(logsDir)).sort();
    expect(files).toContain('node.log');
    expect(files.filter((f) => /^node\.\d+\.log$/.test(f)).length).toBeGreaterThanOrEqual(2);
    const active = await fs.readlink(path.join(logsDir, 'node.log'));
    const n = Math.max(
      ...files.filter((f) => /^node\.\d+\.log$/.test(f)).map((f) => Number(f.split('.')[1])),
    );
    expect(active).toBe(`node.${n}.log`);
    const first = await fs.readFile(path.join(logsDir, 'node.1.log'), 'utf8');
    expect(first).toContain('"msg":"only in the file"');
    expect(first).not.toContain('secret-value');
    expect(ring.snapshot()).toHaveLength(LOG_RING_SIZE);
    expect(ring.snapshot().at(-1)).toMatchObject({ msg: 'last', fields: { i: 2200 } });
    expect(await fs.readFile(path.join(logsDir, 'node.log'), 'utf8')).toContain('"msg":"last"');
  });
});

describe('stats sampler', () => {
  it('emits node.stats with CPU, RSS, data-dir bytes and mempool size', async () => {
    await fs.writeFile(path.join(dir, 'blob'), Buffer.alloc(123_456));
    const events = new NodeEvents();
    const s = new StatsSampler({
      root: dir,
      events,
      mempoolSize: () => 3,
      intervalMs: 20,
      sizeIntervalMs: 20,
    });
    const next = new Promise<NodeStats>((resolve) => {
      const off = events.on('node.stats', (p) => {
        off();
        resolve(p);
      });
    });
    await s.start();
    const p = await next;
    await s.stop();
    expect(p.data_dir_bytes).toBeGreaterThanOrEqual(123_456);
    expect(p.rss_bytes).toBeGreaterThan(1_000_000);
    expect(p.cpu_percent).toBeGreaterThanOrEqual(0);
    expect(p).toMatchObject({ mempool_size: 3, peers: 0 });
    expect(s.latest().ts_ms).toBeGreaterThanOrEqual(p.ts_ms);
  });
});
