// Logs: a new block line arrives live; level filter, text search, pause on scroll-up and resume.
import { expect, test } from '@playwright/test';
import { numberOf, openReady, shot, consolePerFile } from './console';

const consoleOf = consolePerFile();

test('the Logs page shows a new block line, filters, and pauses on scroll', async ({ page }) => {
  const c = consoleOf();
  await openReady(page, c);
  await expect.poll(() => numberOf(page, 'tip-height')).toBeGreaterThan(0);
  const h = await numberOf(page, 'tip-height');
  await expect(page.getByTestId('rpc-endpoint')).toHaveText(/^127\.0\.0\.1:\d+$/);
  const rpcAddr = (await page.getByTestId('rpc-endpoint').textContent())!;
  await page.getByTestId('nav-logs').click();
  await expect(page.getByTestId('page-logs')).toBeVisible();
  const lines = page.getByTestId('log-line');
  // A block produced after we opened the page.
  await expect(lines.filter({ hasText: new RegExp(`block .*\\bheight=${h + 2}\\b`) })).toHaveCount(1);

  await page.getByTestId('logs-search').fill('phase ready');
  await expect(lines.first()).toContainText('phase ready');
  await expect(lines.filter({ hasNotText: 'phase ready' })).toHaveCount(0);
  await page.getByTestId('logs-search').fill('');
  await page.getByTestId('logs-level').selectOption('warn');
  await expect(lines.filter({ hasText: /\binfo\b/i })).toHaveCount(0);
  await page.getByTestId('logs-level').selectOption('all');

  // Fill the view (dev.mine_one: 40 blocks, one log line each), then scroll up: the tail pauses and offers "Resume".
  const mine = Array.from({ length: 40 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'dev.mine_one', params: [] }));
  const r = await fetch(`http://${rpcAddr}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mine) });
  expect(r.status).toBe(200);
  await expect.poll(() => lines.count()).toBeGreaterThan(50);
  await page.getByTestId('logs-view').evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(page.getByTestId('logs-resume')).toBeVisible();
  await expect(page.getByTestId('logs-view')).toHaveAttribute('data-paused', 'true');
  await expect(page.getByTestId('logs-resume')).toContainText(/new\)/);
  await page.getByTestId('logs-resume').click();
  await expect(page.getByTestId('logs-view')).toHaveAttribute('data-paused', 'false');
  await expect(page.getByTestId('logs-pause')).toBeVisible();
  await shot(page, 'logs');

  await page.getByTestId('logs-open-file').click();
  await expect(page.getByTestId('log-file-path')).toContainText('logs/node.log');
  // Readable lines, not raw JSON (#19).
  await expect(page.getByTestId('log-file-tail')).toContainText(/\d\d:\d\d:\d\d\.\d{3} info {2}block height=\d+/);
  await expect(page.getByTestId('log-file-tail')).not.toContainText('"msg":');
});

// A window resize is not the operator scrolling: following the live end at 1280x800, then resized
// to 1024x700 (and back), the tail still follows — it read "Resume (3 new)" with no scroll.
test('the live tail keeps following through a window resize', async ({ page }) => {
  const c = consoleOf();
  await openReady(page, c);
  const rpcAddr = (await page.getByTestId('rpc-endpoint').textContent())!;
  await page.getByTestId('nav-logs').click();
  const view = page.getByTestId('logs-view');
  const lines = page.getByTestId('log-line');
  // Enough lines to scroll (the view starts at the bottom).
  const mine = Array.from({ length: 40 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'dev.mine_one', params: [] }));
  expect((await fetch(`http://${rpcAddr}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mine) })).status).toBe(200);
  await expect.poll(() => lines.count()).toBeGreaterThan(50);
  await expect(page.getByTestId('logs-pause')).toBeVisible();
  const tip = async () => ((await (await fetch(`http://${rpcAddr}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain.tip', params: [] }) })).json()) as { result: { height: number } }).result.height;
  const atBottom = () => view.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 24);
  for (const size of [{ width: 1024, height: 700 }, { width: 1280, height: 800 }, { width: 1024, height: 700 }]) {
    await page.setViewportSize(size);
    // Two new blocks (two new lines) after the resize: still following, showing them, at the bottom.
    const h = (await tip()) + 2;
    await expect.poll(tip).toBeGreaterThanOrEqual(h);
    await expect(view).toHaveAttribute('data-paused', 'false');
    await expect(lines.filter({ hasText: new RegExp(`block .*\\bheight=${h}\\b`) })).toHaveCount(1);
    await expect(page.getByTestId('logs-pause')).toBeVisible();
    await expect.poll(atBottom).toBe(true);
  }
  await shot(page, 'logs-after-resize');
  // An operator scroll up still pauses.
  await view.hover();
  await page.mouse.wheel(0, -600);
  await expect(view).toHaveAttribute('data-paused', 'true');
  await expect(page.getByTestId('logs-resume')).toBeVisible();
});
