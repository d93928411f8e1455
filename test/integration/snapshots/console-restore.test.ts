/**
 * The console's restore (`app.restoreSnapshot` through the Broker, as the UI calls it) on a real
 * node run by the Supervisor: a bad snapshot is refused before the node is stopped; a good one
 * stops the node, restores, restarts it and reports `ready` at the snapshot's height on
 * `app.restore`, with the old data kept as `<data dir>.pre-restore-<time>`.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RestoreProgress } from '../../../src/shared/api/snapshots.js';
import type { SupervisorState } from '../../../src/shared/api/app.js';
import { createAppHandlers } from '../../../src/host/app-handlers.js';
import { Broker } from '../../../src/host/broker.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor } from '../../../src/host/supervisor.js';
import { cleanEnv, MAIN, removeTemp, REPO, tempDir } from '../node/helpers.js';

let dir: string;
let data: string;
let sup: Supervisor;
let broker: Broker;

function until(pred: (s: SupervisorState) => boolean): Promise<SupervisorState> {
  return new Promise((resolve) => {
    if (pred(sup.state())) return resolve(sup.state());
    const off = sup.onState((s) => {
      if (pred(s)) {
        off();
        resolve(s);
      }
    });
  });
}

beforeAll(async () => {
  dir = await tempDir('tb-console-restore');
  data = path.join(dir, 'data');
  sup = new Supervisor({
    launcher: forkLauncher(),
    spec: { entry: MAIN, args: ['--data-dir', data, '--rpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', '--block-time-ms', '600000'], env: cleanEnv(), cwd: REPO },
  });
  broker = new Broker(sup, createAppHandlers({ mode: 'server', supervisor: sup }));
  sup.start();
  await until((s) => s.state === 'running' && s.node_phase?.phase === 'ready');
}, 60_000);
afterAll(async () => {
  await sup.stop();
  await removeTemp(dir);
});

async function snapshot(): Promise<{ path: string; height: number }> {
  const { job_id } = (await broker.call('snapshots.create', { path: path.join(dir, 'bk') })) as { job_id: string };
  const done = await new Promise<any>((resolve) => {
    const off = broker.subscribe('snapshots.progress', (j: any) => {
      if (j.job_id === job_id && j.state !== 'running') {
        off();
        resolve(j);
      }
    });
  });
  expect(done.state).toBe('done');
  return done.create;
}

it('refuses a bad snapshot before stopping the node', async () => {
  const s = await snapshot();
  const bad = path.join(dir, 'bad');
  await fs.cp(s.path, bad, { recursive: true });
  const m = JSON.parse(await fs.readFile(path.join(bad, 'manifest.json'), 'utf8'));
  m.network = 'testnet';
  await fs.writeFile(path.join(bad, 'manifest.json'), JSON.stringify(m));
  const pid = sup.state().pid;
  await expect(broker.call('app.restoreSnapshot', { path: bad })).rejects.toMatchObject({ data: { reason: 'wrong_network' } });
  expect(sup.state()).toMatchObject({ state: 'running', pid });
  expect(((await broker.call('app.restoreStatus', {})) as RestoreProgress).state).toBe('failed');
}, 60_000);

it('stops the node, restores, restarts it and reports ready at the snapshot height', async () => {
  for (let i = 0; i < 3; i++) await broker.call('dev.mine_one', []);
  const s = await snapshot();
  for (let i = 0; i < 4; i++) await broker.call('dev.mine_one', []);
  expect(((await broker.call('chain.tip', [])) as { height: number }).height).toBe(s.height + 4);
  const phases: string[] = [];
  const finished = new Promise<RestoreProgress>((resolve) => {
    const off = broker.subscribe('app.restore', (p: RestoreProgress) => {
      if (phases.at(-1) !== p.phase) phases.push(p.phase);
      if (p.state === 'done' || (p.state === 'failed' && p.phase !== 'prechecks')) {
        off();
        resolve(p);
      }
    });
  });
  expect(await broker.call('app.restoreSnapshot', { path: s.path })).toEqual({ started: true });
  const end = await finished;
  expect(end.error).toBeUndefined();
  expect(end).toMatchObject({ state: 'done', phase: 'ready', height: s.height });
  expect(end.message).toMatch(new RegExp(`the node is ready at height ${s.height} `));
  expect(phases).toEqual(['prechecks', 'stopping_node', 'staging', 'verifying', 'swapping', 'starting_node', 'ready']);
  expect(((await broker.call('chain.tip', [])) as { height: number }).height).toBe(s.height);
  expect(existsSync(end.pre_restore_path!)).toBe(true);
  expect(end.pre_restore_path).toMatch(/data\.pre-restore-\d{8}T\d{6}Z$/);
}, 90_000);
