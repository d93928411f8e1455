/**
 * Electron main: supervises the node (utilityProcess), brokers the window's IPC, serves the UI on
 * `app://console`, and stops the node in order before the app quits (the window stays up and
 * shows "stopping" meanwhile). Node flags may follow `--` on the command line
 * (`electron . -- --data-dir /srv/tb`); TB_* environment variables work as for the headless node.
 * The node runs from its own bundle (`out/node/node-entry.js`, app-paths.ts nodeEntryPath), with the resources directory
 * passed explicitly (app-paths.ts); the packaged app is hardened (hardening.ts).
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, Notification, powerMonitor, protocol, session, shell, Tray, utilityProcess } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAppHandlers, desktopOf, firstHourOf } from '../host/app-handlers.js';
import { Broker } from '../host/broker.js';
import { Supervisor } from '../host/supervisor.js';
import { RESOURCES_ENV, useBuiltWorkersAt } from '../host/built.js';
import { appResourcesDir, nodeEntryPath, preloadPath, rendererPath } from './app-paths.js';
import { guardDevTools, hardenProductionApp } from './hardening.js';
import { installDesktop } from './desktop.js';
import { installIpcBroker } from './ipc-broker.js';
import { handleAppProtocol, registerAppScheme } from './protocol.js';
import { utilityLauncher } from './utility-launcher.js';
import { createConsoleWindow, denyAllPermissions, hardenWebContents } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
// Not an in-process import: the node is a bundle of its own (out/node), forked by path.
const nodeEntry = nodeEntryPath(here);
const production = app.isPackaged;
const dashDash = process.argv.indexOf('--');
const nodeArgs = dashDash >= 0 ? process.argv.slice(dashDash + 1) : [];

if (!hardenProductionApp({ app, Menu })) process.exit(1);
registerAppScheme(protocol);
app.enableSandbox();
if (!app.requestSingleInstanceLock()) app.exit(0);
// Snapshot restores run in this process (src/host/restore-job.ts): their workers are the built ones.
useBuiltWorkersAt(new URL('./', import.meta.url));

// Defence in depth: every WebContents (devtools, any future window) gets the navigation policy.
app.on('web-contents-created', (_e, contents) => {
  hardenWebContents(contents, shell);
  if (production) guardDevTools(contents);
});

let supervisor: Supervisor | undefined;
let window: BrowserWindow | undefined;
let stopped = false;
/** Stops the console's practice testnet on quit unless the operator kept it. */
let disposePractice: () => Promise<void> = async () => {};

/** Ordered stop of the node, then quit. The window shows the supervisor's "stopping" state meanwhile. */
function stopThenQuit(): void {
  if (!supervisor || stopped) {
    stopped = true;
    app.quit();
    return;
  }
  void supervisor
    .stop()
    .then(() => disposePractice())
    .catch(() => {})
    .finally(() => {
    stopped = true;
    window?.destroy();
    app.quit();
  });
}

let openWindow: () => void = () => {};
app.on('second-instance', () => openWindow());
app.on('activate', () => openWindow()); // macOS: the Dock icon reopens a window hidden in the background

app.on('before-quit', (e) => {
  if (stopped) return;
  e.preventDefault();
  stopThenQuit();
});

void app.whenReady().then(() => {
  denyAllPermissions(session.defaultSession);
  handleAppProtocol(protocol, rendererPath(here));
  const resources = appResourcesDir(app);
  supervisor = new Supervisor({
    launcher: utilityLauncher(utilityProcess.fork),
    spec: { entry: nodeEntry, args: nodeArgs, env: { ...process.env, [RESOURCES_ENV]: resources } },
  });
  const handlers = createAppHandlers({
    mode: 'electron',
    supervisor,
    firstRun: { dataDirGiven: nodeArgs.includes('--data-dir') || !!process.env.TB_DATA_DIR, forced: process.argv.includes('--first-run') },
    resourcesDir: resources,
    settingsDir: app.getPath('userData'),
    openPath: async (p) => (await shell.openPath(p)) === '',
    // Backup destinations: a native folder dialog, attached to the console window.
    pickFolder: async (title) => {
      const opts = { title: title ?? 'Choose a folder', properties: ['openDirectory', 'createDirectory'] as ('openDirectory' | 'createDirectory')[] };
      const r = window ? await dialog.showOpenDialog(window, opts) : await dialog.showOpenDialog(opts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });
  installIpcBroker(ipcMain, new Broker(supervisor, handlers));
  const first = firstHourOf(handlers);
  disposePractice = async () => first?.practice.dispose();
  // First run due (fresh machine): the node starts once the operator has chosen (app.completeFirstRun).
  if (!first?.due()) supervisor.start();
  // Tray, background on close (asked once), start at login, suspend/resume, OS notifications (src/main/desktop.ts).
  const icon = nativeImage.createFromPath(path.join(resources, 'icons', 'tray-32.png'));
  const desktop = installDesktop({ app, Tray, Menu, icon, Notification, powerMonitor, dialog }, { supervisor, desktop: desktopOf(handlers)!, openWindow: () => openWindow(), window: () => window, quit: stopThenQuit });
  openWindow = () => {
    if (window && !window.isDestroyed()) {
      if (window.isMinimized()) window.restore();
      window.show();
      window.focus();
      return;
    }
    window = createConsoleWindow({ BrowserWindow, shell }, preloadPath(here), production);
    window.on('close', (e) => {
      if (stopped) return;
      void desktop.onClose(e);
    });
  };
  // The first run is shown in the window: never start hidden while it is due.
  if (!desktop.startHidden || first?.due()) openWindow();
});
