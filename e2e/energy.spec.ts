// Energy page (issue 14): register a provider from the form (an invalid stake is named inline
// first), verify and submit a reading signed with the dev oracle key (a malformed signature is
// named inline), readings with a nonce gap show in the provider's coverage, settle a credit from
// the page, and follow the reading → credit → settlement → receipt trace. Screenshots at 1280x800
// and 1024x700.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as ed from '@noble/ed25519';
import { blake3 } from '@noble/hashes/blake3.js';
import { expect, test, type Page } from '@playwright/test';
import { openReady, SCREENSHOTS, startConsole, tempDataDir, type RunningConsole } from './console';

const KEYS = path.resolve('examples/energy/oracle-keys.json');
let c: RunningConsole;
let cleanup: () => Promise<void>;
test.beforeAll(async () => {
  const t = await tempDataDir();
  cleanup = t.cleanup;
  c = await startConsole(t.dataDir, [], { TB_ENERGY_PROVIDER_KEYS_FILE: KEYS, TB_RPC_ENERGY_SUBMIT_TOKENS_PER_SEC: '0' });
});
test.afterAll(async () => {
  if (c) expect(await c.stop()).toBe(0);
  await cleanup?.();
});

async function rpcCall(addr: string, method: string, params: unknown): Promise<any> {
  const r = await fetch(`http://${addr}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = (await r.json()) as { result?: any; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

let lastTs = 0;
async function signedReading(total: number, nonce: number) {
  const m = JSON.parse(await fs.readFile(KEYS, 'utf8')).meters[0];
  const u64 = (n: number) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
    return b;
  };
  lastTs = Math.max(lastTs + 1, Math.floor(Date.now() / 1000));
  const r = { provider_id: m.provider_id, meter_address: m.meter_address, kwh_reading: total, timestamp: lastTs, nonce };
  const h = blake3.create();
  for (const p of [new TextEncoder().encode(r.provider_id), new TextEncoder().encode(r.meter_address), u64(total), u64(r.timestamp), u64(nonce)]) h.update(p);
  const sig = await ed.signAsync(h.digest(), Buffer.from(m.secret_key_hex, 'hex'));
  // meter_hash = BLAKE3(the same fields ‖ sig_len u32 LE ‖ sig)
  const k = blake3.create();
  for (const p of [new TextEncoder().encode(r.provider_id), new TextEncoder().encode(r.meter_address), u64(total), u64(r.timestamp), u64(nonce), Uint8Array.of(64, 0, 0, 0), sig]) k.update(p);
  return { reading: { ...r, signature: Buffer.from(sig).toString('hex') }, hash: Buffer.from(k.digest()).toString('hex') };
}

async function top(page: Page, name: string, size = { width: 1280, height: 800 }, anchor = 'page-energy'): Promise<void> {
  await page.setViewportSize(size);
  await page.getByTestId(anchor).scrollIntoViewIfNeeded();
  if (anchor === 'page-energy') await page.getByTestId('page-energy').evaluate((el) => el.closest('.content')?.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('register → readings → settle on the Energy page, with coverage and the trace', async ({ page }) => {
  test.setTimeout(240_000);
  await openReady(page, c);
  const rpcAddr = (await page.getByTestId('rpc-endpoint').textContent())!;
  await page.getByTestId('nav-energy').click();
  await expect(page.getByTestId('page-energy')).toBeVisible();
  await expect(page.getByTestId('energy-mode')).toContainText('Rehearsal');
  await expect(page.getByTestId('energy-keys')).toContainText('energy-0x00000000');

  // register: a stake below energy_min_stake is named inline, then fixed
  await page.getByTestId('energy-reg-meter_address').fill('meter-01');
  await page.getByTestId('energy-reg-stake').fill('10');
  await page.getByTestId('energy-register-submit').click();
  await expect(page.getByTestId('energy-reg-error-stake')).toContainText('must be at least energy_min_stake = 1000');
  await page.getByTestId('energy-reg-stake').fill('1500');
  await expect(page.getByTestId('energy-reg-error-stake')).toHaveCount(0);
  await page.getByTestId('energy-register-submit').click();
  await expect(page.getByTestId('energy-register-done')).toContainText('energy-0x00000000');
  await expect(page.getByTestId('energy-provider-energy-0x00000000')).toContainText('meter-01', { timeout: 30_000 });

  // a reading with a malformed signature: the field is named before sending
  const { reading: r1, hash: h1 } = await signedReading(250, 1);
  await page.getByTestId('energy-reading-json').fill(JSON.stringify({ ...r1, signature: 'abcd' }));
  await page.getByTestId('energy-reading-verify').click();
  await expect(page.getByTestId('energy-reading-error-signature')).toContainText('signature must be 64 bytes');
  // verify (registry key) then submit the signed reading
  await page.getByTestId('energy-reading-json').fill(JSON.stringify(r1));
  await page.getByTestId('energy-reading-verify').click();
  await expect(page.getByTestId('energy-reading-done')).toContainText('VALID: ok');
  await page.getByTestId('energy-reading-submit').click();
  await expect(page.getByTestId('energy-reading-done')).toContainText('accepted: credit 250 kWh to energy-0x00000000');
  // a replayed nonce is refused with its reason
  await page.getByTestId('energy-reading-submit').click();
  await expect(page.getByTestId('energy-reading-error')).toContainText('nonce_replay');

  // two more readings from "the oracle" with nonce 3 missing: coverage shows the gap
  await expect(page.getByTestId('energy-coverage-energy-0x00000000')).toContainText('1', { timeout: 30_000 });
  await rpcCall(rpcAddr, 'energy.submit_reading', (await signedReading(500, 2)).reading);
  await rpcCall(rpcAddr, 'energy.submit_reading', (await signedReading(800, 4)).reading);
  await expect(page.getByTestId('energy-gaps-energy-0x00000000')).toHaveText('3', { timeout: 30_000 });
  await expect(page.getByTestId('energy-pending')).toContainText('3');

  // settle 40 kWh of the first credit from the page → receipt, trace
  await page.getByTestId(`energy-settle-kwh-${h1.slice(0, 12)}`).fill('40');
  await page.getByTestId(`energy-settle-${h1.slice(0, 12)}`).click();
  await expect(page.getByTestId('energy-done')).toContainText('settle energy-0x00000000: submitted');
  await expect(page.getByTestId('energy-receipt').first()).toContainText('40 kWh · paid 1,000 · fee 25', { timeout: 30_000 });
  await page.getByTestId('energy-receipt').first().locator('button').first().click();
  await expect(page.getByTestId('energy-trace-reading')).toContainText('nonce 1, total 250 kWh');
  await expect(page.getByTestId('energy-trace-credit')).toContainText('210 kWh still pending');
  await expect(page.getByTestId('energy-trace-receipt')).toContainText('40 kWh, paid 1000, treasury fee 25 (rehearsal: no value moved)');
  await expect(page.getByTestId('energy-chart')).toHaveAttribute('data-points', '1');
  await expect(page.getByTestId('energy-traded')).toContainText('40');

  await top(page, 'energy');
  await top(page, 'energy-1024', { width: 1024, height: 700 });
  await top(page, 'energy-trace', { width: 1280, height: 800 }, 'energy-credits');
  await top(page, 'energy-forms-1024', { width: 1024, height: 700 }, 'energy-register-card');
});
