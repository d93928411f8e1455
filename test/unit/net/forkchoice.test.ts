// Fork choice on real chain DBs (classic-level in temp dirs): a multi-validator chain keeps undo
// records, reverts non-final blocks exactly (state root of the parent), switches to a longer
// branch, restores its own branch when the other does not apply, and never reverts a final block.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { Chain } from '../../../src/node-core/chain/chain.js';
import { ConsensusEngine } from '../../../src/node-core/chain/engine.js';
import { genesisHash, type Genesis } from '../../../src/node-core/chain/genesis.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { ImportError } from '../../../src/node-core/chain/verify.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { VerifyPool } from '../../../src/node-core/crypto/verify-pool.js';
import type { KeyPair } from '../../../src/node-core/wallet/keystore.js';

const kp = (): KeyPair => {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey) };
};
const vals = [kp(), kp(), kp()];
const faucet = kp();
const body = {
  network: 'forktest', chain_id: 4242, block_time_ms: 50, timestamp_ms: Date.now() - 60_000,
  validators: vals.map((v) => ({ address: v.address, public_key: toHex(v.publicKey), stake: '1' })),
  accounts: [{ address: faucet.address, balance: '1000000' }],
};
const genesis: Genesis = { ...body, hash: genesisHash(body) };

const open: { chain: Chain; dir: string }[] = [];
const pool = new VerifyPool(1);
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.chain.close();
    await fs.rm(o.dir, { recursive: true, force: true });
  }
});
async function chainOf(nodeKey: KeyPair): Promise<Chain> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb fork-'));
  const chain = await Chain.open({ dir, genesis, nodeKey, verifyPool: pool });
  open.push({ chain, dir });
  return chain;
}
async function transfer(c: Chain, nonce: number, amount: number): Promise<void> {
  const tx = signTransfer({ chainId: genesis.chain_id, publicKey: faucet.publicKey, secretKey: faucet.secretKey, to: vals[nonce % 3].address, amount: BigInt(amount), fee: 1n, nonce: BigInt(nonce) });
  c.submit(tx.bytes);
}
async function bytesOf(c: Chain, from: number, to: number): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (let h = from; h <= to; h++) out.push((await c.blockAt(h))!.bytes);
  return out;
}

describe('fork choice and reverts', () => {
  it('reverts a non-final head to the exact parent state and switches to a longer branch', async () => {
    const x = await chainOf(vals[0]);
    const y = await chainOf(vals[1]);
    // Common prefix: block 1 by x, imported by y.
    await transfer(x, 0, 10);
    await x.produceBlock();
    await y.importBlock((await x.blockAt(1))!.bytes);
    // Branch A (x): 3 blocks with transfers; branch B (y): 2 other blocks.
    for (let i = 1; i <= 3; i++) {
      await transfer(x, i, 100 + i);
      await x.produceBlock();
    }
    await transfer(y, 1, 999);
    await y.produceBlock();
    await y.produceBlock();
    const yTip = y.tip();
    expect(yTip.height).toBe(3);
    expect(yTip.hash).not.toBe(x.tip().hash);
    // Revert restores the parent's state root exactly.
    const reverted = await y.revertHead();
    expect(reverted.header.height).toBe(3);
    expect(y.tip().state_root).toBe(toHex((await y.blockAt(2))!.header.stateRoot));
    expect(y.tip().height).toBe(2);
    await y.importBlock(reverted.bytes);
    expect(y.tip().hash).toBe(yTip.hash);

    const engine = new ConsensusEngine({ chain: y, nodeKey: vals[1] });
    const r = await engine.adoptBlocks(await bytesOf(x, 1, 4));
    expect(r).toEqual({ imported: 3, forked: true });
    expect(y.tip()).toEqual(x.tip());
    expect(y.accountState(faucet.address).nonce).toBe(4n);
    // The reverted transfer (nonce 1 on branch B) is gone from the state: nonce 1 was taken by branch A.
    expect(y.accountState(vals[1].address).balance).toBe(x.accountState(vals[1].address).balance);
  });

  it('keeps its own branch when the other branch does not apply', async () => {
    const x = await chainOf(vals[0]);
    const y = await chainOf(vals[1]);
    await x.produceBlock();
    await y.importBlock((await x.blockAt(1))!.bytes);
    await x.produceBlock();
    await x.produceBlock();
    await y.produceBlock();
    const before = y.tip();
    const good = await bytesOf(x, 2, 3);
    // Corrupt the last block of the longer branch: one byte of its signature.
    const bad = new Uint8Array(good[1]);
    bad[bad.length - 5] ^= 0xff;
    const engine = new ConsensusEngine({ chain: y, nodeKey: vals[1] });
    await expect(engine.adoptBlocks([good[0], bad])).rejects.toBeInstanceOf(ImportError);
    expect(y.tip()).toEqual(before);
  });

  it('never reverts a finalized block', async () => {
    const x = await chainOf(vals[0]);
    const y = await chainOf(vals[1]);
    await x.produceBlock();
    await x.produceBlock();
    await x.produceBlock();
    await y.produceBlock();
    expect(await y.setFinalized(1, y.tip().hash, [])).toBe(true);
    expect(await y.setFinalized(1, y.tip().hash, [])).toBe(false); // monotonic
    await expect(y.revertHead()).rejects.toThrow(/final/);
    const engine = new ConsensusEngine({ chain: y, nodeKey: vals[1] });
    await expect(engine.adoptBlocks(await bytesOf(x, 1, 3))).rejects.toMatchObject({ reason: 'no_common_ancestor' });
    expect(y.tip().height).toBe(1);
    expect(y.tip().finalized_height).toBe(1);
  });

  it('persists the finalized block across a reopen', async () => {
    const x = await chainOf(vals[0]);
    await x.produceBlock();
    await x.produceBlock();
    const h2 = x.tip().hash;
    expect(await x.setFinalized(2, h2, [])).toBe(true);
    const dir = open[0].dir;
    await x.close();
    const again = await Chain.open({ dir, genesis, nodeKey: vals[0], verifyPool: pool });
    open[0].chain = again;
    expect(again.finalized()).toEqual({ height: 2, hashHex: h2 });
    expect(again.tip().finalized_height).toBe(2);
  });
});
