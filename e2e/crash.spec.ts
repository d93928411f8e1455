// Supervisor in the UI: kill -9 of the node shows the crash reason and the automatic restart;
// three crashes within a minute stop the restarts and offer "Open logs" and "Restart".
import { expect, test, type Page } from '@playwright/test';
import { numberOf, openReady, shot, startConsole, tempDataDir, type RunningConsole } from './console';

let c: RunningConsole;
let cleanup: () => Promise<void>;

test.beforeEach(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  c = await startConsole(t.dataDir);
});
test.afterEach(async () => {
  expect(await c.stop()).toBe(0);
  await cleanup();
});

async function nodePid(page: Page): Promise<number> {
  await expect(page.getByTestId('node-pid')).toHaveText(/^pid \d+$/);
  return numberOf(page, 'node-pid');
}

test('kill -9 of the node shows the crash and the automatic restart', async ({ page }) => {
  test.setTimeout(150_000); // up to two node starts
  await openReady(page, c);
  const pid = await nodePid(page);
  await expect.poll(() => numberOf(page, 'tip-height')).toBeGreaterThan(0);
  const h = await numberOf(page, 'tip-height');
  process.kill(pid, 'SIGKILL');

  await expect(page.getByTestId('crash-banner')).toBeVisible();
  await expect(page.getByTestId('crash-reason')).toHaveText('killed by SIGKILL');
  await expect(page.getByTestId('restart-count')).toHaveText('1');
  // A node start takes a few seconds (more on a busy machine): wait as long as for the first start.
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('crash-banner')).toHaveAttribute('data-state', 'running');
  expect(await nodePid(page)).not.toBe(pid);
  // The restarted node resumes the same chain and keeps producing.
  await expect.poll(() => numberOf(page, 'tip-height'), { timeout: 30_000 }).toBeGreaterThan(h + 1);
  await shot(page, 'crash-restarted');
  await page.getByTestId('crash-dismiss').click();
  await expect(page.getByTestId('crash-banner')).toHaveCount(0);
});

test('three crashes within a minute: no more restarts; Open logs and Restart', async ({ page }) => {
  test.setTimeout(240_000); // up to four node starts
  await openReady(page, c);
  for (let i = 1; i <= 3; i++) {
    const pid = await nodePid(page);
    process.kill(pid, 'SIGKILL');
    if (i < 3) await expect(page.getByTestId('node-pid')).not.toHaveText(`pid ${pid}`, { timeout: 60_000 });
  }
  const banner = page.getByTestId('crash-banner');
  await expect(banner).toHaveAttribute('data-state', 'crash_loop');
  await expect(page.getByTestId('node-phase')).toHaveText('crashed');
  await expect(page.getByTestId('restart-count')).toHaveText('2');
  await expect(page.getByTestId('crash-restart')).toBeVisible();
  await shot(page, 'crash-loop');

  await page.getByTestId('crash-open-logs').click();
  await expect(page.getByTestId('page-logs')).toBeVisible();
  await expect(page.getByTestId('log-file-path')).toContainText('node.log');
  await expect(page.getByTestId('log-file-tail')).not.toBeEmpty();

  await page.getByTestId('crash-restart').click();
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  await expect(banner).toHaveAttribute('data-state', 'running');
});
