// First run with a data folder typed as `~/…` (new-operator walkthrough): the host expands `~` to
// the home folder, as config/load.ts does for data_dir, in app.preflight (whose answer shows the
// expanded path) and in app.completeFirstRun (the node, the settings and the answer get it).
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppHandlers, desktopOf } from '../../../src/host/app-handlers.js';
import { Broker } from '../../../src/host/broker.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor } from '../../../src/host/supervisor.js';

const FAKE = fileURLToPath(new URL('../host/fixtures/fake-node.mjs', import.meta.url));

let dir: string;
const stops: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-first-run-home-'));
});
afterEach(async () => {
  for (const f of stops.splice(0).reverse()) await f();
  await rm(dir, { recursive: true, force: true });
});

function setup(home: string) {
  const sup = new Supervisor({
    launcher: forkLauncher(),
    spec: { entry: FAKE, args: ['--rpc-addr', '127.0.0.1:0'], env: { ...process.env, TB_RPC_AUTH_TOKEN: undefined } },
    probeIntervalMs: 50,
  });
  stops.push(() => sup.stop());
  const handlers = createAppHandlers({ mode: 'server', supervisor: sup, settingsDir: dir, firstRun: { forced: true, home }, desktop: { diskIntervalMs: 0, deadlineIntervalMs: 0 } });
  stops.push(() => desktopOf(handlers)!.close());
  return { sup, broker: new Broker(sup, handlers) };
}

describe('first run: a data folder under ~', () => {
  it('app.preflight expands ~/… to the home folder and answers with the expanded path', async () => {
    const home = path.join(dir, 'home');
    const { broker } = setup(home);
    const r = (await broker.call('app.preflight', { data_dir: '~/tbx/dev', network: 'dev' })) as { data_dir: string; checks: { id: string; status: string }[] };
    expect(r.data_dir).toBe(path.join(home, 'tbx', 'dev'));
    expect(r.checks.find((c) => c.id === 'writable')?.status).not.toBe('fail');
  });

  it('app.completeFirstRun with ~/tbx uses <home>/tbx: the node, the saved settings and the answer', async () => {
    const home = path.join(dir, 'home');
    const { sup, broker } = setup(home);
    const r = (await broker.call('app.completeFirstRun', { data_parent: '~/tbx', network: 'dev', keep_running: false, free_ports: true })) as { data_dir: string };
    const want = path.join(home, 'tbx', 'dev');
    expect(r.data_dir).toBe(want);
    expect((await stat(want)).isDirectory()).toBe(true);
    expect(sup.args()).toContain(want);
    expect(JSON.parse(await readFile(path.join(home, '.the_block', 'console.json'), 'utf8')).data_parent).toBe(path.join(home, 'tbx'));
  });
});
