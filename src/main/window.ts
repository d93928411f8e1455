/**
 * The console window and its security baseline (Electron security checklist,
 * https://www.electronjs.org/docs/latest/tutorial/security): context isolation, sandbox, no Node
 * in the renderer, the single bundled preload; navigation and new windows denied (only http(s)
 * links open, in the system browser); every permission request denied.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Session, Shell, WebContents, WebPreferences } from 'electron';
import { APP_URL } from './protocol.js';

/** webPreferences of the console window; `production` (the packaged app) turns DevTools off (hardening.ts). */
export function consoleWebPreferences(preloadPath: string, production = false): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    devTools: !production,
  };
}

/** Window options (1280x800, dark background until the page paints, hidden until ready). */
export function consoleWindowOptions(preloadPath: string, production = false): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'The Block — Operator Console',
    backgroundColor: '#0f1318',
    webPreferences: consoleWebPreferences(preloadPath, production),
  };
}

/** Only plain web links may leave the app, and only to the system browser. */
export function isExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/**
 * Navigation and window-opening policy for a WebContents: every in-app navigation away from the
 * loaded page is cancelled; `window.open` / target=_blank never opens an Electron window
 * (http(s) URLs go to `shell.openExternal`); `<webview>` attachment is refused.
 */
export function hardenWebContents(contents: WebContents, shell: Pick<Shell, 'openExternal'>): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/** Denies every permission request and check (camera, notifications, geolocation, …). */
export function denyAllPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler'>): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Creates the window, applies the policy and loads the app. */
export function createConsoleWindow(
  electron: { BrowserWindow: typeof BrowserWindow; shell: Pick<Shell, 'openExternal'> },
  preloadPath: string,
  production = false,
): BrowserWindow {
  const win = new electron.BrowserWindow(consoleWindowOptions(preloadPath, production));
  hardenWebContents(win.webContents, electron.shell);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_URL);
  return win;
}
