// Stage 1 of import (chain/verify.ts preverifyBlock): the proposer signature is checked in the
// pool batch for small blocks and before the batch for big ones; both refuse a forged block.
// PreverifyBatcher: blocks handed over in one tick share pool batches, with the same verdicts.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { addressOf, parseAddress } from '../../../src/node-core/chain/address.js';
import { makeBlock, txRoot, type Header } from '../../../src/node-core/chain/block.js';
import { genesisHash, type Genesis } from '../../../src/node-core/chain/genesis.js';
import { ModuleSet } from '../../../src/node-core/chain/modules.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { PREVERIFY_BATCH_ITEMS, preverifyBlock, PreverifyBatcher, PROPOSER_IN_BATCH_MAX, validatorKeys } from '../../../src/node-core/chain/verify.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { fromHex, toHex } from '../../../src/node-core/crypto/hash.js';
import { VerifyPool } from '../../../src/node-core/crypto/verify-pool.js';

const proposer = generateKeys();
const sender = generateKeys();
const body = {
  network: 't', chain_id: 7, block_time_ms: 1000, timestamp_ms: 1,
  validators: [{ address: addressOf(proposer.publicKey), public_key: toHex(proposer.publicKey), stake: '1' }],
  accounts: [{ address: addressOf(sender.publicKey), balance: '1000000' }],
};
const genesis: Genesis = { ...body, hash: genesisHash(body) };
const pool = new VerifyPool(2);
afterAll(() => pool.close());

function block(n: number, signer: Uint8Array, badTx = false) {
  const txs = Array.from({ length: n }, (_, i) =>
    signTransfer({ chainId: 7, publicKey: sender.publicKey, secretKey: sender.secretKey, to: addressOf(proposer.publicKey), amount: 1n, fee: 1n, nonce: BigInt(i) }),
  );
  if (badTx) txs[0] = { ...txs[0], signature: txs[1].signature, bytes: (() => { const b = txs[0].bytes.slice(); b.set(txs[1].signature, b.length - 64); return b; })() };
  const header: Header = { height: 1, parentHash: fromHex(genesis.hash), timestampMs: 2, proposer: parseAddress(addressOf(proposer.publicKey)), txRoot: txRoot(txs.map((t) => fromHex(t.hash))), stateRoot: new Uint8Array(32), epoch: 0, txCount: n };
  return makeBlock(header, txs, signer).bytes;
}

describe('preverifyBlock', () => {
  const pre = (bytes: Uint8Array) => preverifyBlock(bytes, genesis, validatorKeys(genesis), pool, new ModuleSet([]));
  it.each([0, 3, PROPOSER_IN_BATCH_MAX, PROPOSER_IN_BATCH_MAX + 1])('block of %i txs: good passes, forged proposer signature and bad tx signature are refused', async (n) => {
    const other = generateKeys();
    expect((await pre(block(n, proposer.secretKey))).txs.length).toBe(n);
    await expect(pre(block(n, other.secretKey))).rejects.toMatchObject({ reason: 'bad_block_signature' });
    if (n >= 2) {
      await expect(pre(block(n, proposer.secretKey, true))).rejects.toMatchObject({ reason: 'bad_signature' });
      await expect(pre(block(n, other.secretKey, true))).rejects.toMatchObject({ reason: 'bad_block_signature' });
    }
  });
});

describe('PreverifyBatcher', () => {
  it('blocks preverified in one tick share batches; each gets its own verdict, tx ids and errors as preverifyBlock gives', async () => {
    const other = generateKeys();
    const batcher = new PreverifyBatcher({ genesis, validators: validatorKeys(genesis), pool, modules: new ModuleSet([]) });
    // More than one batch's worth of signatures, with forged blocks in the middle and at the end.
    type Kind = 'good' | 'forged' | 'bad_tx' | 'malformed';
    const kinds = Array.from({ length: Math.ceil(PREVERIFY_BATCH_ITEMS / 11) + 8 }, (_, i): Kind => (i === 5 ? 'forged' : i === 9 ? 'bad_tx' : 'good'));
    kinds.push('forged', 'malformed');
    const bytes = kinds.map((k) => (k === 'malformed' ? Uint8Array.of(0x83, 1, 2) : block(10, k === 'forged' ? other.secretKey : proposer.secretKey, k === 'bad_tx')));
    const spy = vi.spyOn(pool, 'verifyBatch');
    const got = await Promise.allSettled(bytes.map((b) => batcher.add(b)));
    // Every signature of the run in ceil(items / PREVERIFY_BATCH_ITEMS) pool calls, not one per block.
    expect(spy.mock.calls.length).toBe(2);
    spy.mockRestore();
    const single = await Promise.allSettled(bytes.map((b) => preverifyBlock(b, genesis, validatorKeys(genesis), pool, new ModuleSet([]))));
    got.forEach((r, i) => {
      const s = single[i];
      expect(r.status).toBe(s.status);
      if (r.status === 'fulfilled' && s.status === 'fulfilled') expect(r.value.txs.map((t) => t.hash)).toEqual(s.value.txs.map((t) => t.hash));
      else expect((r as PromiseRejectedResult).reason.reason).toBe((s as PromiseRejectedResult).reason.reason);
    });
    expect(got.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason.reason))).toEqual(kinds.map((k) => ({ good: 'ok', forged: 'bad_block_signature', bad_tx: 'bad_signature', malformed: 'malformed_block' })[k]));
    // A lone block later still goes out on its own.
    expect((await batcher.add(block(3, proposer.secretKey))).txs.length).toBe(3);
  });
});
