// Network & Sync: a 3-validator local testnet is up (contract-cli testnet up); the console runs in
// server mode on a fresh dev data dir; the list starts at dev; the operator picks the testnet,
// clicks "Join localnet…", confirms (the dialog names both data folders), the node restarts on it, the sync phases, rate and progress bar show, the node reaches `following`,
// the peers table lists the validators (QUIC/TCP, latency, score) and a peer can be banned; the
// Overview shows the live peer count and finality.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cutText, numberOf, openReady, ROOT, SCREENSHOTS, scrollsSideways, startConsole, tempDataDir, type RunningConsole } from './console';

const CLI = path.join(ROOT, 'bin', 'contract-cli.mjs');
let c: RunningConsole;
let cleanup: () => Promise<void>;
let home: string;
let tn: string;
const savedHome = process.env.HOME;

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, HOME: home } });
  if (r.status !== 0) throw new Error(`contract-cli ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

test.beforeAll(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'tb-e2e-home-'));
  tn = path.join(home, 'local-testnet');
  cli(['testnet', 'up', '--validators', '3', '--dir', tn, '--block-time-ms', '300']);
  const t = await tempDataDir();
  cleanup = t.cleanup;
  // The console finds local testnets under ~/.the_block/local-testnets (written by testnet up).
  process.env.HOME = home;
  c = await startConsole(t.dataDir);
});

test.afterAll(async () => {
  process.env.HOME = savedHome;
  expect(await c.stop()).toBe(0);
  cli(['testnet', 'down', '--dir', tn]);
  await cleanup();
  await rm(home, { recursive: true, force: true });
});

test('join a local testnet from the Network page and follow it', async ({ page }) => {
  test.setTimeout(150_000);
  // Screenshots show the progress bar at its value, not mid-animation.
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await openReady(page, c);
  await page.getByTestId('nav-network').click();
  await expect(page.getByTestId('page-network')).toBeVisible();
  await expect(page.getByTestId('net-name')).toHaveText('dev');
  await expect(page.getByTestId('sync-phase')).toHaveText(/idle/);

  const select = page.getByTestId('network-select');
  await expect(select.locator('option')).toHaveCount(2);
  // #19: the list starts at the current network, with the main button disarmed.
  await expect(select).toHaveValue('dev');
  await expect(page.getByTestId('join-network')).toBeDisabled();
  await select.selectOption('localnet');
  await expect(page.getByTestId('join-network')).toHaveText('Join localnet…');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'network-select.png') });

  // #19: joining asks first and says what happens; Cancel changes nothing.
  await page.getByTestId('join-network').click();
  await expect(page.getByTestId('confirm-join')).toBeVisible();
  await expect(page.getByTestId('confirm-current-dir')).toHaveText(c.dataDir);
  await expect(page.getByTestId('confirm-target-dir')).toHaveText(path.join(path.dirname(c.dataDir), 'localnet'));
  await page.getByTestId('confirm-join-cancel').click();
  await expect(page.getByTestId('confirm-join')).toHaveCount(0);
  await expect(page.getByTestId('net-name')).toHaveText('dev');
  await page.getByTestId('join-network').click();
  await page.getByTestId('confirm-join-ok').click();
  await expect(page.getByTestId('join-result')).toContainText('localnet');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'network-switching.png') });
  // The node restarts on the testnet with its own data root, next to the dev one.
  await expect(page.getByTestId('net-name')).toHaveText('localnet', { timeout: 60_000 });
  await expect(page.getByTestId('sync-card')).toBeVisible();
  await expect(page.getByTestId('sync-progress')).toBeVisible();
  await expect(page.getByTestId('sync-phase')).toHaveText('following', { timeout: 60_000 });
  await expect(page.getByTestId('sync-progress')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('sync-eta')).toHaveText('caught up');
  await expect(page.getByTestId('join-result')).toContainText(path.join(path.dirname(c.dataDir), 'localnet'));

  // Peers: the three validators, each over QUIC or TCP, with latency and score.
  await expect(page.getByTestId('peer-row')).toHaveCount(3, { timeout: 30_000 });
  await expect(page.getByTestId('peer-transport').first()).toHaveText(/QUIC|TCP/);
  await expect.poll(() => numberOf(page, 'net-finalized'), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('fin-stake')).toHaveText('3,000 / 2,001');
  await expect(page.getByTestId('cons-state')).toHaveText(/height #\d+ · round \d+/);
  await expect(page.getByTestId('peer-row').first().locator('td').nth(4)).toHaveText(/\d+ ms/, { timeout: 30_000 });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'network-following.png') });
  await page.getByTestId('finality-card').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'network-peers-finality.png') });

  // At 1024x700, sidebar folded and open, the peers table fits its card: no sideways scroll, each
  // row's Ban button wholly on screen and inside the card (the Ban buttons were cut off and the
  // whole page scrolled sideways).
  await page.setViewportSize({ width: 1024, height: 700 });
  for (const open of [false, true]) {
    if (open) await page.getByTestId('sidebar-toggle').click();
    await expect(page.getByTestId('sidebar')).toHaveAttribute('data-collapsed', String(!open));
    await page.waitForTimeout(400); // the sidebar's width transition
    await page.getByTestId('peers-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SCREENSHOTS, `network-peers-1024${open ? '-sidebar' : ''}.png`) });
    expect(await scrollsSideways(page), `the Network page scrolls sideways at 1024 px (sidebar ${open ? 'open' : 'folded'})`).toBe(false);
    const card = (await page.getByTestId('peers-card').boundingBox())!;
    for (const ban of await page.getByTestId('peer-ban').all()) {
      await expect(ban).toBeInViewport({ ratio: 1 });
      const b = (await ban.boundingBox())!;
      expect(b.x + b.width, 'Ban inside the peers card').toBeLessThanOrEqual(card.x + card.width);
    }
    expect(await cutText(page)).toEqual([]);
  }
  await page.getByTestId('sidebar-toggle').click();
  await page.setViewportSize({ width: 1280, height: 800 });

  // Ban one validator: it leaves the table (the node refuses it for TB_P2P_BAN_SECS).
  const first = page.getByTestId('peer-row').first();
  const banned = await first.getAttribute('data-peer');
  await first.getByTestId('peer-ban').click();
  await expect(page.locator(`[data-testid="peer-row"][data-peer="${banned}"]`)).toHaveCount(0);
  await expect(page.getByTestId('peer-row')).toHaveCount(2);
  await expect(page.getByTestId('net-peers')).toHaveText('2');

  // Overview: live peer count and finality of the testnet.
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('peers').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('peers')).toHaveText('2');
  const f0 = await numberOf(page, 'finalized-height');
  await expect.poll(() => numberOf(page, 'finalized-height'), { timeout: 30_000 }).toBeGreaterThan(f0);
  await expect(page.getByTestId('network')).toHaveText('localnet');
  await page.screenshot({ path: path.join(SCREENSHOTS, 'network-overview.png') });
});
