// Monitoring links: with a Grafana address set in Settings → Monitoring (http(s) only; kept across
// a reload), each page with a generated dashboard shows "Grafana ↗" in the header, linking to
// <grafana>/d/<uid>; pages without one (Logs) show none; without an address there are no links.
import { expect, test } from '@playwright/test';
import { consolePerFile, openReady, shot } from './console';

const consoleOf = consolePerFile();

test('Settings → Monitoring sets the Grafana address; pages link to their dashboards', async ({ page }) => {
  test.setTimeout(120_000);
  await openReady(page, consoleOf());
  const link = page.getByTestId('grafana-link');
  await expect(page.getByTestId('topbar-height')).toBeVisible();
  await expect(link).toHaveCount(0);

  await page.getByTestId('nav-settings').click();
  await page.getByTestId('grafana-url').fill('javascript:alert(1)');
  await page.getByTestId('grafana-url-save').click();
  await expect(page.getByTestId('grafana-url-error')).toBeVisible();
  await expect(link).toHaveCount(0);

  await page.getByTestId('grafana-url').fill('http://grafana.example:3000/');
  await page.getByTestId('grafana-url-save').click();
  await expect(page.getByTestId('grafana-url-saved')).toBeVisible();
  await expect(page.getByTestId('grafana-url-error')).toHaveCount(0);
  await expect(link).toHaveCount(0); // Settings has no dashboard
  await page.getByTestId('grafana-card').scrollIntoViewIfNeeded();
  await shot(page, 'monitoring-settings');

  const expected = { overview: 'tb-node-health', network: 'tb-network-consensus', governor: 'tb-governor', backup: 'tb-backups' };
  for (const [id, uid] of Object.entries(expected)) {
    await page.getByTestId(`nav-${id}`).click();
    await expect(link).toHaveAttribute('href', `http://grafana.example:3000/d/${uid}`);
    await expect(link).toHaveAttribute('target', '_blank');
    await expect(link).toHaveAttribute('rel', /noopener/);
  }
  await page.getByTestId('nav-logs').click();
  await expect(page.getByTestId('page-logs')).toBeVisible();
  await expect(link).toHaveCount(0);

  // Kept across a reload; clearing the address removes the links.
  await page.getByTestId('nav-governor').click();
  await page.reload();
  await expect(link).toHaveAttribute('href', 'http://grafana.example:3000/d/tb-governor');
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'monitoring-governor-link');
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('grafana-url').fill('');
  await page.getByTestId('grafana-url-save').click();
  await page.getByTestId('nav-governor').click();
  await expect(page.getByTestId('page-governor')).toBeVisible();
  await expect(link).toHaveCount(0);
});
