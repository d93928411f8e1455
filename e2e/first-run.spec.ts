// First run (#19) in Chromium against console server mode: the node waits while the first run is
// due; the preflight names a busy port and its holder, too little disk space, an unwritable
// folder, each with what to do, and Start stays disarmed; "use free ports" then Start starts the
// node in the chosen folder (spaces, non-ASCII) and saves the settings; Settings re-opens it.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { shot, startConsole, type RunningConsole } from './console';

test.describe.configure({ mode: 'serial' });

let home: string;
let busy: Server;
let busyPort: number;
const savedHome = process.env.HOME;

test.beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'tb-e2e-firstrun-'));
  busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', () => r()));
  busyPort = (busy.address() as { port: number }).port;
});
test.afterAll(async () => {
  process.env.HOME = savedHome;
  await new Promise<void>((r) => busy.close(() => r()));
  await rm(home, { recursive: true, force: true });
});

/** A console whose first run is due, HOME in the temp dir, the node's JSON-RPC on the busy port. */
async function firstRunConsole(extra: string[]): Promise<RunningConsole> {
  process.env.HOME = home;
  try {
    return await startConsole(path.join(home, 'given'), ['--first-run', '--rpc-addr', `127.0.0.1:${busyPort}`, ...extra]);
  } finally {
    process.env.HOME = savedHome;
  }
}

async function check(page: Page, id: string, status: string): Promise<void> {
  await expect(page.getByTestId(`preflight-${id}`)).toHaveAttribute('data-status', status, { timeout: 30_000 });
}

test('preflight failures: busy port (named holder), too little space, unwritable folder', async ({ page }) => {
  test.setTimeout(120_000);
  // 10^8 MiB (95 TiB): more than any disk here.
  const c = await firstRunConsole(['--min-free-space', '100000000']);
  try {
    await page.goto(c.url);
    await expect(page.getByTestId('first-run')).toBeVisible();
    // The node has not started: it waits for the first run.
    await expect(page.getByTestId('node-phase')).toHaveText('stopped');
    await expect(page.getByTestId('first-run-folder')).toHaveValue(path.join(home, '.the_block'));
    await expect(page.getByTestId('first-run-data-dir')).toHaveText(path.join(home, '.the_block', 'dev'));

    await check(page, 'ports', 'fail');
    await expect(page.getByTestId('preflight-ports-detail')).toContainText(`JSON-RPC port ${busyPort} (TCP) is in use by pid ${process.pid}`);
    await expect(page.getByTestId('preflight-ports')).toContainText('--rpc-addr');
    await check(page, 'disk', 'fail');
    await expect(page.getByTestId('preflight-disk-detail')).toContainText('this network needs at least');
    await expect(page.getByTestId('preflight-disk')).toContainText('What to do: free some space');
    await check(page, 'writable', 'ok');
    await check(page, 'clock', 'ok');
    await expect(page.getByTestId('first-run-start')).toBeDisabled();
    await expect(page.getByTestId('first-run-blocked')).toContainText('ports free');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shot(page, 'first-run-preflight-failures');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'first-run-preflight-failures-1024');
    await page.setViewportSize({ width: 1280, height: 800 });

    // An unwritable folder: root writes everywhere on a normal disk, so use sysfs there.
    let unwritable: string;
    if (process.getuid?.() === 0) unwritable = '/sys/tb data ü';
    else {
      unwritable = path.join(home, 'read only ü');
      await mkdir(unwritable);
      await chmod(unwritable, 0o555);
    }
    await page.getByTestId('first-run-folder').fill(unwritable);
    await check(page, 'writable', 'fail');
    await expect(page.getByTestId('preflight-writable-detail')).toContainText('cannot be written');
    await expect(page.getByTestId('preflight-writable')).toContainText('choose another folder');
    await expect(page.getByTestId('first-run-start')).toBeDisabled();
    await shot(page, 'first-run-unwritable');

    // `~/…` as everywhere else a data dir is read: the host expands it, the form shows where it points.
    await page.getByTestId('first-run-folder').fill('~/tbx');
    await expect(page.getByTestId('first-run-data-dir')).toHaveText(path.join(home, 'tbx', 'dev'), { timeout: 30_000 });
    await check(page, 'writable', 'ok');
    await expect(page.getByTestId('first-run')).not.toContainText('give a full path');
    await expect(page.getByTestId('first-run-folder')).toHaveValue('~/tbx');
    await shot(page, 'first-run-home-folder');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'first-run-home-folder-1024');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(existsSync(path.join(home, '.the_block', 'console.json'))).toBe(false);
  } finally {
    expect(await c.stop()).toBe(0);
  }
});

test('use free ports, Start: the node starts in the chosen folder and the settings are kept; Settings re-opens the first run', async ({ page }) => {
  test.setTimeout(150_000);
  const c = await firstRunConsole([]);
  try {
    await page.goto(c.url);
    await expect(page.getByTestId('first-run')).toBeVisible();
    const folder = path.join(home, 'node data ü');
    await page.getByTestId('first-run-folder').fill(folder);
    await check(page, 'ports', 'fail');
    await check(page, 'disk', 'ok');
    await check(page, 'writable', 'ok');
    await expect(page.getByTestId('first-run-start')).toBeDisabled();
    await page.getByTestId('first-run-free-ports').check();
    await expect(page.getByTestId('first-run-start')).toBeEnabled();
    // The token follows Settings' rule (it becomes Settings' token), said in place.
    const token = page.getByTestId('first-run-token');
    await token.fill('abc✓defgh');
    await expect(page.getByTestId('first-run-token-note')).toHaveText('The token may only contain letters, digits and . _ ~ -');
    await expect(page.getByTestId('first-run-start')).toBeDisabled();
    await token.fill('x'.repeat(5000));
    await expect(page.getByTestId('first-run-token-note')).toHaveText('The token must be at most 256 characters');
    await token.fill('');
    await expect(page.getByTestId('first-run-start')).toBeEnabled();
    await shot(page, 'first-run-ready');
    await page.getByTestId('first-run-start').click();
    await expect(page.getByTestId('first-run')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
    await expect(page.getByTestId('data-dir')).toHaveText(path.join(folder, 'dev'));
    const settings = JSON.parse(readFileSync(path.join(home, '.the_block', 'console.json'), 'utf8'));
    expect(settings).toMatchObject({ version: 1, data_parent: folder, network: 'dev', keep_running: false, rpc_auth: false });

    await page.getByTestId('nav-settings').click();
    await expect(page.getByTestId('first-run-card')).toContainText(folder);
    await page.getByTestId('rerun-first-run').click();
    await expect(page.getByTestId('first-run')).toBeVisible();
    await expect(page.getByTestId('first-run-folder')).toHaveValue(folder);
    // Its own running node holds its ports: not a failure.
    await check(page, 'ports', 'ok');
    await shot(page, 'first-run-reopened');
    await page.getByTestId('first-run-cancel').click();
    await expect(page.getByTestId('first-run')).toHaveCount(0);
    await expect(page.getByTestId('node-phase')).toHaveText('ready');
  } finally {
    expect(await c.stop()).toBe(0);
  }
});
