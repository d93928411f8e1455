// Governor page: with a short window on a 100 ms dev chain (epoch 12 s, streak 6 × 2 s), the
// operational gate enters Active from real chain signals; the page raises an in-app notification,
// shows the transition on the timeline, the pending intent with its apply epoch, the decision's
// snapshot JSON and hash, and a valid signature checked by the node AND in the renderer; the
// patch comes into force at epoch_apply; a tampered decision file shows "invalid" twice.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openReady, SCREENSHOTS, shot, startConsole, tempDataDir, type RunningConsole } from './console';

/** Whole Governor page in one picture: a tall viewport, scrolled to the top. */
async function pageShot(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 1900 });
  await page.getByTestId('page-governor').evaluate((el) => el.closest('.content')?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

let c: RunningConsole;
let cleanup: () => Promise<void>;

test.beforeAll(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  // Governor settings have no flags (env / .env / node.toml, as in the operations guide): a .env file.
  const envFile = path.join(path.dirname(t.dataDir), 'governor.env');
  await fs.writeFile(
    envFile,
    ['TB_GOVERNOR_ENABLED=1', 'TB_GOVERNOR_WINDOW_SECS=2', 'TB_GOVERNOR_SHADOW_ONLY=0', 'TB_GOVERNOR_SIGN=1', `TB_NODE_KEY_HEX=${'5a'.repeat(32)}`, ''].join('\n'),
  );
  c = await startConsole(t.dataDir, ['--env-file', envFile, '--block-time-ms', '100']);
});
test.afterAll(async () => {
  expect(await c.stop()).toBe(0);
  await cleanup();
});

test('the operational gate enters Active; the page shows the transition and a valid signature', async ({ page }) => {
  test.setTimeout(120_000);
  await openReady(page, c);
  await page.getByTestId('nav-governor').click();
  await expect(page.getByTestId('page-governor')).toBeVisible();
  await expect(page.getByTestId('gov-required')).toHaveText('6');
  await expect(page.getByTestId('gate-state-operational')).toHaveText('inactive');
  // Gates without a source say so, naming it (no invented numbers).
  // naming reads the .block registry: it waits for registry activity (issue 16)
  await expect(page.getByTestId('gate-signal-naming')).toHaveText(/waiting for data/);
  // energy reads the energy market module: it waits for providers and settlements (issue 14)
  await expect(page.getByTestId('gate-signal-energy')).toHaveText(/waiting for data/);
  await expect(page.getByTestId('gate-enter-operational')).toHaveText(/^[1-5]\/6$/, { timeout: 30_000 });
  await shot(page, 'governor-warming');

  // The transition: an in-app notification, the gate card, the timeline, the pending intent.
  const toast = page.getByTestId('governor-toast');
  await expect(toast).toContainText('operational: inactive → active', { timeout: 60_000 });
  await expect(page.getByTestId('gate-state-operational')).toHaveText('active');
  await expect(page.getByTestId('governor-timeline')).toHaveAttribute('data-points', '1');
  const row = page.locator('[data-testid^="decision-operational-"]');
  await expect(row).toHaveCount(1);
  const id = ((await row.getAttribute('data-testid')) ?? '').replace('decision-', '');
  const apply = page.getByTestId(`pending-apply-${id}`);
  await expect(apply).toHaveText(/^\d+$/);
  const epochApply = Number(await apply.textContent());

  // Decision detail: snapshot JSON, hash computed by the node and by the console, both signature checks.
  await row.click();
  await expect(page.getByTestId('decision-detail')).toHaveAttribute('data-intent', id);
  await expect(page.getByTestId('snapshot-json')).toContainText('"gate": "operational"');
  await expect(page.getByTestId('sig-node')).toHaveText('valid');
  await expect(page.getByTestId('sig-renderer')).toHaveText('valid');
  const nodeHash = await page.getByTestId('snapshot-hash').textContent();
  await expect(page.getByTestId('snapshot-hash-local')).toHaveText(nodeHash!);
  await pageShot(page, 'governor');

  // At epoch_apply the chain applies the intent: the patch is in force and the intent is applied.
  await expect(page.getByTestId('params-in-force')).toContainText('"operational":true', { timeout: 60_000 });
  await expect(page.getByTestId(`decision-${id}`)).toContainText('applied');
  await expect(page.getByTestId(`pending-${id}`)).toHaveCount(0);
  await pageShot(page, 'governor-applied');

  // Tamper with the decision file on disk: both checks say invalid.
  const file = path.join(c.dataDir, 'governor', 'decisions', `epoch-${epochApply}.json`);
  await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('"operational":true', '"operational":false'));
  await page.reload();
  await expect(page.getByTestId('node-phase')).toHaveText('ready');
  await page.getByTestId('nav-governor').click();
  await page.getByTestId(`decision-${id}`).click();
  await expect(page.getByTestId('sig-node')).toHaveText('invalid');
  await expect(page.getByTestId('sig-renderer')).toHaveText('invalid');
  await expect(page.getByTestId('snapshot-hash-local')).not.toHaveText(nodeHash!);
  await pageShot(page, 'governor-tampered');
});
