/**
 * Finds a Chromium-family browser and opens the console in it as an app window (`--app=<url>`:
 * no tabs, no URL bar — the closest thing to the desktop window where Electron cannot run).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge'];

/** Absolute path of a Chromium: `$TB_CHROMIUM` / `$CHROME_PATH` first, else the first candidate on `PATH`. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.TB_CHROMIUM || env.CHROME_PATH;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of CANDIDATES) {
      const p = path.join(dir, name);
      if (isExecutable(p)) return p;
    }
  }
  return undefined;
}

function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** True when a graphical session is available to show a window (always on macOS/Windows). */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.platform !== 'linux' || !!(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/**
 * Opens `url` in `chromium --app`, detached (closing the browser does not stop the console).
 * The URL carries the token, and command lines are visible to every local user (`ps`), so the
 * browser is pointed at a private redirect file instead (0600 in a fresh temp dir; the same trick
 * as Jupyter's `jpserver-*-open.html`). Running as root, Chromium refuses to start without
 * `--no-sandbox`; only then is it added.
 * @returns the browser's pid and a cleanup that deletes the redirect file, or undefined when it could not be spawned.
 */
export function openInChromium(chromium: string, url: string): { pid: number | undefined; cleanup(): void } | undefined {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tb-console-'));
  const file = path.join(dir, 'open.html');
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  writeFileSync(file, `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attr}"><title>The Block console</title>\n`, { mode: 0o600 });
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  const args = [`--app=${pathToFileURL(file).href}`, '--no-first-run', '--no-default-browser-check', '--window-size=1280,800'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  try {
    const child = spawn(chromium, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => {});
    child.unref();
    return { pid: child.pid, cleanup };
  } catch {
    cleanup();
    return undefined;
  }
}
