// The desktop app.* methods through the Broker (both front doors use it) against a real
// supervised child process: saved settings become the node's flags and environment at start;
// app.setSettings refuses invalid values field by field (nothing saved) and says when a restart
// is needed (cleared by the restart); the live port check; the notification center; and the
// second disk tier refusing writes that could not finish.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SupervisorState } from '../../../src/shared/api/app.js';
import { RpcError } from '../../../src/shared/api/errors.js';
import { createAppHandlers, desktopOf } from '../../../src/host/app-handlers.js';
import { Broker } from '../../../src/host/broker.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor } from '../../../src/host/supervisor.js';
import { withFlag } from '../../../src/host/network-switch.js';

const FAKE = fileURLToPath(new URL('../host/fixtures/fake-node.mjs', import.meta.url));

function until(sup: Supervisor, pred: (s: SupervisorState) => boolean): Promise<SupervisorState> {
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

let dir: string;
const stops: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-desktop-h-'));
});
afterEach(async () => {
  for (const f of stops.splice(0).reverse()) await f();
  await rm(dir, { recursive: true, force: true });
});

function setup(settingsFile?: object, diskIntervalMs = 0) {
  return (async () => {
    if (settingsFile) await writeFile(path.join(dir, 'console-settings.json'), JSON.stringify(settingsFile));
    const sup = new Supervisor({
      launcher: forkLauncher(),
      spec: {
        entry: FAKE,
        args: ['--data-dir', dir, '--rpc-addr', '127.0.0.1:0'],
        env: { ...process.env, TB_RPC_AUTH_TOKEN: undefined },
      },
      probeIntervalMs: 50,
    });
    stops.push(() => sup.stop());
    const handlers = createAppHandlers({
      mode: 'server',
      supervisor: sup,
      settingsDir: dir,
      dataDirHint: dir,
      desktop: { diskIntervalMs, deadlineIntervalMs: 0 },
    });
    stops.push(() => desktopOf(handlers)!.close());
    const broker = new Broker(sup, handlers);
    return { sup, broker, desktop: desktopOf(handlers)! };
  })();
}

async function issuesOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RpcError);
  expect((e as RpcError).code).toBe(-32602);
  return (e as RpcError).data!.issues as { path: (string | number)[]; message: string }[];
}

describe('desktop app.* methods', () => {
  it('saved settings become node flags and environment before the first start', async () => {
    const { sup } = await setup({
      version: 1,
      settings: { rpc_port: 28545, log_level: 'debug', governor: { enabled: true, window_secs: 300 } },
      rpc_auth_token: 'token-from-settings-123',
    });
    expect(sup.args()).toEqual(['--data-dir', dir, '--rpc-addr', '127.0.0.1:28545', '--log-level', 'debug']);
    expect(sup.env()).toMatchObject({
      TB_GOVERNOR_ENABLED: '1',
      TB_GOVERNOR_WINDOW_SECS: '300',
      TB_RPC_AUTH_TOKEN: 'token-from-settings-123',
    });
    expect(sup.args().join(' ')).not.toContain('token-from-settings');
  });

  it('setSettings: refused field by field (nothing saved), then saved atomically with restart_needed until the restart', async () => {
    const { sup, broker } = await setup();
    sup.start();
    await until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready');
    const issues = await issuesOf(
      broker.call('app.setSettings', {
        patch: { rpc_port: 80, disk: { warn_free_mib: 10, refuse_free_mib: 20 }, theme: 'pink' },
      }),
    );
    expect(issues.map((i) => i.path.join('.')).sort()).toEqual(['patch.rpc_port', 'patch.theme']);
    // Cross-field rules are checked once every field is valid on its own.
    expect(
      (
        await issuesOf(
          broker.call('app.setSettings', { patch: { disk: { warn_free_mib: 10, refuse_free_mib: 20 } } }),
        )
      )[0],
    ).toEqual({ path: ['patch', 'disk', 'refuse_free_mib'], message: 'must be below the warning level' });
    await expect(readFile(path.join(dir, 'console-settings.json'), 'utf8')).rejects.toThrow();
    // Positional params and unknown keys are handled by the contract.
    expect((await issuesOf(broker.call('app.setSettings', [{ bogus: 1 }])))[0].path).toEqual(['patch']);
    const v = (await broker.call('app.setSettings', [
      { rpc_port: 28546, rpc_auth_token: 'abcdefghijklmnopqrstuvwxyz' },
    ])) as any;
    expect(v).toMatchObject({
      restart_needed: true,
      rpc_auth_token_set: true,
      settings: { rpc_port: 28546 },
    });
    expect(JSON.stringify(v)).not.toContain('abcdefghijklmnopqrstuvwxyz');
    expect(sup.args()).toContain('127.0.0.1:28546');
    expect(sup.env()?.TB_RPC_AUTH_TOKEN).toBe('abcdefghijklmnopqrstuvwxyz');
    await broker.call('app.restartNode', {});
    await until(sup, (s) => s.state === 'running');
    expect(((await broker.call('app.settings', {})) as any).restart_needed).toBe(false);
  });

  it('setSettings: a port emptied after a saved one is the launch port again (a failed start is recoverable)', async () => {
    const { sup, broker } = await setup();
    const launch = sup.args();
    await broker.call('app.setSettings', { patch: { rpc_port: 28547, metrics_port: 28548, log_level: 'debug' } });
    expect(sup.args()).toEqual(['--data-dir', dir, '--rpc-addr', '127.0.0.1:28547', '--metrics-addr', '127.0.0.1:28548', '--log-level', 'debug']);
    await broker.call('app.setSettings', { patch: { rpc_port: null, metrics_port: null, log_level: null } });
    expect(sup.args()).toEqual(launch);
  });

  it('the last data-directory move is forgotten when the node starts on another data directory (network switch)', async () => {
    const data = path.join(dir, 'dev');
    await mkdir(path.join(data, 'chain'), { recursive: true });
    await writeFile(path.join(data, 'chain', 'CURRENT'), 'x');
    const settingsDir = path.join(dir, 'settings');
    const sup = new Supervisor({
      launcher: forkLauncher(),
      spec: { entry: FAKE, args: ['--data-dir', data, '--rpc-addr', '127.0.0.1:0'], env: { ...process.env } },
      probeIntervalMs: 50,
    });
    stops.push(() => sup.stop());
    const handlers = createAppHandlers({ mode: 'server', supervisor: sup, settingsDir, dataDirHint: data, desktop: { diskIntervalMs: 0, deadlineIntervalMs: 0 } });
    stops.push(() => desktopOf(handlers)!.close());
    const broker = new Broker(sup, handlers);
    const readyOn = (d: string) => until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready' && sup.nodeReady()?.data_dir === d);
    sup.start();
    await readyOn(data);
    const moved = path.join(dir, 'moved');
    const done = new Promise<void>((r) => desktopOf(handlers)!.move.onChange((p) => p.step === 'done' && r()));
    await broker.call('app.moveDataDir', { target: moved });
    await done;
    // The node the move started runs on the new folder: the move's message stays.
    await readyOn(moved);
    expect(await broker.call('app.moveStatus', {})).toMatchObject({ step: 'done', target: moved });
    // What app.joinNetwork does: another --data-dir (the network's own root), then a restart.
    const testnet = path.join(dir, 'testnet');
    sup.setArgs(withFlag(sup.args(), '--data-dir', testnet));
    await sup.restart();
    await readyOn(testnet);
    expect(await broker.call('app.moveStatus', {})).toMatchObject({ step: 'idle' });
  });

  it('portFree: a listening port is in use, a free one is free, the node’s own is named', async () => {
    const { broker } = await setup();
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const busy = (srv.address() as { port: number }).port;
    expect(await broker.call('app.portFree', [busy])).toMatchObject({
      free: false,
      used_by_node: false,
      detail: `port ${busy} is in use by another program`,
    });
    await new Promise((r) => srv.close(r));
    expect(await broker.call('app.portFree', { port: busy })).toMatchObject({ free: true });
    expect((await issuesOf(broker.call('app.portFree', { port: 0 })))[0].path).toEqual(['port']);
  });

  it('notifications through the broker, and the second disk tier refusing writes that could not finish', async () => {
    const { sup, broker, desktop } = await setup(
      { version: 1, settings: { disk: { warn_free_mib: 10_000_000, refuse_free_mib: 9_999_999 } } },
      60_000,
    );
    const seen: string[] = [];
    broker.subscribe('app.notification', (n) => seen.push(n.kind));
    sup.start();
    await until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready');
    await expect.poll(() => seen.includes('disk_critical')).toBe(true);
    const list = (await broker.call('app.notifications', {})) as any;
    expect(list.items[0]).toMatchObject({ kind: 'disk_critical', severity: 'error', read: false });
    const e = await (broker.call('snapshots.create', { path: '/tmp/x' }) as Promise<unknown>).then(
      () => null,
      (x: unknown) => x,
    );
    expect((e as RpcError).data?.reason).toBe('no_space');
    await expect(broker.call('node.status', [])).resolves.toMatchObject({ phase: 'ready' });
    expect(await broker.call('app.notificationsRead', {})).toEqual({ unread: 0 });
    // Space back (a lower tier): the refusal lifts at the next check.
    await desktop.settings.update({ disk: { warn_free_mib: 2, refuse_free_mib: 1 } });
    await expect
      .poll(async () =>
        (broker.call('snapshots.create', { path: '/tmp/x' }) as Promise<unknown>).then(
          () => 'ok',
          (x: RpcError) => x.data?.reason ?? String(x.code),
        ),
      )
      .not.toBe('no_space');
  });
});

describe('first run and Settings share one RPC token setting', () => {
  it('the token chosen in the first run is Settings\' token (console-settings.json); Settings edits it; the rest of the env is kept', async () => {
    const home = path.join(dir, 'home');
    const sup = new Supervisor({
      launcher: forkLauncher(),
      spec: {
        entry: FAKE,
        args: ['--rpc-addr', '127.0.0.1:0'],
        env: { ...process.env, TB_RPC_AUTH_TOKEN: undefined, TB_KEEP_ME: 'kept' },
      },
      probeIntervalMs: 50,
    });
    stops.push(() => sup.stop());
    const handlers = createAppHandlers({
      mode: 'server',
      supervisor: sup,
      settingsDir: dir,
      firstRun: { forced: true, home },
      desktop: { diskIntervalMs: 0, deadlineIntervalMs: 0 },
    });
    stops.push(() => desktopOf(handlers)!.close());
    const broker = new Broker(sup, handlers);
    const token = 'first-run-token-0123';
    await broker.call('app.completeFirstRun', {
      data_parent: path.join(dir, 'data'),
      network: 'dev',
      keep_running: true,
      rpc_auth_token: token,
      free_ports: true,
    });
    expect(sup.env()).toMatchObject({ TB_RPC_AUTH_TOKEN: token, TB_KEEP_ME: 'kept' });
    const v = (await broker.call('app.settings', {})) as any;
    expect(v).toMatchObject({ rpc_auth_token_set: true, settings: { close_action: 'background' } });
    expect(JSON.stringify(v)).not.toContain(token);
    expect(JSON.parse(await readFile(path.join(dir, 'console-settings.json'), 'utf8')).rpc_auth_token).toBe(token);
    expect(await readFile(path.join(home, '.the_block', 'console.json'), 'utf8')).not.toContain(token);
    // Settings replaces it, then removes it; other variables stay.
    await broker.call('app.setSettings', { patch: { rpc_auth_token: 'settings-token-0123456', governor: { enabled: true } } });
    expect(sup.env()).toMatchObject({ TB_RPC_AUTH_TOKEN: 'settings-token-0123456', TB_GOVERNOR_ENABLED: '1', TB_KEEP_ME: 'kept' });
    await broker.call('app.setSettings', { patch: { rpc_auth_token: null } });
    expect(sup.env()?.TB_RPC_AUTH_TOKEN).toBeUndefined();
    expect(sup.env()).toMatchObject({ TB_GOVERNOR_ENABLED: '1', TB_KEEP_ME: 'kept' });
  });
});
