// Issue 12 item 8: `kill -9` of the pid of `npx contract-cli node start` leaves no orphan holding
// the port and the lock (the node notices npm is gone and stops gracefully); the example systemd
// unit is valid and starts the bin directly with a graceful stop.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, removeTemp, REPO, tempDir } from '../node/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tb-npx');
});
afterAll(() => removeTemp(dir));

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));

async function until(pred: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = performance.now() + ms;
  while (!(await pred())) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

describe('run under a process manager', () => {
  it('kill -9 of npx: the node stops by itself, freeing its port and lock', async () => {
    const data = path.join(dir, 'data');
    const npx = spawn('npx', ['--yes', 'contract-cli', 'node', 'start', '--data-dir', data, '--rpc-addr', '127.0.0.1:0', '--no-telemetry', '--block-time-ms', '600000'], {
      cwd: REPO,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, so the test can clean up whatever is left
    });
    let out = '';
    let err = '';
    npx.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    npx.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    let nodePid = 0;
    try {
      await until(() => /"msg":"node ready"/.test(out), 90_000, `node ready (stderr: ${err})`);
      const ready = JSON.parse(out.split('\n').find((l) => l.includes('"msg":"node ready"'))!) as { rpc_port: number };
      const lock = JSON.parse(await fs.readFile(path.join(data, 'node.lock'), 'utf8')) as { pid: number };
      nodePid = lock.pid;
      expect(nodePid).not.toBe(npx.pid);
      expect(await portFree(ready.rpc_port)).toBe(false);

      process.kill(npx.pid!, 'SIGKILL');
      // Liveness: generous on a loaded machine (the check runs every second, the stop is ordered).
      await until(() => !alive(nodePid), 60_000, 'the node to exit after its launcher was killed');
      expect(await portFree(ready.rpc_port)).toBe(true);
      expect(existsSync(path.join(data, 'node.lock'))).toBe(false);
      expect(err).toMatch(/the launcher npm \(pid \d+\) has exited: stopping the node/);
      expect(out).toContain('"msg":"phase stopped"');
    } finally {
      try {
        process.kill(-npx.pid!, 'SIGKILL');
      } catch {
        /* group already gone */
      }
      if (nodePid && alive(nodePid)) process.kill(nodePid, 'SIGKILL');
    }
  }, 180_000);

  it('the example systemd unit runs the bin directly, restarts on failure and stops with SIGTERM', () => {
    const unit = readFileSync(path.join(REPO, 'examples/systemd/the-block-node.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node \S+\/bin\/contract-cli\.mjs node start /m);
    expect(unit).not.toMatch(/^ExecStart=.*\bnpx\b/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^TimeoutStopSec=\d+/m);
    const probe = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (probe.error) return; // systemd-analyze absent: the static checks above still hold
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', path.join(REPO, 'examples/systemd/the-block-node.service')], { encoding: 'utf8' });
    // verify complains about the absent /usr/bin/node or /opt paths on machines without them; no syntax errors.
    expect(r.stderr).not.toMatch(/Unknown (key|section)|Invalid|Failed to parse/i);
  });
});
