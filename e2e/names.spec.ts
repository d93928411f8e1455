// Names page (issue 16): publish a TXT record, list a name, stake and bid from a second key, see the
// auction by phase with its countdown and "my bids" saying what each needs; a too-low bid shows the
// spec error; after the end the page asks the winner to complete, then to publish its record, then
// to withdraw the stake — each done from the page. Screenshots at 1280x800 and 1024x700.
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { consolePerFile, newKey, openReady, SCREENSHOTS } from './console';

let bob: string;
const consoleOf = consolePerFile((dataDir) => {
  bob = newKey(dataDir, 'bob');
});

async function rpcCall(addr: string, token: string, method: string, params: unknown): Promise<any> {
  const r = await fetch(`http://${addr}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = (await r.json()) as { result?: any; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

/** Screenshot with the page scrolled to the top. */
async function top(page: Page, name: string, size = { width: 1280, height: 800 }): Promise<void> {
  await page.setViewportSize(size);
  await page.getByTestId('page-names').evaluate((el) => el.closest('.content')?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

async function act(page: Page, o: { key?: string; domain?: string; amount?: string; stakeRef?: string; blocks?: string }, button: string): Promise<void> {
  if (o.key) await page.getByTestId('names-key').selectOption(o.key);
  if (o.domain !== undefined) await page.getByTestId('names-domain').fill(o.domain);
  if (o.amount !== undefined) await page.getByTestId('names-amount').fill(o.amount);
  if (o.stakeRef !== undefined) await page.getByTestId('names-stake-ref').fill(o.stakeRef);
  if (o.blocks !== undefined) await page.getByTestId('names-blocks').fill(o.blocks);
  await page.getByTestId(button).click();
}

test('an auction worked from the Names page, with every pending action shown', async ({ page }) => {
  test.setTimeout(180_000);
  const c = consoleOf();
  await openReady(page, c);
  await expect(page.getByTestId('rpc-endpoint')).toHaveText(/^127\.0\.0\.1:\d+$/);
  const rpcAddr = (await page.getByTestId('rpc-endpoint').textContent())!;
  await rpcCall(rpcAddr, c.token, 'wallet.transfer', { from: 'faucet', to: bob, amount: '1000' });

  await page.getByTestId('nav-names').click();
  await expect(page.getByTestId('page-names')).toBeVisible();
  await expect(page.getByTestId('names-mode')).toHaveText('Inactive');

  await act(page, { key: 'faucet', domain: 'shop.block' }, 'names-publish');
  await expect(page.getByTestId('names-done')).toContainText('publish shop.block: submitted');
  await expect(page.getByTestId('my-names-row')).toContainText('verified', { timeout: 30_000 });
  await expect(page.getByTestId('txt-shop.block')).toHaveText(/^tb-domain=shop\.block;pubkey=[0-9a-f]{64};sig=[0-9a-f]{128}$/);
  await act(page, { amount: '100', blocks: '60' }, 'names-list');
  const auction = page.getByTestId('phase-bidding').getByTestId('auction-shop.block');
  await expect(auction).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('countdown-shop.block')).toHaveText(/^\d+ blk · (\d+m \d\ds|\d+s)$/);

  await act(page, { key: 'bob', amount: '50', stakeRef: 'bob-k' }, 'names-stake');
  await expect(page.getByTestId('my-stakes-row')).toContainText('unlocked', { timeout: 30_000 });
  await act(page, { domain: 'shop.block', amount: '100' }, 'names-bid');
  await expect(page.getByTestId('names-error')).toContainText('BidTooLow');
  await act(page, { amount: '150' }, 'names-bid');
  await expect(page.getByTestId('my-bids-row')).toContainText('leading with 150', { timeout: 30_000 });
  await expect(page.getByTestId('my-stakes-row')).toContainText('locked on shop.block');
  await expect(auction).toContainText('highest 150');
  await top(page, 'names-bidding');
  await top(page, 'names-bidding-1024', { width: 1024, height: 700 });

  // Past the end: the page says the winner must complete the sale (and the inbox counts it).
  const tip = await rpcCall(rpcAddr, c.token, 'chain.tip', []);
  const end = (await rpcCall(rpcAddr, c.token, 'dns.auctions', ['shop.block'])).auctions[0].end_height;
  for (let h = tip.height; h <= end; h++) await rpcCall(rpcAddr, c.token, 'dev.mine_one', []);
  await expect(page.getByTestId('phase-ended').getByTestId('auction-shop.block')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('my-bids-row')).toContainText('won at 150: complete the sale');
  await expect(page.getByTestId('names-todo')).not.toHaveText('0');
  await top(page, 'names-ended');
  await page.getByTestId('my-bids-do-complete-shop.block').click();
  await expect(page.getByTestId('phase-completed').getByTestId('auction-shop.block')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('my-bids-row')).toContainText('bought: publish a TXT record');
  await page.getByTestId('my-bids-do-publish-shop.block').click();
  await expect(page.getByTestId('my-bids-row')).toContainText('bought and verified', { timeout: 30_000 });
  await page.getByTestId('my-stakes-do-withdraw-bob-k').click();
  await expect(page.getByTestId('my-stakes-row')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('names-sales')).toHaveText('1');
  await top(page, 'names-completed');
});

// The "Act" form checks each field as it is left, in the operator's words, and keeps the buttons
// that would send a bad value disabled (every button was enabled, and the node answered one raw
// "invalid params | min_bid must be … | duration_blocks Too small" block after submit).
test('the Names form says what is wrong next to each field and sends nothing bad', async ({ page }) => {
  const c = consoleOf();
  await openReady(page, c);
  await page.getByTestId('nav-names').click();
  await expect(page.getByTestId('page-names')).toBeVisible();
  const leave = async (testId: string, value: string) => {
    await page.getByTestId(testId).fill(value);
    await page.getByTestId(testId).blur();
  };
  const buttons = ['names-publish', 'names-list', 'names-stake', 'names-bid', 'names-cancel'];
  for (const [domain, msg] of [
    ['-alice.block', 'cannot start or end with -'],
    ['ünï.block', 'Only a–z, 0–9 and -'],
    ['ALICE.block', 'lowercase: alice.block'],
    ['.block', 'Type the name before .block'],
    [`${'a'.repeat(64)}.block`, 'at most 63 characters (this has 64)'],
  ]) {
    await leave('names-domain', domain);
    await expect(page.getByTestId('names-domain-error')).toContainText(msg);
    await expect(page.getByTestId('names-domain')).toHaveAttribute('aria-invalid', 'true');
    for (const b of ['names-publish', 'names-cancel']) await expect(page.getByTestId(b)).toBeDisabled();
  }
  await leave('names-domain', 'alice.block');
  await expect(page.getByTestId('names-domain-error')).toHaveCount(0);
  await expect(page.getByTestId('names-publish')).toBeEnabled();

  for (const amount of ['-5', '99999999999999999999999']) {
    await leave('names-amount', amount);
    await expect(page.getByTestId('names-amount-error')).toContainText(/whole number of base units|beyond the largest possible amount/);
    for (const b of ['names-list', 'names-stake', 'names-bid']) await expect(page.getByTestId(b)).toBeDisabled();
  }
  await leave('names-amount', '100');
  await leave('names-stake-ref', 'st 1');
  await expect(page.getByTestId('names-stake-ref-error')).toContainText('1–64 of a–z, 0–9, _ and -');
  for (const b of ['names-stake', 'names-bid']) await expect(page.getByTestId(b)).toBeDisabled();
  await expect(page.getByTestId('names-list')).toBeEnabled();
  await leave('names-blocks', '');
  await expect(page.getByTestId('names-blocks-error')).toHaveText('Enter the auction length in blocks (1 to 1,000,000).');
  await expect(page.getByTestId('names-list')).toBeDisabled();
  await page.getByTestId('names-act').scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, 'names-form-errors.png') });

  await leave('names-stake-ref', 'st-1');
  await leave('names-blocks', '30');
  for (const t of ['names-domain', 'names-amount', 'names-stake-ref', 'names-blocks']) await expect(page.getByTestId(`${t}-error`)).toHaveCount(0);
  for (const b of buttons) await expect(page.getByTestId(b)).toBeEnabled();
  // Nothing was sent: no outcome, no refusal.
  await expect(page.getByTestId('names-error')).toHaveCount(0);
  await expect(page.getByTestId('names-done')).toHaveCount(0);
});
