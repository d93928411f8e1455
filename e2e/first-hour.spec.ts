// The operator's first hour (#19), as the "done means": `npm start` on a machine with no
// settings and no data (HOME in a temp dir), then clicks only — first run → start a practice
// testnet → joined and following → a verified backup. Counts the clicks and measures the time
// (e2e/artifacts/first-hour.json). Then: import a network file and an invite, copy an invite.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { createLocalnet } from '../src/node-core/net/localnet';
import { ROOT, shot } from './console';

test.describe.configure({ mode: 'serial' });

let home: string;
let proc: ChildProcess;
let out = '';
let url: string;
let t0: number;
let exited: Promise<number | null>;

test.beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-e2e-firsthour-'));
  t0 = Date.now();
  // Exactly what an operator types (console server mode here: no Electron binary), on a fresh HOME.
  proc = spawn(process.execPath, [path.join(ROOT, 'bin', 'start.mjs'), '--no-open'], { cwd: ROOT, env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  exited = new Promise((r) => proc.once('exit', (c) => r(c)));
  url = await new Promise<string>((resolve, reject) => {
    const tick = () => {
      const m = /Console: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    proc.stdout!.on('data', tick);
    proc.stderr!.on('data', tick);
    void exited.then((c) => reject(new Error(`npm start exited (${c}):\n${out}`)));
  });
});
test.afterAll(async () => {
  if (proc.exitCode === null) proc.kill('SIGTERM');
  expect(await exited).toBe(0);
  // The practice testnet's validators stopped with the console (not kept).
  const plan = JSON.parse(await fs.readFile(path.join(home, '.the_block', 'practice-testnet', 'testnet.json'), 'utf8')) as { nodes: { pid: number | null }[] };
  expect(plan.nodes.every((n) => n.pid === null)).toBe(true);
  await fs.rm(home, { recursive: true, force: true });
});

let clicks = 0;
const steps: { step: string; clicks: number; at_s: number }[] = [];
async function click(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).click();
  clicks++;
}
function mark(step: string): void {
  steps.push({ step, clicks, at_s: Math.round((Date.now() - t0) / 100) / 10 });
}

test('npm start → first run → practice testnet → following → verified backup, clicks only', async ({ page }) => {
  test.setTimeout(420_000);
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await page.goto(url);
  mark('console URL printed and opened');
  await expect(page.getByTestId('first-run')).toBeVisible();
  await expect(page.getByTestId('first-run-data-dir')).toHaveText(path.join(home, '.the_block', 'dev'));
  // config/node.toml asks for :8545 and :26658; on a shared machine another node may hold them.
  await expect(page.getByTestId('preflight-ports')).toHaveAttribute('data-status', /ok|fail/, { timeout: 30_000 });
  await expect(page.getByTestId('preflight-disk')).toHaveAttribute('data-status', 'ok');
  await expect(page.getByTestId('preflight-writable')).toHaveAttribute('data-status', 'ok');
  if ((await page.getByTestId('preflight-ports').getAttribute('data-status')) === 'fail') await click(page, 'first-run-free-ports');
  await shot(page, 'first-hour-1-first-run');
  await click(page, 'first-run-start');
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 90_000 });
  mark('first run done, dev node ready');

  await click(page, 'nav-network');
  await expect(page.getByTestId('network-select')).toHaveValue('dev');
  await click(page, 'practice-start');
  await expect(page.getByTestId('confirm-practice')).toBeVisible();
  await shot(page, 'first-hour-2-confirm-practice');
  await click(page, 'confirm-practice-ok');
  await expect(page.getByTestId('practice-status')).toHaveAttribute('data-state', /creating|starting|joining|running/);
  await expect(page.getByTestId('practice-ready')).toHaveText(/validators ready [0-3] \/ 3/);
  await expect(page.getByTestId('practice-status')).toHaveAttribute('data-state', 'starting', { timeout: 60_000 }).catch(() => {});
  await shot(page, 'first-hour-3-practice-starting');
  await expect(page.getByTestId('net-name')).toHaveText('practice', { timeout: 180_000 });
  await expect(page.getByTestId('practice-status')).toHaveAttribute('data-state', 'running', { timeout: 60_000 });
  await expect(page.getByTestId('sync-phase')).toHaveText('following', { timeout: 120_000 });
  await expect(page.getByTestId('network-select')).toHaveValue('practice');
  await expect(page.getByTestId('peer-row')).toHaveCount(3, { timeout: 60_000 });
  // The preflight's clock check, now that there are peers to compare with.
  await expect(page.getByTestId('clock-check')).toHaveAttribute('data-status', 'ok', { timeout: 30_000 });
  await expect(page.getByTestId('clock-check')).toContainText("of the peers' block times (3 peers)");
  mark('practice testnet joined and following');
  // The validators run the built node bundle, as the console's node does (an installed app has no src/ or tsx).
  const plan = JSON.parse(await fs.readFile(path.join(home, '.the_block', 'practice-testnet', 'testnet.json'), 'utf8')) as { nodes: { pid: number }[] };
  for (const n of plan.nodes) {
    const cmd = (await fs.readFile(`/proc/${n.pid}/cmdline`, 'utf8')).split('\0');
    expect(cmd).toContain(path.join(ROOT, 'out', 'node', 'node-entry.js'));
    expect(cmd).not.toContain('tsx');
  }
  await shot(page, 'first-hour-4-following');
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'first-hour-4-following-1024');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The chart shows the practice chain's own intervals, not hours against the dev chain's blocks.
  await page.getByTestId('nav-overview').click(); // a look, not a step of the flow: not counted
  await expect(page.getByTestId('block-chart')).toHaveAttribute('data-points', /^([3-9]|\d\d+)$/, { timeout: 30_000 });
  const tickLoc = page.getByTestId('block-chart').locator('text.chart__tick-ms');
  await expect(tickLoc.first()).toBeVisible({ timeout: 15_000 });
  const ticks = (await tickLoc.allTextContents()).map((t) => t.trim());
  const ms = (t: string) => (/^[\d.]+k$/.test(t) ? Number(t.slice(0, -1)) * 1000 : /^\d+$/.test(t) ? Number(t) : Infinity);
  expect(ticks.length).toBeGreaterThan(1);
  for (const t of ticks) expect(ms(t), `y tick ${t}`).toBeLessThanOrEqual(5000);
  await shot(page, 'first-hour-4b-overview-practice');
  // Settings names the practice node's data directory, not the dev node's it replaced (a look: not counted).
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('datadir-current')).toHaveText(path.join(home, '.the_block', 'practice'));

  await click(page, 'nav-backup');
  await expect(page.getByTestId('backup-dest-input')).toHaveValue(path.join(home, '.the_block', 'backups'));
  await expect(page.getByTestId('backup-dest-check')).toHaveAttribute('data-ok', 'true');
  await click(page, 'backup-next');
  await expect(page.getByTestId('space-check')).toHaveAttribute('data-ok', 'true');
  await click(page, 'backup-next');
  await click(page, 'backup-start');
  await expect(page.getByTestId('backup-done')).toBeVisible({ timeout: 120_000 });
  await click(page, 'verify-now');
  await expect(page.getByTestId('verify-result')).toHaveAttribute('data-ok', 'true', { timeout: 120_000 });
  mark('verified backup');
  await shot(page, 'first-hour-5-verified-backup');
  const total = steps.at(-1)!;
  await fs.writeFile(
    path.join(ROOT, 'e2e', 'artifacts', 'first-hour.json'),
    JSON.stringify({ measured_at: new Date().toISOString(), clicks: total.clicks, seconds_from_npm_start: total.at_s, steps, note: 'npm start with out/ already built; npm ci not included' }, null, 2) + '\n',
  );
  expect(total.clicks).toBeLessThanOrEqual(12);

  // The backup restores through the wizard (not counted: beyond the first hour). This is the built
  // console `npm start` runs, whose restores run in its own process with the built workers: every
  // restore from it failed (the pool looked for the source worker under out/node/chunks/).
  await page.getByTestId('tab-restore').click();
  // Proposed where the backup went, and read afresh: the Back up tab's earlier answer for it
  // ("will be created", before the backup) must not say "No such folder" here.
  await expect(page.getByTestId('restore-folder-input')).toHaveValue(path.join(home, '.the_block', 'backups'));
  await expect(page.getByTestId('restore-folder-check')).toHaveText('1 snapshot found', { timeout: 30_000 });
  await page.locator('[data-testid^="pick-"]').first().check();
  await page.getByTestId('restore-next').click();
  for (const check of ['manifest', 'network', 'checksums'])
    await expect(page.getByTestId(`check-${check}`)).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  await page.getByTestId('restore-next').click();
  await page.getByTestId('restore-agree').check();
  await page.getByTestId('restore-start').click();
  await expect(page.getByTestId('restore-done')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('restore-history')).toContainText('completed');
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  await shot(page, 'first-hour-6-restored');
});

test('import a network file and an invite; copy an invite; bad input refused', async ({ page }) => {
  test.setTimeout(120_000);
  const dir = path.join(home, 'shared by bob');
  await createLocalnet({ dir, validators: 2, name: 'bobnet', chainId: 41_000 });
  const json = await fs.readFile(path.join(dir, 'network.json'), 'utf8');
  await page.goto(url);
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('nav-network').click();
  await page.getByTestId('import-network').locator('summary').click();

  await page.getByTestId('import-text').fill('hello');
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-error')).toContainText('not a network');
  await page.getByTestId('import-text').fill(json.replace('"chain_id": 41000', '"chain_id": 41001'));
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-error')).toContainText('invalid_network');

  await page.getByTestId('import-text').fill(json);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-result')).toContainText('Imported bobnet (chain 41000, 2 validators, 4 bootstrap peers)');
  await expect(page.getByTestId('network-select')).toHaveValue('bobnet');
  await expect(page.getByTestId('join-network')).toHaveText('Join bobnet…');
  expect(existsSync(path.join(home, '.the_block', 'networks', 'bobnet.json'))).toBe(true);
  await shot(page, 'network-imported');

  // Copy its invite, then import the invite (same genesis: the file is updated, nothing else).
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByTestId('copy-invite').click();
  const invite = await page.getByTestId('invite-text').inputValue();
  expect(invite).toMatch(/^tb-invite:[A-Za-z0-9_-]+$/);
  await page.getByTestId('import-text').fill(invite.replace(/(.{60})/g, '$1\n'));
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-result')).toContainText('Updated bobnet');

  // Joining asks first; cancelled here (its validators are not running).
  await page.getByTestId('join-network').click();
  await expect(page.getByTestId('confirm-join')).toContainText('bobnet');
  await expect(page.getByTestId('confirm-current-dir')).toHaveText(path.join(home, '.the_block', 'practice'));
  await shot(page, 'network-confirm-join');
  await page.getByTestId('confirm-join-cancel').click();
  await expect(page.getByTestId('net-name')).toHaveText('practice');
});
