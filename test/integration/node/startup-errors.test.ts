/**
 * Startup failures of the real node process: each prints one clear line on stderr, exits
 * non-zero (2 = configuration, 1 = other), reports `failed` with the reason over IPC, and leaves
 * nothing behind (lock released, no listener).
 */
import { existsSync, promises as fs } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTemp, spawnNode, stopNode, tempDir, type NodeProc } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tb-err');
});
afterAll(async () => {
  await removeTemp(dir);
});

/** Holds a TCP port on 127.0.0.1 for the duration of a test. */
async function occupyPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function errorLines(n: NodeProc): string[] {
  return n
    .stderr()
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('error:'));
}

async function failedStart(n: NodeProc) {
  const exit = await n.exited;
  const failed = n.messages.find((m) => m.type === 'phase' && m.phase === 'failed') as
    { reason?: string } | undefined;
  return {
    exit,
    lines: errorLines(n),
    failedReason: failed?.reason,
    exitMsg: n.messages.find((m) => m.type === 'exit'),
  };
}

describe('startup errors', () => {
  it('RPC port in use: names the port and --rpc-addr / TB_RPC_ADDR; exit 1; lock released', async () => {
    const busy = await occupyPort();
    try {
      const n = spawnNode({ dataDir: dir, args: ['--rpc-addr', `127.0.0.1:${busy.port}`] });
      const r = await failedStart(n);
      expect(r.exit.code).toBe(1);
      expect(r.lines).toEqual([
        `error: port ${busy.port} is already in use (127.0.0.1:${busy.port}); change it with --rpc-addr / TB_RPC_ADDR`,
      ]);
      expect(r.failedReason).toContain(`port ${busy.port} is already in use`);
      expect(r.exitMsg).toMatchObject({ type: 'exit', code: 1 });
      // The log (stdout and the file) says it in one field: no stack for an operator's mistake.
      const failedLine = n
        .stdout()
        .split('\n')
        .find((l) => l.includes('"node failed to start"'));
      expect(JSON.parse(failedLine!)).toMatchObject({ level: 50, reason: expect.stringContaining(`port ${busy.port} is already in use`) });
      expect(failedLine).not.toContain('"stack"');
      expect(existsSync(path.join(dir, 'node.lock'))).toBe(false);
    } finally {
      await busy.close();
    }
  });

  it('metrics port in use (set by env): names the port and --metrics-addr / TB_METRICS_ADDR', async () => {
    const busy = await occupyPort();
    try {
      const n = spawnNode({ dataDir: dir, env: { TB_METRICS_ADDR: `127.0.0.1:${busy.port}` } });
      const r = await failedStart(n);
      expect(r.exit.code).toBe(1);
      expect(r.lines[0]).toBe(
        `error: port ${busy.port} is already in use (127.0.0.1:${busy.port}); change it with --metrics-addr / TB_METRICS_ADDR`,
      );
      expect(existsSync(path.join(dir, 'node.lock'))).toBe(false);
    } finally {
      await busy.close();
    }
  });

  it('locked data dir: the second node names the first one’s pid; exit 1; the first keeps running', async () => {
    const first = spawnNode({ dataDir: dir, args: ['--block-time-ms', '600000'] });
    await first.ready;
    try {
      const second = spawnNode({ dataDir: dir });
      const r = await failedStart(second);
      expect(r.exit.code).toBe(1);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toContain(`data directory ${dir} is in use by pid ${first.pid}`);
      expect(existsSync(path.join(dir, 'node.lock'))).toBe(true);
      expect(first.child.exitCode).toBeNull();
    } finally {
      expect(await stopNode(first, 'SIGINT')).toEqual({ code: 0, signal: null });
    }
  });

  it('a data dir that cannot be a folder on a disk (under /proc, below a file): one line, exit 1, nothing created', async () => {
    const file = path.join(path.dirname(dir), 'a-file');
    await fs.writeFile(file, 'x');
    const cases = [path.join(file, 'data'), ...(process.platform === 'linux' ? ['/proc/tb-node-test/data'] : [])];
    for (const target of cases) {
      const n = spawnNode({ dataDir: target, cwd: path.dirname(dir) });
      // A recursive mkdir under /proc never settled (the node hung, burning a core, deaf to SIGTERM):
      // 60 s is a liveness bound only; a hung node is killed so the test fails instead of waiting.
      const hung = setTimeout(() => n.child.kill('SIGKILL'), 60_000);
      const r = await failedStart(n).finally(() => clearTimeout(hung));
      expect(r.exit.code).toBe(1);
      expect(r.lines).toHaveLength(1);
      expect(r.lines[0]).toMatch(new RegExp(`^error: data directory ${target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be used \\((ENOTDIR|EPSEUDOFS)\\): `));
      expect(r.exitMsg).toMatchObject({ type: 'exit', code: 1, reason: 'data_dir_unusable', data_dir: target });
    }
    expect(existsSync('/proc/tb-node-test')).toBe(false);
  });

  it('a stale lock (dead pid) is taken over with a warning', async () => {
    await fs.writeFile(
      path.join(dir, 'node.lock'),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        token: 'x',
        proc_start: '1',
        hostname: (await import('node:os')).hostname(),
        started_at_ms: 0,
      }),
    );
    const n = spawnNode({ dataDir: dir, args: ['--block-time-ms', '600000'] });
    await n.ready;
    expect(await stopNode(n, 'SIGINT')).toEqual({ code: 0, signal: null });
    expect(n.stdout()).toMatch(/taking over stale lock .*node\.lock: pid \d+ is not running/);
  });

  it('unknown key in node.toml: exit 2, names the key and the file', async () => {
    const toml = path.join(path.dirname(dir), 'node.toml');
    await fs.writeFile(toml, 'network = "dev"\nrpc_adr = "127.0.0.1:8545"\n');
    const n = spawnNode({ dataDir: dir, args: ['--config', toml] });
    const r = await failedStart(n);
    expect(r.exit.code).toBe(2);
    expect(r.lines).toEqual([`error: ${toml}: unknown key "rpc_adr" (did you mean "rpc_addr"?)`]);
    expect(r.exitMsg).toMatchObject({ type: 'exit', code: 2 });
  });

  it('corrupt node.toml (relative path): exit 2, names the file and line', async () => {
    await fs.mkdir(path.join(path.dirname(dir), 'config'), { recursive: true });
    const file = path.join(path.dirname(dir), 'config', 'node.toml');
    await fs.writeFile(file, 'network = "dev"\nlog_level = "info\n');
    const n = spawnNode({ dataDir: dir, args: ['--config', 'config/node.toml'] });
    const r = await failedStart(n);
    await fs.rm(file);
    expect(r.exit.code).toBe(2);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^error: config\/node\.toml:2:\d+: invalid TOML \(/);
  });

  it('bad env value and bad flag: exit 2 naming the variable / flag', async () => {
    const a = await failedStart(spawnNode({ dataDir: dir, env: { TB_LOG_LEVEL: 'loud' } }));
    expect(a.exit.code).toBe(2);
    expect(a.lines[0]).toContain('error: TB_LOG_LEVEL: must be one of trace, debug, info');
    const b = await failedStart(spawnNode({ dataDir: dir, args: ['--block-time-ms', '1.5'] }));
    expect(b.exit.code).toBe(2);
    expect(b.lines).toEqual(['error: --block-time-ms: must be an integer number of ms']);
    const c = await spawnNode({ dataDir: dir, args: ['--no-such-flag'] }).exited;
    expect(c.code).toBe(2);
  });
});
