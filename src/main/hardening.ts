/**
 * Production hardening of the desktop app (the packaged app, `app.isPackaged`). Outside
 * production (`electron .` in a checkout) DevTools stay available for development.
 * - Debugging entry points refused: Chromium's remote-debugging switches and Node's inspector
 *   switches make the app exit at once with a message (the electron-builder fuses also turn off
 *   Node's inspect arguments, RunAsNode and NODE_OPTIONS; remote debugging is a Chromium switch no
 *   fuse covers, hence this check).
 * - DevTools off: `webPreferences.devTools: false` (window.ts), no application menu with
 *   View/Toggle Developer Tools/Reload (macOS keeps App/Edit/Window so Cmd+Q and copy/paste work),
 *   the DevTools and reload shortcuts swallowed, and DevTools closed should anything open them.
 */
import type { App, Input, Menu as MenuT, MenuItemConstructorOptions, WebContents } from 'electron';

/** Switches (without the leading `--`) that open a debugging channel into the app. */
export const DEBUG_SWITCHES = [
  'remote-debugging-port',
  'remote-debugging-pipe',
  'remote-debugging-address',
  'remote-allow-origins',
  'inspect',
  'inspect-brk',
  'inspect-port',
  'inspect-publish-uid',
  'inspect-brk-node',
  'js-flags',
] as const;

/**
 * The first debugging switch present, or undefined.
 * @param hasSwitch Electron's `app.commandLine.hasSwitch`.
 * @param argv the process arguments (also scanned: `--inspect=9229` style).
 */
export function refusedSwitch(hasSwitch: (s: string) => boolean, argv: readonly string[]): string | undefined {
  for (const s of DEBUG_SWITCHES) {
    if (hasSwitch(s)) return s;
    if (argv.some((a) => a === `--${s}` || a.startsWith(`--${s}=`))) return s;
  }
  return undefined;
}

/** The application menu in production: null (no menu) except on macOS, where App/Edit/Window carry Quit and the clipboard. */
export function productionMenuTemplate(platform: NodeJS.Platform): MenuItemConstructorOptions[] | null {
  if (platform !== 'darwin') return null;
  return [{ role: 'appMenu' }, { role: 'editMenu' }, { role: 'windowMenu' }];
}

/** True for the keyboard shortcuts of DevTools (F12, Ctrl/Cmd+Shift+I/J/C, Cmd+Alt+I/J/C) and reload (F5, Ctrl/Cmd+R). */
export function isDebugShortcut(input: Pick<Input, 'type' | 'key' | 'control' | 'meta' | 'shift' | 'alt'>): boolean {
  if (input.type !== 'keyDown') return false;
  const key = input.key.toLowerCase();
  const mod = input.control || input.meta;
  if (key === 'f12' || key === 'f5') return true;
  if (mod && (input.shift || input.alt) && (key === 'i' || key === 'j' || key === 'c')) return true;
  if (mod && key === 'r') return true;
  return false;
}

/**
 * Applies the process-wide part before anything else runs: refuses debugging switches (exit 1
 * with a message on stderr) and sets the production menu. Does nothing outside production.
 * @returns true when the app may go on.
 */
export function hardenProductionApp(
  electron: { app: Pick<App, 'isPackaged' | 'commandLine' | 'exit'>; Menu: Pick<typeof MenuT, 'setApplicationMenu' | 'buildFromTemplate'> },
  o: { argv?: readonly string[]; platform?: NodeJS.Platform; stderr?: (line: string) => void } = {},
): boolean {
  const { app, Menu } = electron;
  if (!app.isPackaged) return true;
  const refused = refusedSwitch((s) => app.commandLine.hasSwitch(s), o.argv ?? process.argv);
  if (refused) {
    (o.stderr ?? ((l) => process.stderr.write(l + '\n')))(`error: --${refused} is refused: the packaged app cannot be debugged remotely`);
    app.exit(1);
    return false;
  }
  const template = productionMenuTemplate(o.platform ?? process.platform);
  Menu.setApplicationMenu(template ? Menu.buildFromTemplate(template) : null);
  return true;
}

/** Per WebContents in production: DevTools and reload shortcuts swallowed, DevTools closed if opened anyway. */
export function guardDevTools(contents: Pick<WebContents, 'on' | 'closeDevTools'>): void {
  contents.on('before-input-event', (event, input) => {
    if (isDebugShortcut(input)) event.preventDefault();
  });
  contents.on('devtools-opened', () => contents.closeDevTools());
}
