/**
 * E2E helpers: starts console server mode exactly as an operator does (`contract-cli console
 * --no-open` with the node flags), in a temp data dir whose name has a space and non-ASCII
 * characters (DESIGN.md "Hard edges → Paths"), on free ports; stops it with SIGTERM (ordered stop).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const SCREENSHOTS = path.join(ROOT, 'e2e', 'artifacts', 'screenshots');
const CLI = path.join(ROOT, 'bin', 'contract-cli.mjs');

export interface RunningConsole {
  url: string;
  origin: string;
  token: string;
  dataDir: string;
  proc: ChildProcess;
  /** Everything the console printed (stdout + stderr). */
  output(): string;
  stop(): Promise<number | null>;
}

/** Runs `contract-cli <args>` synchronously; returns stdout. @throws on a non-zero exit. */
export function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`contract-cli ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Creates a local wallet key in `dataDir` (no node needed); returns its address. */
export function newKey(dataDir: string, name: string): string {
  const out = JSON.parse(cli(['wallet', 'new', '--name', name, '--data-dir', dataDir, '--format', 'json'])) as { address: string };
  return out.address;
}

export async function tempDataDir(): Promise<{ dataDir: string; cleanup(): Promise<void> }> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'tb-e2e-'));
  const dataDir = path.join(base, 'data dir ü');
  await mkdir(dataDir, { recursive: true });
  return { dataDir, cleanup: () => rm(base, { recursive: true, force: true }) };
}

/** Starts the console; resolves once it printed its URL. */
export async function startConsole(dataDir: string, extra: string[] = [], env?: NodeJS.ProcessEnv): Promise<RunningConsole> {
  const proc = spawn(
    process.execPath,
    [CLI, 'console', '--no-open', '--data-dir', dataDir, '--rpc-addr', '127.0.0.1:0', '--metrics-addr', '127.0.0.1:0', ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], ...(env ? { env: { ...process.env, ...env } } : {}) },
  );
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /Console: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`console exited (${code}) before printing its URL:\n${out}`)));
  });
  const u = new URL(url);
  return {
    url,
    origin: u.origin,
    token: new URLSearchParams(u.hash.slice(1)).get('token')!,
    dataDir,
    proc,
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}

/** Opens the console and waits until the node is ready. */
export async function openReady(page: Page, c: RunningConsole): Promise<void> {
  await page.goto(c.url);
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
}

/** Current value of a numeric stat (thousands separators removed); NaN while it shows "—". */
export async function numberOf(page: Page, testId: string): Promise<number> {
  const t = (await page.getByTestId(testId).textContent()) ?? '';
  return Number(t.replace(/[^0-9]/g, '') || NaN);
}

/** Saves a 1280x800 screenshot of the page into e2e/artifacts/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

/**
 * One console for a whole spec file: started in `beforeAll` (after `prepare` ran on its fresh
 * data dir, e.g. to create wallet keys), stopped in `afterAll` with an ordered stop (exit code 0
 * asserted), data dir removed. Returns a getter: the console exists once `beforeAll` has run.
 */
export function consolePerFile(prepare?: (dataDir: string) => void | Promise<void>): () => RunningConsole {
  let c: RunningConsole | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  test.beforeAll(async () => {
    const t = await tempDataDir();
    cleanup = t.cleanup;
    await prepare?.(t.dataDir);
    c = await startConsole(t.dataDir);
  });
  test.afterAll(async () => {
    if (c) expect(await c.stop()).toBe(0);
    await cleanup?.();
  });
  return () => {
    if (!c) throw new Error('the console starts in beforeAll');
    return c;
  };
}

/**
 * Elements whose text is cut (ellipsis or clipped), as "selector: text" — stat values, gate names,
 * card titles, nav items, toolbars, buttons, and selects whose chosen option is wider than the box
 * (a select never reports overflow: its text is measured against its inner width).
 */
export async function cutText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const g = globalThis as any;
    const out: string[] = [];
    for (const sel of ['.stat__value', '.stat__label', '.stat__sub', '.gate__name', '.card__title', '.nav__item', '.topbar__title', '.toolbar', '.btn']) {
      for (const el of Array.from(g.document.querySelectorAll(sel)) as any[]) {
        if (el.offsetParent === null) continue; // hidden
        if (el.scrollWidth > el.clientWidth + 1) out.push(`${sel}: ${String(el.textContent ?? '').trim().slice(0, 40)}`);
      }
    }
    const ctx = g.document.createElement('canvas').getContext('2d');
    for (const el of Array.from(g.document.querySelectorAll('select')) as any[]) {
      if (el.offsetParent === null) continue;
      const text = String(el.options[el.selectedIndex]?.text ?? '');
      const cs = g.getComputedStyle(el);
      ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
      // Inner width less the padding and the drop-down arrow (about 20 px in Chromium).
      const room = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
      if (ctx.measureText(text).width > room) out.push(`select: ${text.slice(0, 40)}`);
    }
    return out;
  });
}

/** Whether the document, or the page's own scroll area (`.content`), scrolls sideways: its content is wider than its client area. */
export async function scrollsSideways(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const doc = (globalThis as any).document;
    return [doc.documentElement, doc.querySelector('.content')].some((el: any) => !!el && el.scrollWidth > el.clientWidth);
  });
}
