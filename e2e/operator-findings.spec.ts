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
  // A malformed name never reaches the node now (the form says so under the field, the buttons wait);
  // a well-formed one the node refuses shows its refusal under the buttons.
  await page.getByTestId('names-domain').fill('ÄÖ..block');
  await page.getByTestId('names-domain').blur();
  await expect(page.getByTestId('names-domain-error')).toBeVisible();
  await expect(page.getByTestId('names-publish')).toBeDisabled();
  await page.getByTestId('names-domain').fill('never-listed.block');
  await page.getByTestId('names-cancel').click();
  const err = page.getByTestId('names-act').getByTestId('names-error');
  await expect(err).toContainText('is not listed');
  await expect(err).toBeInViewport();
  await shot(page, 'operator-names-error-1024');
});

// F14 / F13: with dev alone the Network page says no public testnet is built in and what to do;
// a damaged invite is refused with "copy it again", not JSON.parse's text.
test('network page: no built-in testnet note, and a damaged invite says copy it again', async ({ page }) => {
  await openReady(page, running());
  await page.getByTestId('nav-network').click();
  await expect(page.getByTestId('no-testnet-note')).toContainText('No public testnet is built in');
  await page.getByTestId('import-network').locator('summary').click();
  await page.getByTestId('import-text').fill('tb-invite:garbage');
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('import-network')).toContainText('this invite is damaged or cut short — copy it again');
  await expect(page.getByTestId('import-network')).not.toContainText('JSON');
  await shot(page, 'operator-network-empty-invite');
});

// F1: a snapshot job started elsewhere (here over JSON-RPC) is shown on the Backup page with a
// Cancel button. The job is held deterministically: its manifest.json is a FIFO, so reading it
// waits until the test writes to it.
test('backup page: a job started elsewhere is listed with Cancel, and goes away when it ends', async ({ page }) => {
  const { execFileSync } = await import('node:child_process');
  const fs = await import('node:fs/promises');
  const os = await import('node:os');
  const path = await import('node:path');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-e2e-fifo-'));
  const snap = path.join(dir, 'held snapshot');
  await fs.mkdir(snap);
  execFileSync('mkfifo', [path.join(snap, 'manifest.json')]);
  try {
    await openReady(page, running());
    await expect(page.getByTestId('rpc-endpoint')).toHaveText(/^127\.0\.0\.1:\d+$/);
    const rpcAddr = (await page.getByTestId('rpc-endpoint').textContent())!;
    const r = await fetch(`http://${rpcAddr}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'snapshots.verify', params: { path: snap } }) });
    expect(((await r.json()) as { result: { job_id: string } }).result.job_id).toMatch(/^verify-/);
    await page.getByTestId('nav-backup').click();
    const job = page.getByTestId('running-job');
    await expect(job).toContainText('verification of');
    await expect(job).toContainText('held snapshot');
    await shot(page, 'operator-backup-running-job');
    await page.getByTestId('running-job-cancel').click();
    // Release the held read: the job ends (cancelled or failed) and leaves the list.
    await fs.writeFile(path.join(snap, 'manifest.json'), 'x');
    await expect(page.getByTestId('running-jobs')).toHaveCount(0);
    await expect(page.getByTestId('backup-wizard')).toBeVisible();
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
