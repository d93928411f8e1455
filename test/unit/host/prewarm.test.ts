/**
 * The prewarmed node (src/host/prewarm.ts, node-entry.ts prewarm mode): forked before its flags
 * are known, it runs the first spec it is handed exactly as a node forked with it (flags AND the
 * `TB_*` environment), and a spec it cannot take (an environment differing beyond `TB_*`) is
 * refused, the prewarmed process stopped, and the caller forks as usual; it starts with the
 * launchers' environment defaults (node-flags.ts). Uses the built bundle.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { prewarmNode, takePrewarmed } from '../../../src/host/prewarm.js';
import { ensureBuilt, ROOT } from '../main/built-output.js';

const ENTRY = path.join(ROOT, 'out', 'node', 'node-entry.js');
const started: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(ensureBuilt, 300_000);

afterEach(async () => {
  for (const cp of started.splice(0)) {
    if (cp.exitCode !== null || cp.signalCode !== null) continue;
    const exited = new Promise((r) => cp.once('exit', r));
    cp.kill('SIGTERM');
    await exited;
  }
  // A prewarmed process nobody took: taking it with an unusable spec stops it.
  takePrewarmed({ entry: '/nonexistent', args: [] });
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'tb-prewarm-'));
  dirs.push(d);
  return d;
}

const exitOf = (cp: ChildProcess) => new Promise<number | null>((r) => (cp.exitCode !== null ? r(cp.exitCode) : cp.once('exit', (c) => r(c))));

describe('prewarmed node', () => {
  it('runs the first spec it is handed: its flags and TB_* environment', async () => {
    const base = { ...process.env, TB_ENABLE_TELEMETRY: undefined, TB_P2P_ENABLED: undefined };
    prewarmNode(ROOT, base);
    const dir = await dataDir();
    const env = { ...base, TB_RESOURCES_DIR: path.join(ROOT, 'resources'), TB_ENABLE_TELEMETRY: 'false', TB_P2P_ENABLED: 'false' };
    const cp = takePrewarmed({ entry: ENTRY, leadArgs: ['--tb-node'], args: ['--data-dir', dir, '--rpc-addr', '127.0.0.1:0'], env });
    expect(cp).toBeDefined();
    started.push(cp!);
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      cp!.on('message', (m: { type?: string }) => m?.type === 'ready' && resolve(m as Record<string, unknown>));
      cp!.once('exit', (c) => reject(new Error(`the prewarmed node exited (${c}) before ready`)));
    });
    expect(ready.data_dir).toBe(dir);
    // The launchers' environment defaults were in its environment from its start (glibc reads
    // MALLOC_ARENA_MAX then; /proc/PID/environ is that start environment).
    if (process.platform === 'linux') expect(readFileSync(`/proc/${cp!.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');
    // TB_ENABLE_TELEMETRY=false came with the spec, not with the fork: no metrics server.
    expect(ready.metrics_port).toBeNull();
    // Taken once: the next launch forks.
    expect(takePrewarmed({ entry: ENTRY, leadArgs: ['--tb-node'], args: [], env })).toBeUndefined();
  }, 120_000);

  it('is refused and stopped when the environment differs beyond TB_* variables', async () => {
    prewarmNode(ROOT, { ...process.env });
    const env = { ...process.env, TB_RESOURCES_DIR: path.join(ROOT, 'resources'), NODE_OPTIONS: '--max-old-space-size=512' };
    expect(takePrewarmed({ entry: ENTRY, leadArgs: ['--tb-node'], args: ['--data-dir', await dataDir()], env })).toBeUndefined();
  }, 60_000);

  it('leaves when its parent closes the channel before any spec', async () => {
    const { fork } = await import('node:child_process');
    const cp = fork(ENTRY, ['--tb-node-prewarm'], { env: { ...process.env, TB_RESOURCES_DIR: path.join(ROOT, 'resources') }, stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'json' });
    started.push(cp);
    cp.disconnect();
    expect(await exitOf(cp)).toBe(0);
  }, 60_000);
});
