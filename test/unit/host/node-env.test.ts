/**
 * The node process's environment defaults (src/host/node-flags.ts `NODE_ENV_DEFAULTS`, issue 17
 * idle RSS): filled in where the launch environment does not set them, never over a value it sets,
 * and in the environment the fork launcher starts the node with (glibc reads MALLOC_ARENA_MAX at
 * process start, so a later change would be too late).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forkLauncher } from '../../../src/host/launcher.js';
import { NODE_ENV_DEFAULTS, nodeEnv } from '../../../src/host/node-flags.js';

let dir = '';
let entry = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-node-env-'));
  entry = path.join(dir, 'report-env.mjs');
  // Stands in for the node entry: reports its start environment over the launcher's channel.
  await writeFile(entry, "process.send({ arenas: process.env.MALLOC_ARENA_MAX ?? null, own: process.env.TB_TEST_OWN ?? null }, () => process.exit(0));\n");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function launchAndReport(env: NodeJS.ProcessEnv): Promise<{ arenas: string | null; own: string | null }> {
  const child = forkLauncher().launch({ entry, args: [], env });
  return new Promise((resolve, reject) => {
    child.onMessage((m) => resolve(m as { arenas: string | null; own: string | null }));
    child.onExit((e) => reject(new Error(`the child exited (${e.code}) without reporting`)));
  });
}

describe('node environment defaults', () => {
  it('fills in MALLOC_ARENA_MAX=2 and keeps every variable of the launch environment', () => {
    expect(NODE_ENV_DEFAULTS).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(nodeEnv({ PATH: '/bin', TB_X: '1' })).toEqual({ PATH: '/bin', TB_X: '1', MALLOC_ARENA_MAX: '2' });
  });

  it('never overrides a value the launch environment sets', () => {
    expect(nodeEnv({ MALLOC_ARENA_MAX: '8' }).MALLOC_ARENA_MAX).toBe('8');
    expect(nodeEnv({ MALLOC_ARENA_MAX: undefined }).MALLOC_ARENA_MAX).toBe('2');
  });

  it('is the environment the fork launcher starts the node with', async () => {
    expect(await launchAndReport({ ...process.env, MALLOC_ARENA_MAX: undefined, TB_TEST_OWN: 'yes' })).toEqual({ arenas: '2', own: 'yes' });
    expect(await launchAndReport({ ...process.env, MALLOC_ARENA_MAX: '4' })).toMatchObject({ arenas: '4' });
  }, 60_000);
});
