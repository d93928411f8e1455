// Regression tests of the console bugs listed in #19, each of which this spec would have caught,
// plus the wallet's create / receive / history, in Chromium against console server mode (dev node).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { consolePerFile, numberOf, openReady, shot } from './console';

test.describe.configure({ mode: 'serial' });
const consoleOf = consolePerFile();

async function nav(page: Page, to: string): Promise<void> {
  await page.getByTestId(`nav-${to}`).click();
  await expect(page.getByTestId(`page-${to}`)).toBeVisible();
}

/** JSON-RPC straight to the node's HTTP port (shown on the Overview). */
const endpoints = new WeakMap<Page, string>();
async function rpc(page: Page, method: string, params: unknown): Promise<any> {
  let ep = endpoints.get(page);
  if (!ep) {
    await expect(page.getByTestId('rpc-endpoint')).toHaveText(/127\.0\.0\.1:\d+/);
    ep = (await page.getByTestId('rpc-endpoint').textContent())!;
    endpoints.set(page, ep);
  }
  const r = await page.request.post(`http://${ep}`, { data: { jsonrpc: '2.0', id: 1, method, params } });
  const body = await r.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** Seconds in "5 min 2 s" / "12 s". */
function seconds(t: string): number {
  const m = /(?:(\d+) min )?(\d+) s/.exec(t);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2]) : NaN;
}

test('Overview uptime is current after visiting another page', async ({ page }) => {
  await openReady(page, consoleOf());
  await expect(page.getByTestId('node-uptime')).toHaveText(/\d+ s/);
  const before = seconds((await page.getByTestId('node-uptime').textContent())!);
  await nav(page, 'logs');
  await page.waitForTimeout(6_000); // the time that passes while the operator reads another page
  await nav(page, 'overview');
  await expect.poll(async () => seconds((await page.getByTestId('node-uptime').textContent()) ?? ''), { timeout: 10_000 }).toBeGreaterThanOrEqual(before + 6);
});

test('the Overview mempool goes back to 0 once the transfer is included', async ({ page }) => {
  await openReady(page, consoleOf());
  const alice = 'tb1' + 'a1'.repeat(20);
  const t = await rpc(page, 'wallet.transfer', { from: 'faucet', to: alice, amount: '3' });
  await expect.poll(async () => (await rpc(page, 'tx.status', [t.hash])).status, { timeout: 30_000 }).toBe('included');
  await expect(page.getByTestId('mempool-size')).toHaveText('0', { timeout: 30_000 });
});

test('Log file and crash output: formatted lines, opened at the newest', async ({ page }) => {
  await openReady(page, consoleOf());
  // Enough log lines for the tail to overflow its box (one line per block): a quiet machine gets here
  // within two seconds of the start, with only ~20 lines written.
  await expect.poll(async () => (await rpc(page, 'chain.tip', [])).height, { timeout: 90_000 }).toBeGreaterThan(30);
  await nav(page, 'logs');
  await page.getByTestId('logs-open-file').click();
  const tail = page.getByTestId('log-file-tail');
  await expect(tail).toBeVisible();
  const text = (await tail.textContent())!;
  const lines = text.split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(20);
  for (const l of lines) expect(l.startsWith('{')).toBe(false);
  expect(lines.at(-1)).toMatch(/^\d\d:\d\d:\d\d\.\d{3} (info|warn|error|debug)/);
  const pos = await tail.evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
  expect(pos.max).toBeGreaterThan(0);
  expect(pos.top).toBeGreaterThanOrEqual(pos.max - 2);
  await shot(page, 'bugs-log-file');
});

test('restore: clicking a row selects it; the confirm step follows the live height', async ({ page }) => {
  test.setTimeout(120_000);
  const c = consoleOf();
  await openReady(page, c);
  const backups = path.join(path.dirname(c.dataDir), 'bugs backups');
  const job = await rpc(page, 'snapshots.create', { path: backups, origin: 'rpc' });
  await expect.poll(async () => (await rpc(page, 'snapshots.job', [job.job_id])).state, { timeout: 60_000 }).toBe('done');
  const id = (await fs.readdir(backups)).find((f) => !f.startsWith('.'))!;
  await nav(page, 'backup');
  await page.getByTestId('tab-restore').click();
  await page.getByTestId('restore-folder-input').fill(backups);
  const row = page.getByTestId(`snapshot-${id}`);
  await row.locator('td').nth(1).click(); // the id cell, not the radio
  await expect(page.getByTestId(`pick-${id}`)).toBeChecked();
  await expect(row).toHaveAttribute('aria-selected', 'true');
  await shot(page, 'bugs-restore-row-picked');
  await page.getByTestId('restore-next').click();
  for (const check of ['manifest', 'network', 'checksums']) await expect(page.getByTestId(`check-${check}`)).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
  await page.getByTestId('restore-next').click();
  const h0 = await numberOf(page, 'restore-confirm-height');
  await expect.poll(() => numberOf(page, 'restore-confirm-height'), { timeout: 20_000 }).toBeGreaterThan(h0 + 1);
});

test('backup Include step: sizes asked again when entered', async ({ page }) => {
  test.setTimeout(90_000);
  const c = consoleOf();
  await openReady(page, c);
  const before = await rpc(page, 'snapshots.subsystems', []);
  await nav(page, 'backup');
  await page.getByTestId('backup-dest-input').fill(path.join(path.dirname(c.dataDir), 'sizes ü'));
  await page.getByTestId('backup-next').click();
  const cell = page.getByTestId('include-chain').locator('td.num').last();
  await expect(cell).toHaveText(/\d/);
  // Grow the chain's files: a burst of transfers, then leave and come back.
  const chainBefore = before.subsystems.find((s: { id: string }) => s.id === 'chain').bytes as number;
  await nav(page, 'overview');
  for (let i = 0; i < 15; i++) await rpc(page, 'wallet.transfer', { from: 'faucet', to: 'tb1' + 'b2'.repeat(20), amount: '1' });
  await expect.poll(async () => (await rpc(page, 'snapshots.subsystems', [])).subsystems.find((s: { id: string }) => s.id === 'chain').bytes as number, { timeout: 30_000 }).toBeGreaterThan(chainBefore);
  const now = (await rpc(page, 'snapshots.subsystems', [])).subsystems.find((s: { id: string }) => s.id === 'chain').bytes as number;
  await nav(page, 'backup');
  await page.getByTestId('backup-next').click();
  // The size shown becomes at least the one just measured, not the one of the first visit. The
  // step is asked again on entry (refetchOnMount 'always') and shows the cached sizes until the
  // answer is back: read once right after the click, this raced that answer on a loaded machine.
  const shownBytes = async () => {
    const m = /([\d.]+) (B|KiB|MiB|GiB)/.exec((await cell.allTextContents()).join(''));
    return m ? Number(m[1]) * { B: 1, KiB: 1024, MiB: 2 ** 20, GiB: 2 ** 30 }[m[2] as 'B']! : NaN;
  };
  await expect.poll(shownBytes, { timeout: 30_000 }).toBeGreaterThanOrEqual(now * 0.95);
});

test('wallet: create a key, receive (address, copy, QR), history in and out', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openReady(page, consoleOf());
  await page.getByTestId('open-wallet').click();
  await page.getByTestId('wallet-new-name').fill('carol');
  await page.getByTestId('wallet-create').click();
  await expect(page.getByTestId('wallet-key-carol')).toBeVisible();
  await expect(page.getByTestId('wallet-key-carol')).toHaveClass(/key--selected/);
  const addr = (await page.getByTestId('wallet-address').textContent())!;
  expect(addr).toMatch(/^tb1[0-9a-f]{40}$/);
  await expect(page.getByTestId('wallet-qr')).toBeVisible();
  expect(await page.getByTestId('wallet-qr').evaluate((i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(50);
  await page.getByTestId('wallet-copy').click();
  await expect(page.getByTestId('wallet-copy')).toHaveText('Copied');
  expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as Promise<string>)).toBe(addr);
  await expect(page.getByTestId('wallet-history')).toContainText('No transfers');
  await shot(page, 'wallet-receive');

  // Duplicate names are refused in place.
  await page.getByTestId('wallet-new-name').fill('carol');
  await expect(page.getByTestId('wallet-create')).toBeDisabled();
  await page.getByTestId('wallet-new-name').fill('');

  // Faucet → carol: an "out" row for the faucet, an "in" row for carol.
  await page.getByTestId('wallet-key-faucet').click();
  await page.getByTestId('transfer-to').fill(addr);
  await page.getByTestId('transfer-amount').fill('40');
  await page.getByTestId('transfer-review').click();
  await page.getByTestId('transfer-confirm-send').click();
  await expect(page.getByTestId('transfer-status')).toHaveText('included', { timeout: 30_000 });
  await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-direction', 'out', { timeout: 15_000 });
  await page.getByTestId('wallet-key-carol').click();
  await expect(page.getByTestId('history-row')).toHaveCount(1, { timeout: 15_000 });
  await expect(page.getByTestId('history-row').first()).toHaveAttribute('data-direction', 'in');
  await expect(page.getByTestId('history-amount').first()).toHaveText('+40');
  await shot(page, 'wallet-history');
  await page.setViewportSize({ width: 1024, height: 700 });
  await shot(page, 'wallet-history-1024');
  await page.setViewportSize({ width: 1280, height: 800 });
});

test('"Access refused": pasting a fresh console URL into the tab connects', async ({ page }) => {
  const c = consoleOf();
  await page.goto(`${c.origin}/#token=${'cd'.repeat(32)}`);
  await expect(page.getByTestId('connection-banner')).toHaveAttribute('data-state', 'refused');
  // Same page, only the fragment changes (what pasting the printed URL does).
  await page.goto(c.url);
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 30_000 });
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);
});

test('restart countdown: never more than the backoff (was "restarting in 501 s")', async ({ page }) => {
  test.setTimeout(120_000);
  await openReady(page, consoleOf());
  // The page has been open a while before the crash: a clock read once at mount shows here.
  await page.waitForTimeout(8_000);
  await page.evaluate(() => {
    const g = globalThis as any;
    const seen: string[] = [];
    g.__seen = seen;
    new g.MutationObserver(() => {
      const t = g.document.querySelector('[data-testid="node-phase-detail"]')?.textContent as string | undefined;
      if (t && t.startsWith('restarting in')) seen.push(t);
    }).observe(g.document.body, { subtree: true, childList: true, characterData: true });
  });
  await expect(page.getByTestId('node-pid')).toHaveText(/^pid \d+$/);
  const pid = await numberOf(page, 'node-pid');
  process.kill(pid, 'SIGKILL');
  await expect(page.getByTestId('crash-banner')).toBeVisible();
  await expect(page.getByTestId('node-phase')).toHaveText('ready', { timeout: 60_000 });
  const seen = await page.evaluate(() => (globalThis as any).__seen as string[]);
  for (const t of seen) expect(Number(/(\d+) s/.exec(t)![1])).toBeLessThanOrEqual(2);
  // "Last output": the node's last words as readable lines, at the newest.
  await expect(page.getByTestId('crash-toggle-lines')).toBeVisible();
  await page.getByTestId('crash-toggle-lines').click();
  const lines = ((await page.getByTestId('crash-lines').textContent()) ?? '').split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l.startsWith('{')).toBe(false);
  const pos = await page.getByTestId('crash-lines').evaluate((el) => ({ top: el.scrollTop, max: el.scrollHeight - el.clientHeight }));
  expect(pos.top).toBeGreaterThanOrEqual(pos.max - 2);
  await shot(page, 'bugs-crash-last-output');
});
