// Operator findings (brief hop, /work/notes/operator-findings.md) fixed in the renderer, checked in
// Chromium against console server mode: F12 — the disabled Governor page points a console operator
// to Settings (not only to env vars and TOML); F11 — the Treasury chart of an empty treasury reads
// "balance 0" (was "1"), its labels sit under the chart and the address is named; F16 — a refused
// .block action shows its error under the Act buttons (it was at the top of the page, out of sight).
import { expect, test } from '@playwright/test';
import { consolePerFile, openReady, shot } from './console';

const running = consolePerFile();
// The machine runs at load 20+: generous liveness budgets, no timing asserts.
test.describe.configure({ timeout: 240_000 });

test('a disabled governor points to Settings, and its button opens Settings', async ({ page }) => {
  await openReady(page, running());
  await page.getByTestId('nav-governor').click();
  await expect(page.getByTestId('governor-enable-hint')).toContainText('Launch governor: On');
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'operator-governor-disabled-1024');
  await page.getByTestId('governor-open-settings').click();
  await expect(page.getByTestId('page-settings')).toBeVisible();
  await expect(page.getByText('Launch governor', { exact: true })).toBeVisible();
});

test('an empty treasury chart reads balance 0 and names the treasury account', async ({ page }) => {
  await openReady(page, running());
  await page.getByTestId('nav-treasury').click();
  await expect(page.getByTestId('balance-chart-legend')).toContainText('balance 0 base units');
  await expect(page.getByTestId('balance-chart-legend')).toContainText(/blocks #\d+ … #\d+/);
  await expect(page.getByTestId('treasury-address')).toContainText(/Treasury account tb1[0-9a-f]{40}/);
  await shot(page, 'operator-treasury-empty');
});

test('a refused .block action shows its error under the Act buttons, where the operator clicked', async ({ page }) => {
  await openReady(page, running());
  await page.setViewportSize({ width: 1024, height: 700 });
  await page.getByTestId('nav-names').click();
  await page.getByTestId('names-domain').fill('ÄÖ..block');
  await page.getByTestId('names-publish').click();
  const err = page.getByTestId('names-act').getByTestId('names-error');
  await expect(err).toContainText('is not a .block name');
  await expect(err).toBeInViewport();
  await shot(page, 'operator-names-error-1024');
});
