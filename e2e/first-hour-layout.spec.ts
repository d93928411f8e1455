// Every page at 1280x800 and 1024x700 (#19): nothing cut (stat values, gate names, card titles),
// no sideways scrolling (document scrollWidth ≤ clientWidth), no select cut short, the Logs toolbar on one row, the sidebar collapsible at 1024 px.
// Screenshots: e2e/artifacts/screenshots/layout-<page>-<width>.png.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { cutText, openReady, SCREENSHOTS, scrollsSideways, startConsole, tempDataDir, type RunningConsole } from './console';

let c: RunningConsole;
let cleanup: () => Promise<void>;

test.beforeAll(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  const envFile = path.join(path.dirname(t.dataDir), 'governor.env');
  await fs.writeFile(envFile, ['TB_GOVERNOR_ENABLED=1', 'TB_GOVERNOR_WINDOW_SECS=2', 'TB_GOVERNOR_SHADOW_ONLY=0', ''].join('\n'));
  c = await startConsole(t.dataDir, ['--env-file', envFile, '--block-time-ms', '250']);
});
test.afterAll(async () => {
  expect(await c.stop()).toBe(0);
  await cleanup();
});

const PAGES = ['overview', 'network', 'governor', 'backup', 'logs', 'settings'] as const;

for (const [w, h] of [
  [1280, 800],
  [1024, 700],
] as const) {
  test(`every page at ${w}x${h}: nothing cut, no sideways scroll`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await openReady(page, c);
    await expect.poll(async () => Number(((await page.getByTestId('topbar-height').textContent()) ?? '').replace(/\D/g, '')), { timeout: 30_000 }).toBeGreaterThan(5);
    // The sidebar: full at 1280, icons only at 1024 (the toggle expands it and collapses it again).
    const sidebar = page.getByTestId('sidebar');
    await expect(sidebar).toHaveAttribute('data-collapsed', String(w < 1100));
    const width = async () => (await sidebar.boundingBox())!.width;
    if (w < 1100) {
      expect(await width()).toBeLessThanOrEqual(64);
      await page.getByTestId('sidebar-toggle').click();
      await expect(sidebar).toHaveAttribute('data-collapsed', 'false');
      await expect.poll(width).toBeGreaterThan(200);
      await page.screenshot({ path: path.join(SCREENSHOTS, `layout-sidebar-expanded-${w}.png`) });
      await page.getByTestId('sidebar-toggle').click();
      await expect(sidebar).toHaveAttribute('data-collapsed', 'true');
      await expect.poll(width).toBeLessThanOrEqual(64);
    } else expect(await width()).toBeGreaterThan(200);
    for (const p of PAGES) {
      await page.getByTestId(`nav-${p}`).click();
      await expect(page.getByTestId(`page-${p}`)).toBeVisible();
      if (p === 'governor') await expect(page.locator('.gate').first()).toBeVisible({ timeout: 30_000 });
      await page.waitForTimeout(500); // let the page's queries answer
      // The longest choice of each settings select is the one to fit ("Stop the node and qui" was cut at 1024 px); picked, not saved.
      if (p === 'settings') await page.getByTestId('set-close_action').selectOption('quit');
      await page.screenshot({ path: path.join(SCREENSHOTS, `layout-${p}-${w}.png`) });
      expect(await cutText(page), `${p} at ${w}px`).toEqual([]);
      expect(await scrollsSideways(page), `${p} at ${w}px scrolls sideways`).toBe(false);
      if (p === 'logs') {
        const box = await page.locator('.toolbar').boundingBox();
        expect(box!.height).toBeLessThan(48);
      }
    }
  });
}
