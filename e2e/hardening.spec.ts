// Issue 12 in the console: a data directory locked by a node of another host is explained in the
// start-failure banner, which offers "Take over the lock…" behind a confirmation and then starts
// the node; a damaged backup schedule moved aside at start shows as a notice banner.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { shot, startConsole, tempDataDir } from './console';

test('a lock left by another host: explained, taken over after a confirmation, node started', async ({ page }) => {
  test.setTimeout(150_000);
  const t = await tempDataDir();
  await writeFile(
    path.join(t.dataDir, 'node.lock'),
    JSON.stringify({ pid: 4194000, token: 'f'.repeat(32), proc_start: '1', hostname: 'old-container-7f3a', started_at_ms: Date.UTC(2026, 10, 3, 8, 15) }),
  );
  const c = await startConsole(t.dataDir);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(c.url);
    const banner = page.getByTestId('crash-banner');
    await expect(banner).toHaveAttribute('data-state', 'start_failed', { timeout: 60_000 });
    await expect(page.getByTestId('start-error')).toContainText('on host "old-container-7f3a"');
    await expect(page.getByTestId('start-error')).toContainText('pid 4194000');
    await page.getByTestId('crash-unlock').click();
    await expect(page.getByTestId('crash-unlock-confirm')).toBeVisible();
    await shot(page, 'hardening-lock-elsewhere');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'hardening-lock-elsewhere-1024');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('crash-unlock-go').click();
    await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  } finally {
    expect(await c.stop()).toBe(0);
    await t.cleanup();
  }
});

test('a damaged backup schedule is moved aside at start and shown as a notice', async ({ page }) => {
  test.setTimeout(120_000);
  const t = await tempDataDir();
  await mkdir(path.join(t.dataDir, 'snapshot_schedule'));
  await writeFile(path.join(t.dataDir, 'snapshot_schedule', 'simpledb.bin'), Buffer.alloc(256));
  const c = await startConsole(t.dataDir);
  try {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(c.url);
    await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
    const notice = page.getByTestId('node-notice');
    await expect(notice).toHaveAttribute('data-kind', 'store_quarantined');
    await expect(page.getByTestId('node-notice-text')).toContainText('snapshot_schedule.corrupt-');
    await expect(page.getByTestId('node-notice-text')).toContainText('scheduled backups are off');
    await shot(page, 'hardening-store-notice');
    await page.setViewportSize({ width: 1024, height: 700 });
    await shot(page, 'hardening-store-notice-1024');
    await page.getByTestId('node-notice-dismiss').click();
    await expect(notice).toHaveCount(0);
  } finally {
    expect(await c.stop()).toBe(0);
    await t.cleanup();
  }
});
