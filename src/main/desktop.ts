/**
 * Desktop integration of the Electron app, wired in one call from src/main/index.ts: the tray,
 * background mode on window close, start at login, suspend/resume, OS notifications. Every
 * Electron object is injected, so the whole of it is tested with `electron` mocked.
 */
import type {
  App,
  BrowserWindow,
  Dialog,
  Menu,
  NativeImage,
  Notification as ElectronNotification,
  NotificationConstructorOptions,
  PowerMonitor,
  Tray,
} from 'electron';
import type { Desktop } from '../host/desktop/index.js';
import type { Supervisor } from '../host/supervisor.js';
import { closeHandler } from './background.js';
import { osNotifier } from './os-notifications.js';
import { installPowerHandlers } from './power.js';
import { createTray, type TrayFacts } from './tray.js';

export interface DesktopElectron {
  app: Pick<App, 'setLoginItemSettings' | 'getLoginItemSettings'>;
  Tray: new (image: NativeImage) => Tray;
  Menu: Pick<typeof Menu, 'buildFromTemplate'>;
  icon: NativeImage;
  Notification: { new (o: NotificationConstructorOptions): ElectronNotification; isSupported(): boolean };
  powerMonitor: Pick<PowerMonitor, 'on' | 'off'>;
  dialog: Pick<Dialog, 'showMessageBox'>;
}

export interface DesktopWiring {
  supervisor: Supervisor;
  desktop: Desktop;
  /** Shows (creating if needed) the console window. */
  openWindow: () => void;
  window: () => BrowserWindow | undefined;
  /** Ordered stop of the node, then quit. */
  quit: () => void;
  argv?: string[];
}

export interface DesktopIntegration {
  /** The app was started at login (`--hidden`): no window until the tray opens one. */
  startHidden: boolean;
  /** Window `close` handler: background or quit (asks once). */
  onClose: (e: { preventDefault(): void }) => Promise<'background' | 'quit'>;
  /** Current tray facts (tests). */
  facts(): TrayFacts;
  dispose(): void;
}

export function installDesktop(el: DesktopElectron, w: DesktopWiring): DesktopIntegration {
  const { supervisor: sup, desktop } = w;
  const settings = () => desktop.settings.get();
  const offs: (() => void)[] = [];

  const applyLogin = (on: boolean) => el.app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] });
  applyLogin(settings().start_at_login);
  const startHidden =
    (w.argv ?? process.argv).includes('--hidden') || !!el.app.getLoginItemSettings().wasOpenedAtLogin;

  let height: number | null = null;
  let peers: number | null = null;
  const facts = (): TrayFacts => ({
    supervisor: sup.state(),
    height,
    peers,
    network: sup.nodeStatus()?.network ?? null,
    startAtLogin: settings().start_at_login,
  });
  const tray = createTray(
    { Tray: el.Tray, Menu: el.Menu, icon: el.icon },
    {
      open: w.openWindow,
      pause: () => void sup.stop(),
      resume: () => void sup.restart(),
      setStartAtLogin: (on) => void desktop.settings.update({ start_at_login: on }),
      quit: w.quit,
    },
  );
  let last = 0;
  let pending: NodeJS.Timeout | undefined;
  const refresh = (now = false) => {
    const t = Date.now();
    if (now || t - last >= 2000) {
      last = t;
      clearTimeout(pending);
      pending = undefined;
      tray.update(facts());
    } else pending ??= setTimeout(() => refresh(true), 2000 - (t - last));
  };
  refresh(true);
  offs.push(sup.onState(() => refresh(true)));
  offs.push(sup.subscribe('newHeads', (h) => ((height = h.height), refresh())));
  offs.push(sup.subscribe('net.peers', (p) => ((peers = p.count), refresh())));
  offs.push(
    desktop.settings.onChange((s) => {
      applyLogin(s.start_at_login);
      refresh(true);
    }),
  );

  offs.push(installPowerHandlers(el.powerMonitor, sup));
  offs.push(desktop.center.on(osNotifier({ Notification: el.Notification, settings, open: w.openWindow })));

  const onClose = closeHandler(
    {
      dialog: el.dialog,
      settings,
      saveCloseAction: async (a) => void (await desktop.settings.update({ close_action: a })),
      hide: () => w.window()?.hide(),
      quit: w.quit,
      notifyBackground: () => {
        if (!el.Notification.isSupported()) return;
        new el.Notification({
          title: 'The Block keeps running',
          body: 'The node runs in the background. Open the console or quit from the tray icon.',
          silent: true,
        }).show();
      },
    },
    w.window,
  );

  return {
    startHidden,
    onClose,
    facts,
    dispose() {
      clearTimeout(pending);
      offs.forEach((f) => f());
      tray.destroy();
    },
  };
}
