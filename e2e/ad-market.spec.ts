// Ad Market page on a dev chain fed by the fixture generator (`contract-cli ad-market dev-feed`):
// readiness goes from blocked (all three blockers) to blocked on viewers only to ready; the three
// panels show it (blockers, presence freshness, selector competitiveness with shading and win
// rate, conversions) beside the privacy budget; an advertiser's conversion (CLI record-conversion with
// its Advertiser header) is attributed to the selector; the "readiness snapshot" export equals the
// CLI's JSON byte for byte.
// Blocks are mined on demand (dev.mine_one) so the head does not move between the CLI and the export.
import { promises as fs } from 'node:fs';
import http from 'node:http';
import { expect, test, type Page } from '@playwright/test';
import { cli, openReady, shot, startConsole, tempDataDir, type RunningConsole } from './console';

let c: RunningConsole;
let cleanup: () => Promise<void>;
test.beforeAll(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  c = await startConsole(t.dataDir, ['--block-time-ms', '600000']);
});
test.afterAll(async () => {
  expect(await c.stop()).toBe(0);
  await cleanup();
});

async function rpcUrl(page: Page): Promise<string> {
  await expect(page.getByTestId('rpc-endpoint')).toHaveText(/^127\.0\.0\.1:\d+$/);
  return `http://${(await page.getByTestId('rpc-endpoint').textContent())!}`;
}
/**
 * dev.mine_one on a fresh connection each time: the node closes idle keep-alive sockets, and a
 * reused one can be closed under the request ("other side closed") on a loaded machine.
 */
function mine(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        const j = JSON.parse(text) as { error?: unknown };
        if (j.error) reject(new Error(`dev.mine_one: ${JSON.stringify(j.error)}`));
        else resolve();
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'dev.mine_one', params: [] }));
  });
}

test('readiness goes from blocked to ready on the Ad Market page; the export equals the CLI JSON', async ({ page }) => {
  test.setTimeout(180_000);
  await openReady(page, c);
  const url = await rpcUrl(page);
  await page.getByTestId('nav-ad-market').click();
  await expect(page.getByTestId('page-ad-market')).toBeVisible();
  await expect(page.getByTestId('ad-ready-state')).toHaveText('Blocked');
  const blockers = page.getByTestId('ad-blockers');
  await expect(blockers).toContainText('insufficient_unique_viewers');
  await expect(blockers).toContainText('insufficient_host_diversity');
  await expect(blockers).toContainText('insufficient_provider_diversity');

  cli(['ad-market', 'register', '--campaign', 'examples/ad-market/campaign.json', '--rpc', url]);
  cli(['ad-market', 'dev-feed', '--viewers', '200', '--rpc', url]);
  await mine(url);
  await expect(page.getByTestId('ad-meter-viewers')).toContainText('200 / 250', { timeout: 30_000 });
  await expect(blockers).toHaveText('insufficient_unique_viewers');
  await expect(page.getByTestId('ad-ready-state')).toHaveText('Blocked');
  await shot(page, 'ad-market-blocked');

  cli(['ad-market', 'dev-feed', '--viewers', '60', '--offset', '200', '--rpc', url]);
  await mine(url);
  await expect(page.getByTestId('ad-ready-state')).toHaveText('Ready', { timeout: 30_000 });
  await expect(blockers).toHaveText('no blockers');
  await expect(page.getByTestId('ad-ready-streak')).toHaveText('1');
  await expect(page.getByTestId('ad-bucket-slots-bkt-dev')).toHaveText('8');
  const row = page.getByTestId('ad-selector-premium/travel/bkt-dev');
  await expect(row).toBeVisible();
  await expect(row.getByTestId('ad-win-rate')).not.toHaveText('0.0%');
  await expect(row.getByTestId('ad-shading')).not.toHaveText('0.0%');
  await expect(row.getByTestId('ad-selector-privacy')).toContainText('never runs out');
  await expect(page.getByTestId('ad-privacy-presence')).toBeVisible();
  await expect(page.getByTestId('ad-campaign-travel-spring')).toBeVisible();
  // The advertiser reports a conversion (its own Authorization: Advertiser header, token of the
  // example campaign): it is attributed to the travel selector and shows in both tables.
  cli(['ad-market', 'record-conversion', '--campaign', 'travel-spring', '--creative', 'beach-banner', '--advertiser', 'adv-travel-co', '--value', '12500000', '--token', 'dev-travel-token', '--rpc', url]);
  await mine(url);
  await expect(row.getByTestId('ad-conversions')).toContainText('$12.50', { timeout: 30_000 });
  await expect(page.getByTestId('ad-campaign-travel-spring').getByTestId('ad-campaign-conversions')).toHaveText('1 · $12.50');
  await page.getByTestId('ad-filter-tag').selectOption('news');
  await expect(page.getByTestId('ad-cohort-premium/news/bkt-dev')).toBeVisible();
  await expect(page.getByTestId('ad-cohort-premium/travel/bkt-dev')).toHaveCount(0);
  await page.getByTestId('ad-filter-tag').selectOption('');

  await shot(page, 'ad-market-ready');
  await page.getByTestId('ad-campaigns').scrollIntoViewIfNeeded();
  await shot(page, 'ad-market-campaigns');
  await page.getByTestId('ad-export').scrollIntoViewIfNeeded();
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'ad-market-ready-1024');
  await page.setViewportSize({ width: 1280, height: 800 });

  // The export writes what the CLI prints (same head: nothing is mined in between).
  const fromCli = cli(['ad-market', 'readiness', '--with-privacy', '--format', 'json', '--rpc', url]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('ad-export').click()]);
  const exported = await fs.readFile((await download.path())!, 'utf8');
  expect(exported).toBe(fromCli);
  expect(JSON.parse(exported)).toMatchObject({ status: 'ok', ready: true, blockers: [] });
});
