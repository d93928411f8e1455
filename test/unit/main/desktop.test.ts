// Desktop integration of Electron main with `electron` mocked (every Electron object injected):
// tray contents and actions against a real supervised child process, close → ask once →
// background or quit (remembered in the settings), start at login, suspend/resume (ordered stop,
// start only if it was running), OS notifications only for alerts and only when enabled.
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SupervisorState } from '../../../src/shared/api/app.js';
import { createAppHandlers, desktopOf } from '../../../src/host/app-handlers.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor } from '../../../src/host/supervisor.js';
import { installDesktop } from '../../../src/main/desktop.js';
import { installPowerHandlers } from '../../../src/main/power.js';
import { trayMenuTemplate } from '../../../src/main/tray.js';

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

function electronMock(dialogAnswer: { response: number; checkboxChecked: boolean }) {
  const trays: any[] = [];
  const notes: any[] = [];
  class Tray extends EventEmitter {
    menu: any[] = [];
    tip = '';
    constructor(readonly icon: unknown) {
      super();
      trays.push(this);
    }
    setToolTip = (t: string) => void (this.tip = t);
    setContextMenu = (m: { items: any[] }) => void (this.menu = m.items);
    destroy = vi.fn();
  }
  class Notification extends EventEmitter {
    static isSupported = () => true;
    constructor(readonly o: any) {
      super();
      notes.push(this);
    }
    show = vi.fn();
  }
  return {
    trays,
    notes,
    el: {
      app: {
        setLoginItemSettings: vi.fn(),
        getLoginItemSettings: vi.fn(() => ({ wasOpenedAtLogin: false }) as any),
      },
      Tray: Tray as any,
      Menu: { buildFromTemplate: (items: any[]) => ({ items }) as any },
      icon: {} as any,
      Notification: Notification as any,
      powerMonitor: new EventEmitter() as any,
      dialog: { showMessageBox: vi.fn(async () => dialogAnswer) as any },
    },
  };
}

let dir: string;
const cleanup: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-desktop-main-'));
});
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await rm(dir, { recursive: true, force: true });
});

async function setup(answer = { response: 0, checkboxChecked: true }, argv: string[] = []) {
  const sup = new Supervisor({
    launcher: forkLauncher(),
    spec: { entry: FAKE, args: [] },
    probeIntervalMs: 50,
    backoffInitialMs: 20,
  });
  cleanup.push(() => sup.stop());
  const handlers = createAppHandlers({
    mode: 'electron',
    supervisor: sup,
    settingsDir: dir,
    desktop: { diskIntervalMs: 0, deadlineIntervalMs: 0 },
  });
  const desktop = desktopOf(handlers)!;
  cleanup.push(() => desktop.close());
  const m = electronMock(answer);
  const win = Object.assign(new EventEmitter(), { hide: vi.fn(), show: vi.fn() });
  const w = { openWindow: vi.fn(), quit: vi.fn() };
  sup.start();
  const d = installDesktop(m.el, {
    supervisor: sup,
    desktop,
    openWindow: w.openWindow,
    window: () => win as any,
    quit: w.quit,
    argv,
  });
  cleanup.push(() => d.dispose());
  return { sup, desktop, handlers, m, win, w, d };
}

const item = (menu: any[], id: string) => menu.find((i) => i.id === id);

describe('tray', () => {
  it('shows phase, height and peers; open / pause / resume / start at login / quit act', async () => {
    const { sup, m, w, desktop } = await setup();
    const tray = m.trays[0];
    await until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready');
    await vi.waitFor(() => expect(item(tray.menu, 'phase').label).toBe('Node: ready (dev)'));
    await sup.call('test.emit', { topic: 'newHeads', result: { height: 1234 } });
    await sup.call('test.emit', { topic: 'net.peers', result: { count: 3, quic: 2, tcp: 1 } });
    await vi.waitFor(() => expect(item(tray.menu, 'height').label).toBe('Height: #1,234'), { timeout: 5000 });
    expect(item(tray.menu, 'peers').label).toBe('Peers: 3');
    expect(tray.tip).toMatch(/ready #1234/);

    item(tray.menu, 'open').click();
    tray.emit('click');
    expect(w.openWindow).toHaveBeenCalledTimes(2);

    item(tray.menu, 'pause').click();
    await until(sup, (s) => s.state === 'stopped');
    await vi.waitFor(() => expect(item(tray.menu, 'phase').label).toMatch(/^Node: paused/));
    expect(item(tray.menu, 'pause')).toBeUndefined();
    item(tray.menu, 'resume').click();
    await until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready');

    item(tray.menu, 'login').click({ checked: true });
    await vi.waitFor(() => expect(desktop.settings.get().start_at_login).toBe(true));
    expect(m.el.app.setLoginItemSettings).toHaveBeenLastCalledWith({
      openAtLogin: true,
      args: ['--hidden'],
    });
    await vi.waitFor(() => expect(item(tray.menu, 'login').checked).toBe(true));

    item(tray.menu, 'quit').click();
    expect(w.quit).toHaveBeenCalled();
  });

  it('menu template by state: crash loop offers resume; a stopping node disables the action', () => {
    const a = { open() {}, pause() {}, resume() {}, setStartAtLogin() {}, quit() {} };
    const base = {
      launcher: 'utility' as const,
      node_phase: null,
      restarts: 0,
      last_crash: null,
      crash_loop: false,
    };
    const loop = trayMenuTemplate(
      {
        supervisor: { ...base, state: 'crash_loop' },
        height: null,
        peers: null,
        network: null,
        startAtLogin: false,
      },
      a,
    );
    expect(item(loop, 'phase').label).toBe('Node: crash loop — restarts stopped');
    expect(item(loop, 'resume').enabled).toBe(true);
    expect(item(loop, 'height').label).toBe('Height: —');
    const stopping = trayMenuTemplate(
      { supervisor: { ...base, state: 'stopping' }, height: 5, peers: 0, network: 'dev', startAtLogin: true },
      a,
    );
    expect(item(stopping, 'resume').enabled).toBe(false);
  });
});

describe('window close → background', () => {
  it('asks once; "keep running" remembered: hides, node keeps running, told once', async () => {
    const { sup, d, win, m, w, desktop } = await setup({ response: 0, checkboxChecked: true });
    await until(sup, (s) => s.state === 'running');
    const e = { preventDefault: vi.fn() };
    expect(await d.onClose(e)).toBe('background');
    expect(e.preventDefault).toHaveBeenCalled();
    expect(m.el.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(win.hide).toHaveBeenCalledTimes(1);
    expect(desktop.settings.get().close_action).toBe('background');
    expect(await d.onClose({ preventDefault() {} })).toBe('background');
    expect(m.el.dialog.showMessageBox).toHaveBeenCalledTimes(1); // not asked again
    expect(m.notes.filter((n) => /keeps running/.test(n.o.title))).toHaveLength(1);
    expect(w.quit).not.toHaveBeenCalled();
    expect(sup.state().state).toBe('running');
  });

  it('"Quit" without remembering quits and asks again next time; a saved "quit" does not ask', async () => {
    const { d, m, w, desktop } = await setup({ response: 1, checkboxChecked: false });
    expect(await d.onClose({ preventDefault() {} })).toBe('quit');
    expect(w.quit).toHaveBeenCalledTimes(1);
    expect(desktop.settings.get().close_action).toBe('ask');
    await desktop.settings.update({ close_action: 'quit' });
    await d.onClose({ preventDefault() {} });
    expect(m.el.dialog.showMessageBox).toHaveBeenCalledTimes(1);
    expect(w.quit).toHaveBeenCalledTimes(2);
  });

  it('started at login (--hidden): no window until the tray opens one', async () => {
    const { d } = await setup(undefined, ['electron', '.', '--hidden']);
    expect(d.startHidden).toBe(true);
  });
});

describe('suspend / resume', () => {
  it('stops the node in order on suspend and starts it on resume; a paused node stays paused', async () => {
    const { sup, m } = await setup();
    await until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready');
    const pid = sup.state().pid;
    m.el.powerMonitor.emit('suspend');
    const stopped = await until(sup, (s) => s.state === 'stopped');
    expect(stopped.last_crash).toBeNull(); // an ordered stop, not a crash
    m.el.powerMonitor.emit('resume');
    const back = await until(sup, (s) => s.state === 'running' && s.node_phase?.phase === 'ready');
    expect(back.pid).not.toBe(pid);
    await sup.stop();
    m.el.powerMonitor.emit('suspend');
    m.el.powerMonitor.emit('resume');
    await new Promise((r) => setTimeout(r, 300));
    expect(sup.state().state).toBe('stopped');
  });

  it('handlers are removed on dispose', () => {
    const pm = new EventEmitter();
    const off = installPowerHandlers(pm as any, {
      state: () => ({ state: 'running' }) as any,
      stop: vi.fn(async () => {}),
      start: vi.fn(),
    });
    expect(pm.listenerCount('suspend')).toBe(1);
    off();
    expect(pm.listenerCount('suspend') + pm.listenerCount('resume') + pm.listenerCount('shutdown')).toBe(0);
  });
});

describe('OS notifications', () => {
  it('shown for alerts only (throttled and de-duplicated by the center), not when turned off', async () => {
    const { desktop, m, w } = await setup();
    const osNotes = () => m.notes.filter((n) => !/keeps running/.test(n.o.title));
    desktop.center.raise({
      kind: 'disk_low',
      key: '/d',
      severity: 'warn',
      title: 'Disk space low',
      body: '1 GiB',
    });
    desktop.center.raise({
      kind: 'disk_low',
      key: '/d',
      severity: 'warn',
      title: 'Disk space low',
      body: '0.9 GiB',
    }); // de-duplicated
    desktop.center.raise({
      kind: 'disk_low',
      key: '/e',
      severity: 'warn',
      title: 'Disk space low',
      body: 'other disk',
    }); // throttled
    expect(osNotes().map((n) => n.o.body)).toEqual(['1 GiB']);
    expect(osNotes()[0].show).toHaveBeenCalled();
    osNotes()[0].emit('click');
    expect(w.openWindow).toHaveBeenCalled();
    await desktop.settings.update({ notifications: { os: false } });
    desktop.center.raise({
      kind: 'backup_failed',
      key: 'j',
      severity: 'error',
      title: 'Backup failed',
      body: 'x',
    });
    expect(osNotes()).toHaveLength(1);
    // ...but the in-app center lists all of them.
    expect(desktop.center.list().items).toHaveLength(3);
  });
});
