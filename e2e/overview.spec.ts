// Overview: the height rises live, the node facts are filled, the CSP holds (no violation), both themes.
import { expect, test } from '@playwright/test';
import { numberOf, openReady, shot, consolePerFile } from './console';

const consoleOf = consolePerFile();

test('Overview shows the height rising from live events', async ({ page }) => {
  const c = consoleOf();
  const cspErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') cspErrors.push(m.text());
  });
  const res = await page.goto(c.url);
  expect(res?.headers()['content-security-policy']).toContain("default-src 'self'");
  await openReady(page, c);

  await expect.poll(() => numberOf(page, 'tip-height')).toBeGreaterThan(0);
  const h0 = await numberOf(page, 'tip-height');
  await expect.poll(() => numberOf(page, 'tip-height')).toBeGreaterThan(h0 + 1);

  await expect(page.getByTestId('network')).toHaveText('dev');
  await expect(page.getByTestId('chain-id')).toHaveText('31337');
  await expect(page.getByTestId('data-dir')).toHaveText(c.dataDir);
  await expect(page.getByTestId('node-version')).not.toHaveText('—');
  await expect(page.getByTestId('data-dir-size')).toHaveText(/\d.*(B|KiB|MiB)/);
  await expect(page.getByTestId('node-memory')).toHaveText(/MiB/);
  await expect(page.getByTestId('node-cpu')).toHaveText(/%/);
  await expect(page.getByTestId('finalized-height')).not.toHaveText('—');
  await expect(page.getByTestId('mempool-size')).toHaveText(/^\d/);
  await expect(page.getByTestId('peers')).toHaveText(/^\d/);
  await expect(page.getByTestId('block-chart')).toHaveAttribute('data-points', /^([3-9]|\d\d+)$/);
  await expect(page.getByTestId('topbar-height')).toHaveText(/^#\d/);
  // Both endpoints as host:port an operator can curl (the metrics row once read ":PORT/metrics").
  await expect(page.getByTestId('rpc-endpoint')).toHaveText(/^127\.0\.0\.1:\d+$/);
  await expect(page.getByTestId('metrics-endpoint')).toHaveText(/^127\.0\.0\.1:\d+\/metrics$/);
  await shot(page, 'overview');

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => numberOf(page, 'tip-height')).toBeGreaterThan(await numberOf(page, 'tip-height'));
  await shot(page, 'overview-dark');
  expect(cspErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});

test('the page is in the URL (reload keeps it) and the favicon is served', async ({ page }) => {
  const c = consoleOf();
  const missing: string[] = [];
  page.on('response', (r) => {
    if (r.status() === 404) missing.push(r.url());
  });
  await openReady(page, c);
  await page.getByTestId('nav-logs').click();
  await expect(page).toHaveURL(/#token=[0-9a-f]+&page=logs$/);
  await page.reload();
  await expect(page.getByTestId('page-logs')).toBeVisible();
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  await page.getByTestId('nav-overview').click();
  await expect(page).toHaveURL(/#token=[0-9a-f]+$/);
  const icon = await page.locator('link[rel="icon"]').getAttribute('href');
  expect(icon).toBeTruthy();
  if (!icon!.startsWith('data:')) expect((await page.request.get(new URL(icon!, page.url()).href)).status()).toBe(200);
  expect(missing).toEqual([]);
});
