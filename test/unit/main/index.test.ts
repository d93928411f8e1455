// Electron main wiring with `electron` mocked: app:// registered before ready, sandbox enabled,
// permissions denied, the window secure and on app://, the node started through utilityProcess
// (backed here by a real child process speaking the node's IPC protocol), and quit → ordered stop.
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';

const FAKE = fileURLToPath(new URL('../host/fixtures/fake-node.mjs', import.meta.url));
// main forks the node's own bundle beside its own (`out/main` → `out/node/node-entry.js`); from
// src/ that is src/node/node-entry.js, which does not exist (the fork is a stand-in here), and main
// uses the built workers (entries of the main build), of which src/ has none
// (test/unit/main/built-app.test.ts runs the real build output).
const BUILT_ENTRY = fileURLToPath(new URL('../../../src/node/node-entry.js', import.meta.url));
vi.mock('../../../src/host/built.js', async (orig) => ({ ...(await orig<object>()), useBuiltWorkersAt: () => {} }));

const h = vi.hoisted(() => {
  let ready!: () => void;
  const whenReady = new Promise<void>((r) => (ready = r));
  return { ready, whenReady, calls: [] as string[], windows: [] as any[], forks: [] as any[], trays: [] as any[], dialogs: [] as any[] };
});

vi.mock('electron', async () => {
  const { EventEmitter: EE } = await import('node:events');
  const app = Object.assign(new EE(), {
    whenReady: () => (h.calls.push('whenReady'), h.whenReady),
    isPackaged: false,
    getAppPath: () => '/app',
    commandLine: { hasSwitch: () => false },
    enableSandbox: vi.fn(() => h.calls.push('enableSandbox')),
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(() => h.calls.push('quit')),
    exit: vi.fn(),
    getPath: vi.fn(() => USER_DATA()),
    setLoginItemSettings: vi.fn(),
    getLoginItemSettings: vi.fn(() => ({ openAtLogin: false, wasOpenedAtLogin: false })),
  });
  class Tray extends EE {
    constructor(readonly icon: unknown) {
      super();
      h.trays.push(this);
    }
    setToolTip = vi.fn();
    setContextMenu = vi.fn();
    destroy = vi.fn();
  }
  class Notification extends EE {
    static isSupported = () => true;
    show = vi.fn();
  }
  class BrowserWindow extends EE {
    webContents = Object.assign(new EE(), { setWindowOpenHandler: vi.fn() });
    constructor(readonly opts: any) {
      super();
      h.windows.push(this);
    }
    loadURL = vi.fn(async () => {});
    show = vi.fn();
    destroy = vi.fn(() => h.calls.push('destroy'));
    isDestroyed = () => false;
    hide = vi.fn();
    isMinimized = () => false;
    restore = vi.fn();
    focus = vi.fn();
  }
  // utilityProcess.fork backed by child_process.fork of the fake node, adapted to the UtilityProcess API.
  const utilityProcess = {
    fork: vi.fn((modulePath: string, args: string[], opts: any) => {
      h.forks.push({ modulePath, args, opts });
      const cp = fork(FAKE_PATH(), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], serialization: 'json' });
      const up = Object.assign(new EE(), {
        pid: cp.pid,
        stdout: cp.stdout,
        stderr: cp.stderr,
        postMessage: (m: unknown) => cp.send(m as object),
        kill: () => cp.kill('SIGTERM'),
      });
      cp.on('message', (m) => up.emit('message', m));
      cp.on('exit', (code) => up.emit('exit', code ?? 1));
      return up;
    }),
  };
  return {
    app,
    BrowserWindow,
    ipcMain: { handle: vi.fn(), on: vi.fn(), removeHandler: vi.fn(), off: vi.fn() },
    Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((t: unknown[]) => ({ items: t })) },
    protocol: { registerSchemesAsPrivileged: vi.fn(() => h.calls.push('registerSchemes')), handle: vi.fn() },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    shell: { openExternal: vi.fn(), openPath: vi.fn(async () => '') },
    utilityProcess,
    Tray,
    Notification,
    nativeImage: { createFromPath: vi.fn(() => ({ isEmpty: () => false })) },
    powerMonitor: new EE(),
    // The first close asks: the test answers "Quit" without remembering.
    dialog: { showOpenDialog: vi.fn(), showMessageBox: vi.fn(async (...a: unknown[]) => (h.dialogs.push(a), { response: 1, checkboxChecked: false })) },
  };
});
let userData: string | undefined;
function USER_DATA() {
  userData ??= mkdtempSync(path.join(os.tmpdir(), 'tb-main-userdata-'));
  return userData;
}
function FAKE_PATH() {
  return FAKE;
}

describe('Electron main', () => {
  it('wires the secure window, the utilityProcess node and the ordered stop on quit', async () => {
    const electron = await import('electron');
    // A data directory is given: no first run, so the node starts at once (#19: on a fresh machine it waits for the first run).
    vi.stubEnv('TB_DATA_DIR', '/tmp/tb-main-test-data');
    await import('../../../src/main/index.js');
    // Before ready: privileged app:// scheme, sandbox for all renderers.
    expect(h.calls.indexOf('registerSchemes')).toBeLessThan(h.calls.indexOf('whenReady'));
    expect(electron.app.enableSandbox).toHaveBeenCalled();
    expect(h.windows).toHaveLength(0);

    h.ready();
    await vi.waitFor(() => expect(h.windows).toHaveLength(1), { timeout: 20_000 });
    const win = h.windows[0];
    expect(win.opts.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false });
    expect(win.opts.webPreferences.preload).toMatch(/[/\\]preload[/\\]index\.cjs$/);
    expect(win.loadURL).toHaveBeenCalledWith('app://console/index.html');
    expect(electron.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(electron.session.defaultSession.setPermissionRequestHandler).toHaveBeenCalled();
    expect(electron.session.defaultSession.setPermissionCheckHandler).toHaveBeenCalled();
    expect(electron.ipcMain.handle).toHaveBeenCalledWith('tb:call', expect.any(Function));
    expect(electron.ipcMain.on).toHaveBeenCalledWith('tb:subscribe', expect.any(Function));

    // The node runs in a utilityProcess from its built entry, the resources directory passed explicitly
    // (unpackaged: <app>/resources); no application menu change outside production.
    expect(h.forks).toHaveLength(1);
    expect(h.forks[0].modulePath).toBe(BUILT_ENTRY);
    expect(h.forks[0].args[0]).toBe('--tb-node');
    expect(h.forks[0].opts.env.TB_RESOURCES_DIR).toBe(path.join('/app', 'resources'));
    expect(h.forks[0].opts.env.TB_NODE_ENTRY).toBeUndefined();
    expect(electron.Menu.setApplicationMenu).not.toHaveBeenCalled();
    expect(win.opts.webPreferences.devTools).toBe(true);
    expect(h.forks[0].opts.stdio).toBe('pipe');

    // The broker answers app.info from main with the supervisor state (launcher: utility).
    const [, onCall] = (electron.ipcMain.handle as any).mock.calls.find(([ch]: [string]) => ch === 'tb:call');
    await vi.waitFor(async () =>
      expect(await onCall({ senderFrame: { url: 'app://console/index.html' } }, 'app.info', {})).toMatchObject({
        ok: true,
        result: { mode: 'electron', supervisor: { state: 'running', launcher: 'utility' } },
      }),
      // Liveness, not timing: the default 1 s is not enough on a loaded 2-core machine.
      { timeout: 20_000 },
    );

    // The tray is up, with the node's phase; start-at-login follows the setting (off).
    expect(h.trays).toHaveLength(1);
    expect(electron.app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: false, args: ['--hidden'] });

    // Closing the window asks once (background or quit); answered "Quit": the node stops first
    // (the window stays until it has stopped), then the app quits.
    const closeEvent = { preventDefault: vi.fn() };
    win.emit('close', closeEvent);
    expect(closeEvent.preventDefault).toHaveBeenCalled();
    expect(h.calls).not.toContain('quit');
    await vi.waitFor(async () => expect(['stopping', 'stopped']).toContain((await onCall({ senderFrame: { url: 'app://console/index.html' } }, 'app.info', {})).result.supervisor.state));
    expect(h.dialogs).toHaveLength(1);
    await vi.waitFor(() => expect(h.calls).toContain('quit'), { timeout: 10_000 });
    expect(h.calls.indexOf('destroy')).toBeLessThan(h.calls.indexOf('quit'));
    const after = await onCall({ senderFrame: { url: 'app://console/index.html' } }, 'app.info', {});
    expect(after.result.supervisor).toMatchObject({ state: 'stopped', last_crash: null });

    // before-quit after the stop lets the app quit.
    const bq = { preventDefault: vi.fn() };
    electron.app.emit('before-quit', bq);
    expect(bq.preventDefault).not.toHaveBeenCalled();
  });
});
