/**
 * The tray icon and its menu (desktop app): node phase, height and peers at a glance; open the
 * console; pause / resume the node (ordered stop / start — the app keeps running); start at
 * login; quit (ordered stop of the node, then exit). The menu is rebuilt on supervisor changes
 * and at most every 2 s on new heads / peer changes.
 */
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { SupervisorState } from '../shared/api/app.js';

export interface TrayFacts {
  supervisor: SupervisorState;
  height: number | null;
  peers: number | null;
  network: string | null;
  startAtLogin: boolean;
}

export interface TrayActions {
  open(): void;
  pause(): void;
  resume(): void;
  setStartAtLogin(on: boolean): void;
  quit(): void;
}

/** What the node is doing, in the words of the header badge. */
export function phaseLabel(s: SupervisorState): string {
  if (s.state === 'running') return s.node_phase?.phase ?? 'starting';
  if (s.state === 'backoff') return 'crashed — restarting';
  if (s.state === 'crash_loop') return 'crash loop — restarts stopped';
  if (s.state === 'start_failed') return 'could not start';
  return s.state === 'stopped' ? 'paused' : s.state;
}

/** Whether "Pause node" (true) or "Resume node" (false) applies. */
export function canPause(s: SupervisorState): boolean {
  return s.state === 'running' || s.state === 'starting' || s.state === 'backoff';
}

/** The tray menu for these facts (pure: tested without Electron). */
export function trayMenuTemplate(f: TrayFacts, a: TrayActions): MenuItemConstructorOptions[] {
  const s = f.supervisor;
  const busy = s.state === 'stopping';
  return [
    { id: 'phase', label: `Node: ${phaseLabel(s)}${f.network ? ` (${f.network})` : ''}`, enabled: false },
    {
      id: 'height',
      label: `Height: ${f.height === null ? '—' : `#${f.height.toLocaleString('en-US')}`}`,
      enabled: false,
    },
    { id: 'peers', label: `Peers: ${f.peers === null ? '—' : f.peers}`, enabled: false },
    { type: 'separator' },
    { id: 'open', label: 'Open console', click: () => a.open() },
    canPause(s)
      ? { id: 'pause', label: 'Pause node', enabled: !busy, click: () => a.pause() }
      : { id: 'resume', label: 'Resume node', enabled: !busy, click: () => a.resume() },
    { type: 'separator' },
    {
      id: 'login',
      label: 'Start at login',
      type: 'checkbox',
      checked: f.startAtLogin,
      click: (item) => a.setStartAtLogin(item.checked),
    },
    { id: 'quit', label: 'Quit (stops the node)', click: () => a.quit() },
  ];
}

export interface TrayDeps {
  Tray: new (image: NativeImage) => Tray;
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  icon: NativeImage;
}

/** Creates the tray; `update(facts)` rebuilds the menu and tooltip. */
export function createTray(
  d: TrayDeps,
  a: TrayActions,
): { tray: Tray; update(f: TrayFacts): void; destroy(): void } {
  const tray = new d.Tray(d.icon);
  tray.on('click', () => a.open());
  return {
    tray,
    update(f) {
      tray.setToolTip(`The Block — ${phaseLabel(f.supervisor)}${f.height === null ? '' : ` #${f.height}`}`);
      tray.setContextMenu(d.Menu.buildFromTemplate(trayMenuTemplate(f, a)));
    },
    destroy: () => tray.destroy(),
  };
}
