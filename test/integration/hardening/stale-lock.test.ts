// Issue 12 item 1: a lock left by another host names the host, pid and start time and the way to
// take it over; `contract-cli node unlock` asks for the host name, then removes it; the console's
// `app.unlockDataDir` does the same for a node in start_failed and starts it; a live node of this
// host is never unlocked.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SupervisorState } from '../../../src/shared/api/app.js';
import { createAppHandlers } from '../../../src/host/app-handlers.js';
import { Broker } from '../../../src/host/broker.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor } from '../../../src/host/supervisor.js';
import { DataDirLockedError, openDataDir } from '../../../src/node-core/storage/datadir.js';
import { procStartTime } from '../../../src/node-core/storage/lock.js';
import { BIN, cleanEnv, MAIN, removeTemp, REPO, tempDir } from '../node/helpers.js';

const STARTED = Date.UTC(2026, 10, 3, 8, 15, 0);
const FOREIGN = { pid: 4194000, token: 'f'.repeat(32), proc_start: '123', hostname: 'old-container-7f3a', started_at_ms: STARTED };

let dir: string;
afterEach(async () => {
  if (dir) await removeTemp(dir);
});

/** `contract-cli node unlock …` with `input` on stdin. */
function unlock(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN['contract-cli'], 'node', 'unlock', ...args], { env: cleanEnv(), cwd: os.tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const exists = (p: string) => fs.stat(p).then(() => true, () => false);

// Three CLI starts, or two node starts, per test: at load 20+ each takes 10–20 s (the default 60 s ran out).
describe('a lock of another host', { timeout: 240_000 }, () => {
  it('is refused with the host, pid, start time and the takeover command', async () => {
    dir = await tempDir('tb-lock élsewhere');
    await fs.writeFile(path.join(dir, 'node.lock'), JSON.stringify(FOREIGN));
    const err = await openDataDir(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataDirLockedError);
    const m = (err as Error).message;
    expect(m).toContain('pid 4194000');
    expect(m).toContain('host "old-container-7f3a"');
    expect(m).toContain(new Date(STARTED).toISOString());
    expect(m).toContain(`contract-cli node unlock --data-dir "${dir}"`);
    expect((err as DataDirLockedError).reason).toBe('data_dir_locked_elsewhere');
  });

  it('contract-cli node unlock: a wrong confirmation leaves it; the host name removes it; the node then opens', async () => {
    dir = await tempDir('tb-lock-cli');
    const lock = path.join(dir, 'node.lock');
    await fs.writeFile(lock, JSON.stringify(FOREIGN));
    const no = await unlock(['--data-dir', dir], 'yes\n');
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('host     old-container-7f3a');
    expect(no.stderr).toContain('pid      4194000');
    expect(no.stderr).toContain(`started  ${new Date(STARTED).toISOString()}`);
    expect(no.stderr).toMatch(/error: not confirmed .*the lock was left in place/);
    expect(await exists(lock)).toBe(true);
    const none = await unlock(['--data-dir', dir], '');
    expect(none.code).toBe(2);
    expect(await exists(lock)).toBe(true);

    const yes = await unlock(['--data-dir', dir], 'old-container-7f3a\n');
    expect(yes.code, yes.stderr).toBe(0);
    expect(yes.stdout).toContain('took over the lock');
    expect(await exists(lock)).toBe(false);
    const dd = await openDataDir(dir);
    await dd.release();
  });

  it('a live node of this host is never unlocked, even with --yes', async () => {
    dir = await tempDir('tb-lock-live');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const lock = path.join(dir, 'node.lock');
      await fs.writeFile(lock, JSON.stringify({ pid: child.pid, token: 'a'.repeat(32), proc_start: procStartTime(child.pid!), hostname: os.hostname(), started_at_ms: Date.now() }));
      const r = await unlock(['--data-dir', dir, '--yes'], '');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`is in use by pid ${child.pid}`);
      expect(await exists(lock)).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('the console: start_failed with reason data_dir_locked_elsewhere; app.unlockDataDir takes it over and the node starts', async () => {
    dir = await tempDir('tb-lock-console');
    const data = path.join(dir, 'data');
    await fs.mkdir(data);
    await fs.writeFile(path.join(data, 'node.lock'), JSON.stringify(FOREIGN));
    const sup = new Supervisor({
      launcher: forkLauncher(),
      spec: { entry: MAIN, args: ['--data-dir', data, '--rpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--no-telemetry', '--block-time-ms', '600000'], env: cleanEnv(), cwd: REPO },
    });
    // No data-dir hint: the console learns the directory from the node's own start failure.
    const broker = new Broker(sup, createAppHandlers({ mode: 'server', supervisor: sup }));
    const until = (pred: (s: SupervisorState) => boolean) =>
      new Promise<SupervisorState>((resolve) => {
        if (pred(sup.state())) return resolve(sup.state());
        const off = sup.onState((s) => pred(s) && (off(), resolve(s)));
      });
    try {
      sup.start();
      const failed = await until((s) => s.state === 'start_failed');
      expect(failed.start_error_reason).toBe('data_dir_locked_elsewhere');
      expect(failed.start_error).toContain('old-container-7f3a');
      await expect(broker.call('app.unlockDataDir', { expect_pid: 1234 })).rejects.toMatchObject({ data: { reason: 'lock_changed' } });
      const r = (await broker.call('app.unlockDataDir', { expect_pid: FOREIGN.pid })) as Record<string, unknown>;
      expect(r).toMatchObject({ removed: true, holder_pid: FOREIGN.pid, holder_host: 'old-container-7f3a', restarted: true });
      await until((s) => s.state === 'running' && s.node_phase?.phase === 'ready');
      // And now the lock is ours: taking it over again is refused.
      await expect(broker.call('app.unlockDataDir', {})).rejects.toMatchObject({ data: { reason: 'data_dir_locked' } });
    } finally {
      await sup.stop();
    }
  });
});
