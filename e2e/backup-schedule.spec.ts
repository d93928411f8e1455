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

  // The previous run's result stays on screen until the new job id is back, and its pruning runs
  // after the job's own "done": each run is waited for by its own snapshot id, and the folder is
  // read once the third run's record (written after pruning) is shown.
  const result = page.getByTestId('schedule-run-result');
  const shownId = async () => /Backed up (tb-dev-\S+) \(/.exec((await result.allTextContents()).join(''))?.[1];
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    await page.getByTestId('schedule-run').click();
    await expect.poll(async () => { const id = await shownId(); return id !== undefined && !ids.includes(id); }, { timeout: 60_000 }).toBe(true);
    const id = (await shownId())!;
    ids.push(id);
    await expect(page.getByTestId('schedule-last')).toContainText(`ok, ${id}`);
    // The next run gets a new height (and so a new snapshot id).
    const h = await page.getByTestId('topbar-height').textContent();
    await expect(page.getByTestId('topbar-height')).not.toHaveText(h!);
  }
  await expect(page.getByTestId('schedule-last')).toContainText(`ok, ${ids[2]}; removed 1 old`);
  expect((await fs.readdir(dest)).filter((n) => n.startsWith('tb-dev-')).sort()).toEqual([ids[1], ids[2]].sort()); // keep last 2
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
