/**
 * The energy market on an in-process dev node (issue 14): readings signed by an INDEPENDENT
 * signer (@noble/ed25519 + @noble/hashes blake3, the reference byte layout — nothing of ours)
 * are accepted; every validation error answers its own `data.reason` and spec code; rehearsal
 * records settlements but moves no value; after the dev trade vote, settlement moves price × kWh
 * with the treasury fee (integers, the sum of every balance unchanged) and a lost dispute slashes
 * the escrowed stake into the treasury; keys rotate and are revoked without a restart (RPC, file
 * watch, SIGHUP); the energy_market store holds the state; a from-genesis replay reproduces it.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ed from '@noble/ed25519';
import { blake3 } from '@noble/hashes/blake3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayFromGenesis } from '../../../src/node-core/chain/replay.js';
import { decodeCanonical } from '../../../src/node-core/codec/canonical.js';
import { loadConfig } from '../../../src/node-core/node-config.js';
import { decodeEnergy } from '../../../src/node-core/energy/state.js';
import { ENERGY_ESCROW } from '../../../src/node-core/energy/index.js';
import { chainModulesOf } from '../../../src/node-core/modules/index.js';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { Node } from '../../../src/node-core/node.js';
import { SimpleDb } from '../../../src/node-core/storage/simpledb.js';
import { TREASURY_ADDRESS } from '../../../src/node-core/treasury/index.js';
import { rpc, removeTemp, tempDir } from '../node/helpers.js';

let dir: string;
let root: string;
let node: Node | undefined;
let port: number;
let keysFile: string;
let nodeConfig: ReturnType<typeof loadConfig>['config'];

async function call(method: string, params: unknown = []): Promise<any> {
  const r = await rpc(port, method, params);
  if (r.error) throw Object.assign(new Error(`${method}: ${r.error.message}`), { rpc: r.error });
  return r.result;
}
const err = async (method: string, params: unknown): Promise<any> => (await rpc(port, method, params)).error;
const mine = async (n = 1) => {
  for (let i = 0; i < n; i++) await call('dev.mine_one');
};
const bal = async (a: string): Promise<bigint> => BigInt((await call('account.get', [a])).balance);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Independent signer: the reference layout written out here, not imported from the node. */
function u64le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
async function signed(secret: Uint8Array, r: { provider_id: string; meter_address: string; kwh_reading: number; timestamp: number; nonce: number }) {
  const te = new TextEncoder();
  const h = blake3.create();
  for (const part of [te.encode(r.provider_id), te.encode(r.meter_address), u64le(r.kwh_reading), u64le(r.timestamp), u64le(r.nonce)]) h.update(part);
  return { ...r, signature: hex(await ed.signAsync(h.digest(), secret)) };
}
const now = () => Math.floor(Date.now() / 1000);
/** Reading times strictly increase (several readings may fall in one second). */
let lastTs = 0;
const nextTs = () => (lastTs = Math.max(lastTs + 1, now()));

const k1 = ed.utils.randomSecretKey();
const k2 = ed.utils.randomSecretKey();
const k3 = ed.utils.randomSecretKey();
const P0 = 'energy-0x00000000';
const P1 = 'energy-0x00000001';

beforeAll(async () => {
  for (const c of ['READ', 'SUBMIT', 'SETTLE', 'DISPUTE']) process.env[`TB_RPC_ENERGY_${c}_TOKENS_PER_SEC`] = '0';
  dir = await tempDir('tb-energy');
  root = path.join(dir, 'node');
  keysFile = path.join(root, 'energy', 'provider_keys.json');
  const { config } = loadConfig({
    cwd: os.tmpdir(),
    env: { TB_ENERGY_DEV_TRADE: '1', TB_ENERGY: JSON.stringify({ provider_keys: [{ provider_id: P0, public_key_hex: hex(await ed.getPublicKeyAsync(k1)) }] }) },
    flags: { data_dir: root, rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: '600000', log_level: 'warn', rpc_tokens_per_sec: '10000' },
  });
  nodeConfig = config;
  node = await Node.start(config, { stdout: false });
  port = node.rpcPort!;
}, 60_000);
afterAll(async () => {
  await node?.stop();
  await removeTemp(dir);
});

describe('energy market on a dev node', () => {
  let hash0: string;
  let nonce = 0;
  let total = 0;
  const reading = async (o: Partial<{ kwh: number; ts: number; nonce: number; meter: string; provider: string; key: Uint8Array }> = {}) =>
    signed(o.key ?? k1, { provider_id: o.provider ?? P0, meter_address: o.meter ?? 'meter-01', kwh_reading: o.kwh ?? total, timestamp: o.ts ?? nextTs(), nonce: o.nonce ?? nonce });

  it('rehearsal: register, an independently signed reading is credited, settlement is recorded and moves nothing', async () => {
    expect((await call('energy.market_state')).governance.market_mode).toBe('rehearsal');
    const r = await call('energy.register_provider', { capacity_kwh: 500, price_per_kwh: 25, meter_address: 'meter-01', jurisdiction: 'US_CA', stake: 1500 });
    expect(r).toMatchObject({ status: 'pending', provider_id: P0 });
    await mine();
    nonce = 1;
    total = 120;
    const s = await call('energy.submit_reading', await reading());
    expect(s.credit).toMatchObject({ provider: P0, amount_kwh: 120 });
    hash0 = s.credit.meter_hash;
    await mine();
    const m = await call('energy.market_state');
    expect(m.providers[0]).toMatchObject({ provider_id: P0, staked_balance: 1500, escrowed: false, readings: 1, last_meter_value: 120, status: 'active' });
    expect(m.credits).toEqual([expect.objectContaining({ provider: P0, amount_kwh: 120, meter_hash: hash0 })]);
    const before = await bal(TREASURY_ADDRESS);
    await call('energy.settle', { provider_id: P0, kwh_consumed: 40, meter_hash: hash0 });
    await mine();
    const after = await call('energy.market_state');
    expect(after.receipts).toEqual([expect.objectContaining({ seller: P0, kwh_delivered: 40, price_paid: 1000, treasury_fee: 25, trade: false, meter_hash: hash0 })]);
    expect(after.credits[0].amount_kwh).toBe(80);
    expect(await bal(TREASURY_ADDRESS)).toBe(before);
    // update: capacity caps what is available (40 kWh already delivered)
    await call('energy.update_provider', { provider_id: P0, capacity_kwh: 100, price_per_kwh: 30 });
    await mine();
    expect((await call('energy.market_state', [P0])).providers[0]).toMatchObject({ capacity_kwh: 100, available_kwh: 60, price_per_kwh: 30 });
    const none = await err('energy.update_provider', { provider_id: P0 });
    expect([none.code, none.data.issues[0].path]).toEqual([-32602, ['capacity_kwh']]);
  });

  it('every validation error has its own reason and spec code; bad params name the field', async () => {
    const e = async (r: unknown) => {
      const x = await err('energy.submit_reading', r);
      return [x?.code, x?.data?.reason];
    };
    nonce++;
    total += 10;
    expect(await e(await reading({ provider: 'energy-0x000000ff' }))).toEqual([-33006, 'unknown_provider']);
    expect(await e(await reading({ meter: 'meter-99' }))).toEqual([-33003, 'unknown_meter']);
    expect(await e(await reading({ key: k2 }))).toEqual([-33001, 'signature_invalid']);
    expect(await e(await reading({ ts: now() + 400 }))).toEqual([-33008, 'future_timestamp']);
    expect(await e(await reading({ ts: now() - 400 }))).toEqual([-33008, 'stale_timestamp']);
    expect(await e(await reading({ ts: now() - 60 }))).toEqual([-33008, 'oracle_timeout']);
    expect(await e(await reading({ nonce: 1 }))).toEqual([-33007, 'nonce_replay']);
    expect(await e(await reading({ ts: (await call('energy.market_state')).providers[0].last_meter_timestamp }))).toEqual([-33003, 'stale_reading']);
    expect(await e(await reading({ kwh: 100 }))).toEqual([-33003, 'non_monotonic_total']);
    const bad = await err('energy.submit_reading', { ...(await reading()), signature: 'ab' });
    expect(bad.code).toBe(-32602);
    expect(bad.data.issues[0].path).toEqual(['signature']);
    const reg = await err('energy.register_provider', { capacity_kwh: 10, price_per_kwh: 1, meter_address: 'meter-x', jurisdiction: 'US_CA', stake: 10 });
    expect([reg.code, reg.data.reason]).toEqual([-33006, 'insufficient_stake']);
    const v = await call('energy.verify_reading', await reading({ key: k2 }));
    expect(v).toMatchObject({ valid: false, reason: 'signature_invalid', key_source: 'registry' });
    expect(await call('energy.verify_reading', { ...(await reading({ key: k2 })), public_key: hex(await ed.getPublicKeyAsync(k2)) })).toMatchObject({ valid: true, key_source: 'flag' });
  });

  it('rotates and revokes keys without a restart (RPC, file watch, SIGHUP)', async () => {
    await call('energy.set_provider_key', { provider_id: P0, public_key_hex: hex(await ed.getPublicKeyAsync(k2)) });
    expect((await err('energy.submit_reading', await reading()))?.data.reason).toBe('signature_invalid');
    await call('energy.submit_reading', await reading({ key: k2 }));
    await mine();
    await call('energy.revoke_provider_key', { provider_id: P0 });
    nonce++;
    total += 5;
    expect((await err('energy.submit_reading', await reading({ key: k2 })))?.data.reason).toBe('signature_invalid');
    // the file edited by hand: the watch picks it up (liveness: generous wait)
    // Wait on the content, not on the generation: the watch's own reload of the revoke's write
    // (100 ms of quiet after its rename) can land after the revoke returned and bump it first.
    const want = [{ provider_id: P0, public_key_hex: hex(await ed.getPublicKeyAsync(k1)) }];
    await fs.writeFile(keysFile, JSON.stringify({ provider_keys: want }));
    const sameKeys = async () => JSON.stringify((await call('energy.provider_keys')).keys) === JSON.stringify(want);
    for (let i = 0; i < 600 && !(await sameKeys()); i++) await new Promise((r) => setTimeout(r, 100));
    expect((await call('energy.provider_keys')).keys).toEqual(want);
    await call('energy.submit_reading', await reading());
    await mine();
    const gen2 = (await call('energy.provider_keys')).generation;
    process.kill(process.pid, 'SIGHUP');
    for (let i = 0; i < 300 && (await call('energy.provider_keys')).generation === gen2; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await call('energy.provider_keys')).generation).toBeGreaterThan(gen2);
  });

  it('trade mode: settlement moves price × kWh with the treasury fee, a lost dispute slashes the stake; value is conserved', async () => {
    const tip = await call('chain.tip');
    await mine(240 - tip.height);
    expect((await call('energy.market_state')).governance.market_mode).toBe('trade');
    const genesis = JSON.parse(await fs.readFile(path.join(root, 'chain', 'genesis.json'), 'utf8'));
    const me = genesis.validators[0].address as string;
    await call('wallet.transfer', { from: 'faucet', to: me, amount: '1000000' });
    await mine();
    const everyone = [...new Set([...genesis.accounts.map((a: { address: string }) => a.address), me, ENERGY_ESCROW, TREASURY_ADDRESS])];
    const sum = async () => (await Promise.all(everyone.map(bal))).reduce((a, b) => a + b, 0n);
    const total0 = await sum();
    await call('energy.set_provider_key', { provider_id: P1, public_key_hex: hex(await ed.getPublicKeyAsync(k3)) });
    await call('energy.register_provider', { capacity_kwh: 300, price_per_kwh: 7, meter_address: 'meter-02', jurisdiction: 'US_TX', stake: 2000, owner: 'tb1' + '11'.repeat(20) });
    await mine();
    expect(await bal(ENERGY_ESCROW)).toBe(2000n);
    const c = await call('energy.submit_reading', await signed(k3, { provider_id: P1, meter_address: 'meter-02', kwh_reading: 77, timestamp: nextTs(), nonce: 1 }));
    await mine();
    const t0 = await bal(TREASURY_ADDRESS);
    await call('energy.settle', { provider_id: P1, kwh_consumed: 77, meter_hash: c.credit.meter_hash });
    await mine();
    // 77 kWh × 7 = 539; fee 539 × 250 / 10000 = 13 (floor); owner gets 526
    expect(await bal(TREASURY_ADDRESS)).toBe(t0 + 13n);
    expect(await bal('tb1' + '11'.repeat(20))).toBe(526n);
    const r = (await call('energy.receipts', { provider_id: P1 })).receipts[0];
    expect(r).toMatchObject({ price_paid: 539, treasury_fee: 13, kwh_delivered: 77, trade: true });
    await call('energy.flag_dispute', { meter_hash: c.credit.meter_hash, reason: 'meter tampering suspected' });
    await mine();
    const d = (await call('energy.disputes', { status: 'open' })).disputes[0];
    expect(d).toMatchObject({ provider_id: P1, status: 'open' });
    await call('energy.resolve_dispute', { dispute_id: d.id, outcome: 'uphold', resolution_note: 'tampering confirmed' });
    await mine();
    // energy_slashing_rate_bps default 500: 2000 × 5 % = 100 from escrow to the treasury
    expect((await call('energy.slashes')).slashes[0]).toMatchObject({ provider_id: P1, amount: 100, reason: 'dispute' });
    expect(await bal(ENERGY_ESCROW)).toBe(1900n);
    expect(await bal(TREASURY_ADDRESS)).toBe(t0 + 113n);
    everyone.push('tb1' + '11'.repeat(20));
    expect(await sum()).toBe(total0 + 0n);
    const again = await err('energy.resolve_dispute', { dispute_id: d.id, outcome: 'dismiss' });
    expect([again.code, again.data.reason]).toEqual([-33005, 'dispute_already_resolved']);
  }, 180_000);

  it('a reading is answered once durably queued, survives a restart (journal) and is followed to its block by energy.reading_status', async () => {
    await call('energy.set_provider_key', { provider_id: P0, public_key_hex: hex(await ed.getPublicKeyAsync(k1)) });
    const last = (await call('energy.market_state', [P0])).providers[0];
    nonce = last.last_nonce + 1;
    total = last.last_meter_value + 10;
    const r = await reading();
    const a = await call('energy.submit_reading', r);
    expect(['queued', 'pending']).toContain(a.status);
    expect(a.credit).toMatchObject({ provider: P0, amount_kwh: 10, meter_hash: a.meter_hash });
    expect(['queued', 'pending']).toContain((await call('energy.reading_status', { meter_hash: a.meter_hash })).status);
    // the same signed reading again: the spec's nonce_replay, naming the accepted copy
    const dup = await err('energy.submit_reading', r);
    expect([dup.code, dup.data]).toEqual([-33007, expect.objectContaining({ reason: 'nonce_replay', meter_hash: a.meter_hash, status: expect.stringMatching(/^(queued|pending)$/) })]);
    const journal = path.join(root, 'energy_market', 'pending-readings.jsonl');
    expect(await fs.readFile(journal, 'utf8')).toContain(r.signature);
    // restart before any block: the mempool is gone, the journal re-queues the reading
    await node!.stop();
    node = await Node.start(nodeConfig, { stdout: false });
    port = node.rpcPort!;
    const back = await call('energy.reading_status', { meter_hash: a.meter_hash });
    expect(back).toMatchObject({ status: expect.stringMatching(/^(queued|pending)$/), provider_id: P0 });
    // readings checked against the accepted one: its nonce is taken
    expect((await err('energy.submit_reading', await reading({ nonce: nonce, kwh: total + 5 })))?.data.reason).toBe('nonce_replay');
    for (let i = 0; i < 100 && (await call('energy.reading_status', { meter_hash: a.meter_hash })).status === 'queued'; i++) await new Promise((x) => setTimeout(x, 50));
    await mine();
    let st = await call('energy.reading_status', { meter_hash: a.meter_hash });
    for (let i = 0; i < 200 && st.status !== 'included'; i++) {
      await new Promise((x) => setTimeout(x, 50));
      st = await call('energy.reading_status', { meter_hash: a.meter_hash });
    }
    expect(st).toMatchObject({ status: 'included', height: (await call('chain.tip')).height, provider_id: P0 });
    expect((await call('energy.market_state', [P0])).providers[0]).toMatchObject({ last_nonce: nonce, last_meter_value: total });
    // nothing waits any more: the journal is emptied (liveness: generous wait)
    for (let i = 0; i < 200 && (await fs.readFile(journal, 'utf8')) !== ''; i++) await new Promise((x) => setTimeout(x, 50));
    expect(await fs.readFile(journal, 'utf8')).toBe('');
  }, 120_000);

  it('the energy_market store holds the chain state; a from-genesis replay reproduces the state root', async () => {
    const tip = await call('chain.tip');
    const m = await call('energy.market_state');
    await node!.stop();
    node = undefined;
    const db = await SimpleDb.open('energy_market', path.join(root, 'energy_market'));
    try {
      const s = decodeEnergy(decodeCanonical((await db.get('state'))!, 'energy state'));
      expect([...s.providers.keys()]).toEqual(m.providers.map((p: { provider_id: string }) => p.provider_id));
      expect(s.counters.settlements).toBe(2);
      expect(await db.getJson('receipts')).toHaveLength(2);
    } finally {
      await db.close();
    }
    const r = await replayFromGenesis(path.join(root, 'chain'), { modules: chainModulesOf(NODE_MODULES) });
    expect(r).toEqual({ height: tip.height, stateRoot: tip.state_root, ok: true });
  }, 120_000);
});
