// Scheduled backups from Settings in Chromium (console server mode): the defaults, a weekly
// schedule saved with its next run, "Run now" keeping the newest N, then a destination that
// cannot be written: the run fails, a notification appears on whatever page is open, and the
// Settings page keeps the failure until a run succeeds. Screenshots: backup-14..16-*.png.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { openReady, shot, startConsole, tempDataDir, type RunningConsole } from './console';

let c: RunningConsole;
let cleanup: () => Promise<void>;
let base: string;

test.beforeAll(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  base = path.dirname(t.dataDir);
  c = await startConsole(t.dataDir, ['--block-time-ms', '250']);
});
test.afterAll(async () => {
  expect(await c.stop()).toBe(0);
  await cleanup();
});

test('a weekly schedule is saved, runs now, and a failing run raises a notification', async ({ page }) => {
  test.setTimeout(120_000);
  await openReady(page, c);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('page-settings')).toBeVisible();
  await expect(page.getByTestId('schedule-next')).toHaveText('off');
  await shot(page, 'backup-14-settings');

  const dest = path.join(base, 'scheduled');
  await page.getByTestId('schedule-enabled').check();
  await page.getByTestId('schedule-frequency').selectOption('weekly');
  await page.getByTestId('schedule-weekday').selectOption('3');
  await page.getByTestId('schedule-time').fill('03:30');
  await page.getByTestId('schedule-keep').fill('2');
  await page.getByTestId('schedule-dest-input').fill(dest);
  await expect(page.getByTestId('schedule-dest-check')).toHaveAttribute('data-ok', 'true');
  await page.getByTestId('schedule-save').click();
  await expect(page.getByTestId('schedule-saved')).toBeVisible();
  await expect(page.getByTestId('schedule-next')).toContainText(/\d{4}-\d\d-\d\d 03:30 UTC \(Wed/);

  for (let i = 0; i < 3; i++) {
    await page.getByTestId('schedule-run').click();
    await expect(page.getByTestId('schedule-run-result')).toContainText('Backed up tb-dev-', { timeout: 60_000 });
    await expect(page.getByTestId('schedule-last')).toContainText('ok, tb-dev-');
    // The next run gets a new height (and so a new snapshot id).
    const h = await page.getByTestId('topbar-height').textContent();
    await expect(page.getByTestId('topbar-height')).not.toHaveText(h!);
  }
  expect((await fs.readdir(dest)).filter((n) => n.startsWith('tb-dev-'))).toHaveLength(2); // keep last 2
  await expect(page.getByTestId('schedule-last')).toContainText('removed 1 old');
  await shot(page, 'backup-15-schedule-saved');

  // A destination below a plain file cannot be created: the run fails.
  await fs.writeFile(path.join(base, 'a-file'), 'not a folder');
  await page.getByTestId('schedule-dest-input').fill(path.join(base, 'a-file', 'backups'));
  await page.getByTestId('schedule-save').click();
  await expect(page.getByTestId('schedule-saved')).toBeVisible();
  await page.getByTestId('nav-overview').click();
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('schedule-run').click();
  const toast = page.getByTestId('backup-failed-toast');
  await expect(toast).toBeVisible({ timeout: 60_000 });
  await expect(toast).toContainText('Scheduled backup failed');
  await expect(page.getByTestId('schedule-failure')).toContainText('The last scheduled backup failed');
  await shot(page, 'backup-16-schedule-failed');
  // The notification shows on other pages too, and leads back to Settings.
  await page.getByTestId('nav-overview').click();
  await expect(toast).toBeVisible();
  await page.getByTestId('backup-failed-open').click();
  await expect(page.getByTestId('page-settings')).toBeVisible();
  await expect(toast).toHaveCount(0);
});
