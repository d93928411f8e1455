// From-genesis replay (issue 2 "Replay"): a chain with transfers replays to the same state root at
// every height; a stored block whose header root disagrees with its transactions is pinpointed.
import { promises as fs } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { makeBlock, txRoot, epochOf } from '../../../src/node-core/chain/block.js';
import { replayFromGenesis } from '../../../src/node-core/chain/replay.js';
import { Chain } from '../../../src/node-core/chain/chain.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { fromHex, toHex } from '../../../src/node-core/crypto/hash.js';
import { ChainDb, ChainDbError } from '../../../src/node-core/storage/chaindb.js';
import { openTestChain, tempRoot, type TestChain } from './helpers.js';

let t: TestChain | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

async function buildChain(blocks: number): Promise<{ t: TestChain; roots: string[] }> {
  const tc = await openTestChain({ mempool: { maxPerAccount: 64, maxSize: 4096 } });
  const f = await tc.keystore.get('faucet');
  const users = Array.from({ length: 6 }, () => generateKeys());
  const roots = [tc.chain.tip().state_root];
  for (let b = 1; b <= blocks; b++) {
    // faucet funds users; users pay each other (so senders other than the faucet appear)
    const fNonce = tc.chain.accountState(f.address).pendingNonce;
    for (let i = 0; i < 5; i++) {
      const to = addressOf(users[(b + i) % users.length].publicKey);
      tc.chain.submit(signTransfer({ chainId: 31337, publicKey: f.publicKey, secretKey: f.secretKey, to, amount: BigInt(1000 + b * 10 + i), fee: BigInt(1 + (i % 3)), nonce: fNonce + BigInt(i) }).bytes);
    }
    for (const u of users) {
      const addr = addressOf(u.publicKey);
      const s = tc.chain.accountState(addr);
      if (s.balance > 20n) tc.chain.submit(signTransfer({ chainId: 31337, publicKey: u.publicKey, secretKey: u.secretKey, to: addressOf(users[b % users.length].publicKey), amount: 7n, fee: 1n, nonce: s.pendingNonce }).bytes);
    }
    roots.push((await tc.chain.produceBlock()).state_root);
  }
  return { t: tc, roots };
}

describe('replayFromGenesis', () => {
  it('rebuilds the same state root at every height', async () => {
    const built = await buildChain(25);
    t = built.t;
    const tip = t.chain.tip();
    await t.chain.close(); // replay needs the DB unlocked
    const progress: number[] = [];
    const tmpDir = await tempRoot('tb replay tmp-');
    const r = await replayFromGenesis(t.dir, { onProgress: (h, total) => (progress.push(h), expect(total).toBe(25)), tmpDir });
    expect(r).toEqual({ height: 25, stateRoot: tip.state_root, ok: true });
    expect(progress).toEqual(Array.from({ length: 26 }, (_, i) => i));
    // the replay checked each header root; cross-check them against the roots seen while producing
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
    for (let h = 0; h <= 25; h++) expect((await t.chain.blockView({ height: h }))!.state_root).toBe(built.roots[h]);
  });

  it('reports the first height whose header state root does not match its transactions', async () => {
    const built = await buildChain(4);
    t = built.t;
    const b4 = (await t.chain.blockAt(4))!;
    const b3 = (await t.chain.blockAt(3))!;
    await t.chain.close();
    // rewrite block 4 with a wrong (but properly signed) state root, as a buggy producer would
    const forged = makeBlock({ ...b4.header, stateRoot: new Uint8Array(32).fill(9) }, b4.txs, t.nodeKey.secretKey);
    const db = await ChainDb.open(t.dir);
    await db.commitBlock({ height: 4, hash: forged.hash, bytes: forged.bytes, txIds: forged.txs.map((x) => fromHex(x.hash)), accounts: new Map() });
    // and a block 5 on top so the mismatch is not simply the head
    const b5 = makeBlock({ height: 5, parentHash: forged.hash, timestampMs: forged.header.timestampMs + 1, proposer: b4.header.proposer, txRoot: txRoot([]), stateRoot: forged.header.stateRoot, epoch: epochOf(5), txCount: 0 }, [], t.nodeKey.secretKey);
    await db.commitBlock({ height: 5, hash: b5.hash, bytes: b5.bytes, txIds: [], accounts: new Map() });
    await db.close();
    const r = await replayFromGenesis(t.dir);
    expect(r.ok).toBe(false);
    expect(r.height).toBe(3);
    expect(r.stateRoot).toBe(toHex(b3.header.stateRoot));
    expect(r.firstMismatch).toEqual({ height: 4, expected: '09'.repeat(32), actual: built.roots[4] });
    // reopen the original so cleanup works; the live chain itself refuses the inconsistent head
    await expect(Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey })).rejects.toBeInstanceOf(ChainDbError);
    await fs.rm(t.dir, { recursive: true });
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
  });

  it('refuses a DB that is open elsewhere with ChainDbError(locked)', async () => {
    t = await openTestChain();
    await expect(replayFromGenesis(t.dir)).rejects.toMatchObject({ kind: 'locked' });
  });
});
