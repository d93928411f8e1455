// Wallet drawer: keys with balances, form validation messages, fee estimate, confirmation, then the
// transfer is included and the receiver's balance shows the amount.
import { expect, test } from '@playwright/test';
import { newKey, numberOf, openReady, shot, consolePerFile } from './console';

let alice: string;
const consoleOf = consolePerFile((dataDir) => {
  alice = newKey(dataDir, 'alice');
});

test('a transfer sent from the Wallet drawer appears in the receiver balance', async ({ page }) => {
  const c = consoleOf();
  await openReady(page, c);
  await page.getByTestId('open-wallet').click();
  const drawer = page.getByTestId('wallet-drawer');
  await expect(drawer).toBeVisible();
  await expect(page.getByTestId('wallet-key-faucet')).toBeVisible();
  await expect(page.getByTestId('wallet-balance-alice')).toHaveText('0');
  const faucetBefore = await numberOf(page, 'wallet-balance-faucet');
  expect(faucetBefore).toBeGreaterThan(0);
  await expect(page.getByTestId('fee-estimate')).toContainText('mempool floor');

  // Bad input gets a message next to the field as the field is left (before Review), and nothing is sent.
  await page.getByTestId('transfer-fee').fill('abc');
  await page.getByTestId('transfer-fee').blur();
  await expect(page.getByTestId('transfer-fee-error')).toBeVisible();
  await expect(page.getByTestId('transfer-to-error')).toHaveCount(0); // not left yet: no error
  await page.getByTestId('transfer-fee').fill('');
  await page.getByTestId('transfer-to').fill('tb1XYZ');
  await page.getByTestId('transfer-to').blur();
  await expect(page.getByTestId('transfer-to-error')).toContainText('tb1 followed by 40 hex digits');
  await page.getByTestId('transfer-amount').fill('2.5');
  await page.getByTestId('transfer-review').click();
  await expect(page.getByTestId('transfer-to-error')).toContainText('tb1 followed by 40 hex digits');
  await expect(page.getByTestId('transfer-amount-error')).toContainText('decimal integer');
  await expect(page.getByTestId('transfer-confirm')).toHaveCount(0);
  await page.getByTestId('transfer-amount').fill(String(faucetBefore + 1));
  await page.getByTestId('transfer-to').fill(alice);
  await expect(page.getByTestId('transfer-to-error')).toHaveCount(0);
  await expect(page.getByTestId('transfer-amount-error')).toContainText('more than the balance');
  await shot(page, 'wallet-validation');

  await page.getByTestId('transfer-amount').fill('25');
  await expect(page.getByTestId('transfer-amount-error')).toHaveCount(0);
  await page.getByTestId('transfer-review').click();
  await expect(page.getByTestId('transfer-confirm')).toBeVisible();
  await expect(page.getByTestId('confirm-to')).toHaveText(alice);
  await expect(page.getByTestId('confirm-amount')).toHaveText('25');
  await shot(page, 'wallet-confirm');

  await page.getByTestId('transfer-confirm-send').click();
  await expect(page.getByTestId('transfer-result')).toBeVisible();
  await expect(page.getByTestId('transfer-status')).toHaveText('included');
  await expect(page.getByTestId('transfer-height')).toHaveText(/in block #\d+/);
  await expect(page.getByTestId('receiver-balance')).toHaveText('25');
  await expect(page.getByTestId('wallet-balance-alice')).toHaveText('25');
  await shot(page, 'wallet-sent');

  // An error from the node is shown in place with its reason: alice cannot pay more than she has.
  await page.getByTestId('transfer-new').click();
  await page.getByTestId('transfer-from').selectOption('alice');
  await page.getByTestId('transfer-to').fill(alice);
  await page.getByTestId('transfer-amount').fill('1');
  await page.getByTestId('transfer-fee').fill('0');
  await page.getByTestId('transfer-review').click();
  await expect(page.getByTestId('transfer-fee-error')).toContainText('at least the mempool floor');
});
