// Overview: the height rises live, the node facts are filled, the CSP holds (no violation), both themes.
import { expect, test } from '@playwright/test';
import { numberOf, openReady, shot, startConsole, tempDataDir, type RunningConsole } from './console';

let c: RunningConsole;
let cleanup: () => Promise<void>;

test.beforeAll(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  c = await startConsole(t.dataDir);
});
test.afterAll(async () => {
  expect(await c.stop()).toBe(0);
  await cleanup();
});

test('Overview shows the height rising from live events', async ({ page }) => {
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
  await shot(page, 'overview');

  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(() => numberOf(page, 'tip-height')).toBeGreaterThan(await numberOf(page, 'tip-height'));
  await shot(page, 'overview-dark');
  expect(cspErrors.filter((e) => /Content Security Policy|Refused to/.test(e))).toEqual([]);
});
