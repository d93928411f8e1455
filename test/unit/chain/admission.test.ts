// Mempool admission through the real chain (tx.submit / wallet.transfer handlers): every reason is
// thrown as RpcError −32000 with data.reason, and counted in mempool_reject_total{reason}.
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, RpcError } from '../../../src/shared/api/errors.js';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { call, openTestChain, type TestChain } from './helpers.js';

let t: TestChain;
afterEach(() => t?.cleanup());

async function rejectReason(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(ErrorCode.Application);
    expect((err as RpcError).message.length).toBeGreaterThan(10);
    return String((err as RpcError).data?.reason);
  }
  throw new Error('expected a rejection');
}

async function faucet(t: TestChain) {
  return t.keystore.get('faucet');
}

function transfer(key: { publicKey: Uint8Array; secretKey: Uint8Array }, o: { to?: string; amount?: bigint; fee?: bigint; nonce?: bigint; chainId?: number } = {}) {
  return signTransfer({
    chainId: o.chainId ?? 31337,
    publicKey: key.publicKey,
    secretKey: key.secretKey,
    to: o.to ?? addressOf(generateKeys().publicKey),
    amount: o.amount ?? 10n,
    fee: o.fee ?? 1n,
    nonce: o.nonce ?? 0n,
  });
}

const submit = (t: TestChain, bytes: Uint8Array) => call(t.h, 'tx.submit', { tx: toHex(bytes) });

describe('mempool admission', () => {
  it('admits a valid transfer and reports it pending, then included', async () => {
    t = await openTestChain();
    const f = await faucet(t);
    const tx = transfer(f);
    expect(await submit(t, tx.bytes)).toEqual({ hash: tx.hash, status: 'pending' });
    expect(await call(t.h, 'tx.status', { hash: tx.hash })).toEqual({ hash: tx.hash, status: 'pending' });
    const acct = await call(t.h, 'account.get', { address: f.address });
    expect(acct.pending_nonce).toBe('1');
    expect(acct.nonce).toBe('0');
    const head = await t.chain.produceBlock();
    expect(await call(t.h, 'tx.status', { hash: tx.hash })).toEqual({ hash: tx.hash, status: 'included', height: head.height, block_hash: head.hash });
    expect(await call(t.h, 'tx.status', { hash: 'ab'.repeat(32) })).toEqual({ hash: 'ab'.repeat(32), status: 'unknown' });
  });

  it('wrong chain id', async () => {
    t = await openTestChain();
    expect(await rejectReason(submit(t, transfer(await faucet(t), { chainId: 1 }).bytes))).toBe('wrong_chain_id');
  });

  it('bad signature', async () => {
    t = await openTestChain();
    const tx = transfer(await faucet(t));
    const bytes = tx.bytes.slice();
    bytes[bytes.length - 1] ^= 0x01; // last byte of the signature
    expect(await rejectReason(submit(t, bytes))).toBe('bad_signature');
  });

  it('malformed transaction bytes', async () => {
    t = await openTestChain();
    expect(await rejectReason(submit(t, new Uint8Array([0x83, 1, 2])))).toBe('malformed_tx');
    expect(await rejectReason(submit(t, encodeCanonical(['not', 'a', 'tx'])))).toBe('malformed_tx');
  });

  it('replayed nonce: the same tx after inclusion is nonce_too_low', async () => {
    t = await openTestChain();
    const tx = transfer(await faucet(t));
    await submit(t, tx.bytes);
    await t.chain.produceBlock();
    expect(await rejectReason(submit(t, tx.bytes))).toBe('nonce_too_low');
  });

  it('overspend: amount + fee beyond the balance, counting pending txs', async () => {
    t = await openTestChain();
    const f = await faucet(t);
    expect(await rejectReason(submit(t, transfer(f, { amount: 1_000_000_000n }).bytes))).toBe('insufficient_balance');
    await submit(t, transfer(f, { amount: 600_000_000n }).bytes);
    expect(await rejectReason(submit(t, transfer(f, { amount: 400_000_000n, nonce: 1n }).bytes))).toBe('insufficient_balance');
    // an account that does not exist has balance 0
    expect(await rejectReason(submit(t, transfer(generateKeys()).bytes))).toBe('insufficient_balance');
  });

  it('nonce gap', async () => {
    t = await openTestChain();
    expect(await rejectReason(submit(t, transfer(await faucet(t), { nonce: 1n }).bytes))).toBe('nonce_gap');
  });

  it('duplicate: the same tx twice, and a second tx for a pending nonce', async () => {
    t = await openTestChain();
    const f = await faucet(t);
    const tx = transfer(f);
    await submit(t, tx.bytes);
    expect(await rejectReason(submit(t, tx.bytes))).toBe('duplicate');
    expect(await rejectReason(submit(t, transfer(f, { amount: 11n }).bytes))).toBe('duplicate');
  });

  it('fee too low', async () => {
    t = await openTestChain({ mempool: { minFee: 5n } });
    expect(await rejectReason(submit(t, transfer(await faucet(t), { fee: 4n }).bytes))).toBe('fee_too_low');
    expect((await call(t.h, 'mempool.stats', {})).fee_floor).toBe('5');
  });

  it('mempool full, and the per-account pending limit', async () => {
    t = await openTestChain({ mempool: { maxSize: 3, maxPerAccount: 2 } });
    const f = await faucet(t);
    await submit(t, transfer(f, { nonce: 0n }).bytes);
    await submit(t, transfer(f, { nonce: 1n }).bytes);
    expect(await rejectReason(submit(t, transfer(f, { nonce: 2n }).bytes))).toBe('pending_limit_reached');
    // fund two more senders, then fill the pool
    const a = generateKeys();
    const b = generateKeys();
    await t.chain.produceBlock();
    await submit(t, transfer(f, { to: addressOf(a.publicKey), amount: 100n, nonce: 2n }).bytes);
    await submit(t, transfer(f, { to: addressOf(b.publicKey), amount: 100n, nonce: 3n }).bytes);
    await t.chain.produceBlock();
    await submit(t, transfer(a).bytes);
    await submit(t, transfer(a, { nonce: 1n }).bytes);
    await submit(t, transfer(b).bytes);
    expect(t.chain.mempool.size).toBe(3);
    expect(await rejectReason(submit(t, transfer(b, { nonce: 1n }).bytes))).toBe('mempool_full');
    const text = await t.metrics.registry.getSingleMetricAsString('mempool_reject_total');
    expect(text).toMatch(/mempool_reject_total\{reason="mempool_full"\} 1/);
    expect(text).toMatch(/mempool_reject_total\{reason="pending_limit_reached"\} 1/);
    expect(await t.metrics.registry.getSingleMetricAsString('mempool_size')).toMatch(/mempool_size 3/);
  });

  it('mempool.stats reports size, ages (ms) and fee percentiles', async () => {
    t = await openTestChain();
    const f = await faucet(t);
    for (let i = 0; i < 10; i++) await submit(t, transfer(f, { nonce: BigInt(i), fee: BigInt(i + 1) }).bytes);
    const s = await call(t.h, 'mempool.stats', {});
    expect(s.size).toBe(10);
    expect(s.fee_p50).toBe('6');
    expect(s.fee_p90).toBe('10');
    expect(s.fee_floor).toBe('1');
    expect(s.age_p50).toBeGreaterThanOrEqual(0);
    expect(s.age_p95).toBeGreaterThanOrEqual(s.age_p50);
  });

  it('wallet.transfer signs with the keystore key, uses the pending nonce and the fee floor', async () => {
    t = await openTestChain();
    const alice = await t.keystore.create('alice');
    const r1 = await call(t.h, 'wallet.transfer', { from: 'faucet', to: alice.address, amount: 25n });
    const r2 = await call(t.h, 'wallet.transfer', { from: 'faucet', to: alice.address, amount: 5n, fee: 2n });
    expect(r1).toMatchObject({ status: 'pending', fee: '1', nonce: '0' });
    expect(r2).toMatchObject({ status: 'pending', fee: '2', nonce: '1' });
    await t.chain.produceBlock();
    expect((await call(t.h, 'account.get', { address: alice.address })).balance).toBe('30');
    const list = await call(t.h, 'wallet.list', {});
    expect(list).toEqual({
      wallets: [
        { name: 'faucet', address: (await faucet(t)).address, balance: String(1_000_000_000 - 30 - 3) },
        { name: 'alice', address: alice.address, balance: '30' },
      ],
      unreadable: [],
    });
    await expect(call(t.h, 'wallet.transfer', { from: 'bob', to: alice.address, amount: 1n })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await rejectReason(call(t.h, 'wallet.transfer', { from: 'alice', to: alice.address, amount: 100n }))).toBe('insufficient_balance');
  });
});
