// Block production, import, state roots, persistence and the chain DB's failure modes.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode } from '../../../src/shared/api/errors.js';
import { BlockHeader } from '../../../src/shared/api/types.js';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { Chain, ChainDbError } from '../../../src/node-core/chain/chain.js';
import { ImportError } from '../../../src/node-core/chain/verify.js';
import { decodeBlock, makeBlock, txRoot } from '../../../src/node-core/chain/block.js';
import { State } from '../../../src/node-core/chain/state.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { generateKeys, verify } from '../../../src/node-core/crypto/ed25519.js';
import { fromHex } from '../../../src/node-core/crypto/hash.js';
import { ChainDb } from '../../../src/node-core/storage/chaindb.js';
import { call, customGenesis, openTestChain, type TestChain } from './helpers.js';

const opened: TestChain[] = [];
afterEach(async () => {
  for (const t of opened.splice(0)) await t.cleanup();
});
async function open(o: Parameters<typeof openTestChain>[0] = {}) {
  const t = await openTestChain(o);
  opened.push(t);
  return t;
}

/** Submits `n` faucet transfers to fresh addresses, with amounts 1..n. */
async function fill(t: TestChain, n: number, to?: string[]) {
  const f = await t.keystore.get('faucet');
  const start = t.chain.accountState(f.address).pendingNonce;
  const hashes: string[] = [];
  for (let i = 0; i < n; i++) {
    const tx = signTransfer({ chainId: 31337, publicKey: f.publicKey, secretKey: f.secretKey, to: to?.[i] ?? addressOf(generateKeys().publicKey), amount: BigInt(i + 1), fee: 2n, nonce: start + BigInt(i) });
    t.chain.submit(tx.bytes);
    hashes.push(tx.hash);
  }
  return hashes;
}

describe('block production', () => {
  it('produces signed blocks linked to their parents, pays fees to the proposer and emits newHeads', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    const heads: unknown[] = [];
    t.events.on('newHeads', (h) => heads.push(h));
    const g = t.chain.tip();
    expect(g.height).toBe(0);
    await fill(t, 5);
    const h1 = await t.chain.produceBlock();
    expect(BlockHeader.parse(h1)).toEqual(h1);
    expect(h1).toMatchObject({ height: 1, parent_hash: g.hash, tx_count: 5, epoch: 0, proposer: t.nodeKey.address });
    expect(verify(fromHex(h1.signature), fromHex(h1.hash), t.nodeKey.publicKey)).toBe(true);
    expect(heads).toEqual([h1]);
    expect(t.chain.tip()).toMatchObject({ height: 1, hash: h1.hash, state_root: h1.state_root, finalized_height: 1 });
    expect((await call(t.h, 'account.get', { address: t.nodeKey.address })).balance).toBe('10');
    const block = await call(t.h, 'chain.block', [1].length ? { height: 1 } : {});
    expect(block.transactions.map((x: { amount: string }) => x.amount)).toEqual(['1', '2', '3', '4', '5']);
    expect(await call(t.h, 'chain.block', { hash: h1.hash })).toEqual(block);
    await expect(call(t.h, 'chain.block', { height: 99 })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(call(t.h, 'chain.block', { hash: 'cd'.repeat(32) })).rejects.toMatchObject({ code: ErrorCode.NotFound });
    expect(await t.metrics.registry.getSingleMetricAsString('block_height')).toMatch(/block_height 1/);
    expect(await t.metrics.registry.getSingleMetricAsString('txs_applied_total')).toMatch(/txs_applied_total 5/);
    expect(await t.metrics.registry.getSingleMetricAsString('block_interval_seconds')).toMatch(/block_interval_seconds_count 1/);
  });

  it('the production timer makes blocks every block_time_ms until stopped', async () => {
    const t = await open({ genesis: (k) => customGenesis(k, { block_time_ms: 50 }) });
    const seen: number[] = [];
    const three = new Promise<void>((resolve) => t.events.on('newHeads', (h) => (seen.push(h.height), seen.length >= 3 && resolve())));
    t.chain.startProducing();
    await three;
    await t.chain.stopProducing();
    const h = t.chain.tip().height;
    expect(seen.slice(0, 3)).toEqual([1, 2, 3]);
    expect(h).toBeGreaterThanOrEqual(3);
  });

  it('dev.mine_one is refused outside the dev network', async () => {
    const t = await open({ network: 'testnet' });
    await expect(call(t.h, 'dev.mine_one', {})).rejects.toMatchObject({ code: ErrorCode.Application, data: { reason: 'dev_only' } });
    const d = await open();
    expect(await call(d.h, 'dev.mine_one', {})).toEqual({ height: 1, hash: d.chain.tip().hash });
  });
});

describe('state root', () => {
  it('is independent of insertion order and changes with any balance or nonce', () => {
    const accts = Array.from({ length: 500 }, (_, i) => [addressOf(generateKeys().publicKey).slice(3), { balance: BigInt(i + 1), nonce: BigInt(i % 3) }] as [string, { balance: bigint; nonce: bigint }]);
    const a = State.from(accts);
    const b = State.from([...accts].reverse());
    expect(a.rootHex()).toBe(b.rootHex());
    // incremental update == rebuild from scratch
    const ov = a.begin();
    ov.set(accts[7][0], { balance: 999n, nonce: 4n });
    ov.set(accts[8][0], { balance: 0n, nonce: 0n }); // deleted
    const p = a.prepare(ov);
    a.commit(p);
    const rebuilt = State.from(accts.filter((_, i) => i !== 8).map(([k, v], i) => [k, i === 7 ? { balance: 999n, nonce: 4n } : v]));
    expect(a.rootHex()).toBe(rebuilt.rootHex());
    expect(a.rootHex()).not.toBe(b.rootHex());
  });

  it('is deterministic: another node importing the same blocks reaches the same roots', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    const roots: string[] = [];
    for (let i = 0; i < 4; i++) {
      await fill(t, 10 + i);
      roots.push((await t.chain.produceBlock()).state_root);
    }
    // a second chain with the same genesis and validator key, in another directory, imports them
    const u = await open({ genesis: () => t.genesis });
    const dir2 = path.join(u.root, 'chain2');
    const follower = await Chain.open({ dir: dir2, genesis: t.genesis, nodeKey: u.nodeKey });
    try {
      for (let h = 1; h <= 4; h++) {
        const b = (await t.chain.blockAt(h))!;
        const imported = await follower.importBlock(b.bytes);
        expect(imported.state_root).toBe(roots[h - 1]);
      }
      expect(follower.tip()).toEqual(t.chain.tip());
    } finally {
      await follower.close();
    }
  });

  it('import rejects a block with a wrong state root, a bad proposer signature, or an out-of-order height, leaving the chain unchanged', async () => {
    const t = await open();
    await fill(t, 3);
    await t.chain.produceBlock();
    await t.chain.produceBlock();
    const b1 = (await t.chain.blockAt(1))!;
    const b2 = (await t.chain.blockAt(2))!;
    const dir2 = path.join(t.root, 'follower');
    const follower = await Chain.open({ dir: dir2, genesis: t.genesis, nodeKey: generateKeys() as never });
    try {
      await expect(follower.importBlock(b2.bytes)).rejects.toMatchObject({ reason: 'bad_height' });
      const other = generateKeys();
      await expect(follower.importBlock(makeBlock(b1.header, b1.txs, other.secretKey).bytes)).rejects.toMatchObject({ reason: 'bad_block_signature' });
      const wrongRoot = { ...b1.header, stateRoot: new Uint8Array(32).fill(7) };
      await expect(follower.importBlock(makeBlock(wrongRoot, b1.txs, t.nodeKey.secretKey).bytes)).rejects.toMatchObject({ reason: 'bad_state_root' });
      const tamperedTx = b1.bytes.slice();
      tamperedTx[tamperedTx.length - 1] ^= 1; // last byte of the last tx's signature
      await expect(follower.importBlock(tamperedTx)).rejects.toMatchObject({ reason: 'bad_signature' });
      expect(await follower.importBlock(tamperedTx).catch((e) => e)).toBeInstanceOf(ImportError);
      const unsignedTxs = { ...b1.header, txRoot: txRoot([]), txCount: 0 };
      await expect(follower.importBlock(makeBlock(unsignedTxs, [], other.secretKey).bytes)).rejects.toMatchObject({ reason: 'bad_block_signature' });
      const garbage = new Uint8Array([0x83, 0, 0, 0]);
      await expect(follower.importBlock(garbage)).rejects.toMatchObject({ reason: 'malformed_block' });
      expect(follower.tip().height).toBe(0);
      await follower.importBlock(b1.bytes);
      await follower.importBlock(b2.bytes);
      expect(follower.tip()).toEqual(t.chain.tip());
    } finally {
      await follower.close();
    }
  });
});

describe('group commit of catch-up imports', () => {
  it('a run of queued imports is written as one batch, fsynced once, at its end; a bad block ending a run still leaves the good ones synced', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    for (let i = 0; i < 6; i++) {
      await fill(t, 2);
      await t.chain.produceBlock();
    }
    const blocks = await Promise.all([1, 2, 3, 4, 5, 6].map(async (h) => (await t.chain.blockAt(h))!.bytes));
    const follower = await Chain.open({ dir: path.join(t.root, 'follower'), genesis: t.genesis, nodeKey: generateKeys() as never });
    try {
      const db = (follower as unknown as { db: ChainDb }).db;
      const writes: string[] = [];
      const orig = db.commitBlocks.bind(db);
      db.commitBlocks = (cs, o = {}) => {
        writes.push(cs.map((c) => c.height).join(',') + ((o.sync ?? true) ? ' synced' : ''));
        return orig(cs, o);
      };
      const putMeta = vi.spyOn(db, 'putMeta');
      await Promise.all(blocks.slice(0, 3).map((b) => follower.importBlock(b)));
      expect(writes).toEqual(['1,2,3 synced']);
      expect(follower.tip().finalized_height).toBe(3);
      // blocks 4 and 5 queued with a bad copy of 6 behind them: 4, 5 staged, then one synced flush
      const bad = makeBlock({ ...decodeBlock(blocks[5]).header, stateRoot: new Uint8Array(32).fill(9) }, decodeBlock(blocks[5]).txs, t.nodeKey.secretKey).bytes;
      const r = await Promise.allSettled([blocks[3], blocks[4], bad].map((b) => follower.importBlock(b)));
      expect(r.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
      expect(writes).toEqual(['1,2,3 synced', '4,5 synced']);
      expect(putMeta).not.toHaveBeenCalled();
      expect(follower.tip()).toMatchObject({ height: 5, finalized_height: 5 });
    } finally {
      await follower.close();
    }
  });

  it('staged blocks of a run are read from memory until their write, and are not final before its fsync', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    const hashes: string[] = [];
    for (let i = 0; i < 3; i++) {
      hashes.push(...(await fill(t, 2)));
      await t.chain.produceBlock();
    }
    const blocks = await Promise.all([1, 2, 3].map(async (h) => (await t.chain.blockAt(h))!));
    const follower = await Chain.open({ dir: path.join(t.root, 'follower'), genesis: t.genesis, nodeKey: generateKeys() as never });
    try {
      const db = (follower as unknown as { db: ChainDb }).db;
      const orig = db.commitBlocks.bind(db);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let entered!: () => void;
      const writing = new Promise<void>((r) => (entered = r));
      db.commitBlocks = async (cs, o = {}) => {
        entered();
        await gate;
        return orig(cs, o);
      };
      const run = Promise.all(blocks.map((b) => follower.importBlock(b.bytes)));
      await writing; // blocks 1 and 2 are applied and staged; the run's one write (1, 2, 3) is held
      expect(follower.headBlock().header.height).toBe(2);
      expect(follower.finalized().height).toBe(0);
      expect((await follower.blockAt(1))?.hashHex).toBe(blocks[0].hashHex);
      expect(await follower.blockBytesAt(1)).toEqual(blocks[0].bytes);
      expect(await follower.blocksBytesFrom(0, 9)).toEqual([(await t.chain.blockBytesAt(0))!, blocks[0].bytes, blocks[1].bytes]);
      expect(await follower.hashAt(1)).toBe(blocks[0].hashHex);
      expect((await follower.blockView({ hash: blocks[0].hashHex }))?.height).toBe(1);
      expect(await follower.txStatus(hashes[0])).toMatchObject({ status: 'included', height: 1, block_hash: blocks[0].hashHex });
      release();
      await run;
      expect(follower.tip()).toMatchObject({ height: 3, finalized_height: 3 });
      expect(await follower.txStatus(hashes[0])).toMatchObject({ status: 'included', height: 1 });
      expect((await follower.blockAt(1))?.hashHex).toBe(blocks[0].hashHex);
      expect(await follower.blocksBytesFrom(1, 3)).toEqual(blocks.map((b) => b.bytes));
      expect(await follower.blocksBytesFrom(3, 5)).toEqual([blocks[2].bytes]);
      expect(await follower.blocksBytesFrom(4, 5)).toEqual([]);
    } finally {
      await follower.close();
    }
  });
  it('a failed write of a staged run stops every later write; the reopened chain is the DB as written', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    for (let i = 0; i < 3; i++) {
      await fill(t, 2);
      await t.chain.produceBlock();
    }
    const blocks = await Promise.all([1, 2, 3].map(async (h) => (await t.chain.blockAt(h))!.bytes));
    const dir = path.join(t.root, 'follower');
    const nodeKey = generateKeys() as never;
    const follower = await Chain.open({ dir, genesis: t.genesis, nodeKey });
    const db = (follower as unknown as { db: ChainDb }).db;
    db.commitBlocks = () => Promise.reject(new Error('disk full'));
    const r = await Promise.allSettled(blocks.map((b) => follower.importBlock(b)));
    expect(r.map((x) => x.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    await expect(follower.importBlock(blocks[2])).rejects.toThrow(/block write failed \(disk full\)/);
    await follower.close();
    const again = await Chain.open({ dir, genesis: t.genesis, nodeKey });
    try {
      expect(again.tip().height).toBe(0);
      await Promise.all(blocks.map((b) => again.importBlock(b)));
      expect(again.tip()).toEqual(t.chain.tip());
    } finally {
      await again.close();
    }
  });
});

describe('persistence', () => {
  it('reopening after close resumes at the same head and state root, with the same accounts and tx index', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    const alice = await t.keystore.create('alice');
    const hashes = await fill(t, 20, Array(20).fill(alice.address));
    await t.chain.produceBlock();
    await fill(t, 3);
    await t.chain.produceBlock();
    const tip = t.chain.tip();
    const acct = t.chain.account(alice.address);
    await t.reopen();
    expect(t.chain.tip()).toEqual(tip);
    expect(t.chain.account(alice.address)).toEqual(acct);
    expect(acct.balance).toBe(String((20 * 21) / 2));
    expect(await call(t.h, 'tx.status', { hash: hashes[5] })).toMatchObject({ status: 'included', height: 1 });
    // production continues on top
    expect((await t.chain.produceBlock()).parent_hash).toBe(tip.hash);
  });

  it('refuses a chain DB of another genesis', async () => {
    const t = await open();
    await t.chain.close();
    const other = customGenesis(t.nodeKey, { timestamp_ms: 1 });
    const err = await Chain.open({ dir: t.dir, genesis: other, nodeKey: t.nodeKey }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDbError);
    expect(err.kind).toBe('mismatch');
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
  });

  it('a locked DB reports ChainDbError naming the lock', async () => {
    const t = await open();
    const err = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDbError);
    expect(err.kind).toBe('locked');
    expect(err.message).toMatch(/locked/);
  });

  it('a corrupt LevelDB reports ChainDbError with the ways out, and deletes nothing', async () => {
    const t = await open();
    await t.chain.produceBlock();
    await t.chain.close();
    const files = await fs.readdir(t.dir);
    const manifest = files.find((f) => f.startsWith('MANIFEST-'))!;
    await fs.writeFile(path.join(t.dir, manifest), Buffer.alloc(200, 0xab));
    const err = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDbError);
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/repair/);
    expect(err.message).toMatch(/restore a snapshot/);
    expect(err.message).toMatch(/resync/);
    const dataFiles = (l: string[]) => l.filter((f) => !f.startsWith('LOG')).sort(); // LevelDB rotates its info LOG
    expect(dataFiles(await fs.readdir(t.dir))).toEqual(dataFiles(files));
    await fs.rm(t.dir, { recursive: true });
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
  });

  it('a state tree that disagrees with the head state root is reported as corrupt; a bad account record when it is read', async () => {
    const t = await open();
    await fill(t, 2);
    await t.chain.produceBlock();
    await t.chain.close();
    // tamper with one page hash of the stored state tree behind the chain's back
    const db = new ClassicLevel<Uint8Array, Uint8Array>(t.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const page = new Uint8Array([0x71, 7]); // 'q' page 7
    const good = await db.get(page);
    await db.put(page, new Uint8Array(32).fill(1));
    await db.close();
    const err = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDbError);
    expect(err.message).toMatch(/state root/);
    const db2 = new ClassicLevel<Uint8Array, Uint8Array>(t.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db2.put(page, new Uint8Array([1, 2, 3]));
    await db2.close();
    const err2 = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey }).catch((e) => e);
    expect(err2).toBeInstanceOf(ChainDbError);
    expect(err2.message).toMatch(/bad size.*Ways out/);
    // restore the page; a malformed account record surfaces (as ChainDbError) when that account is read
    const db3 = new ClassicLevel<Uint8Array, Uint8Array>(t.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db3.put(page, good!);
    const f = await t.keystore.get('faucet');
    await db3.put(new Uint8Array([0x61, ...fromHex(f.address.slice(3))]), new Uint8Array([1, 2, 3]));
    await db3.close();
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
    expect(() => t.chain.accountState(f.address)).toThrow(/bad size.*Ways out/);
    await t.chain.close();
    await fs.rm(t.dir, { recursive: true });
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
  });

  it('opens without reading any account (the tree is on disk) and reads accounts on demand', async () => {
    const t = await open();
    await fill(t, 3);
    await t.chain.produceBlock();
    const f = await t.keystore.get('faucet');
    const before = t.chain.accountState(f.address);
    const tip = t.chain.tip();
    await t.chain.close();
    // move every account record away: the open still checks out (it reads the tree, not accounts)
    const db = new ClassicLevel<Uint8Array, Uint8Array>(t.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    const saved: [Uint8Array, Uint8Array][] = [];
    for await (const kv of db.iterator({ gte: Buffer.from('a'), lt: Buffer.from('b') })) saved.push(kv);
    await db.clear({ gte: Buffer.from('a'), lt: Buffer.from('b') });
    await db.close();
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
    expect(t.chain.tip()).toEqual(tip);
    expect(t.chain.accountState(f.address).balance).toBe(0n);
    await t.chain.close();
    const db2 = new ClassicLevel<Uint8Array, Uint8Array>(t.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db2.batch(saved.map(([key, value]) => ({ type: 'put' as const, key, value })));
    await db2.close();
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
    expect(t.chain.accountState(f.address)).toEqual(before);
  });

  it('tiny account and bucket caches give the same roots as an unbounded in-memory state', async () => {
    const t = await open({ mempool: { maxPerAccount: 100 } });
    const u = await open({ genesis: () => t.genesis });
    const small = await Chain.open({ dir: path.join(u.root, 'small'), genesis: t.genesis, nodeKey: u.nodeKey, stateCache: { accounts: 3, buckets: 2 } });
    try {
      const f = await t.keystore.get('faucet');
      const to = Array.from({ length: 12 }, () => addressOf(generateKeys().publicKey));
      for (let i = 0; i < 4; i++) {
        await fill(t, 12, to); // the same receivers again: their buckets and leaves change in place
        const h = await t.chain.produceBlock();
        expect((await small.importBlock((await t.chain.blockAt(h.height))!.bytes)).state_root).toBe(h.state_root);
      }
      expect(small.accountState(f.address)).toEqual(t.chain.accountState(f.address));
    } finally {
      await small.close();
    }
  });

  it('a layout-3 chain DB (no tree records) is upgraded at open: same head and root', async () => {
    const t = await open();
    await fill(t, 4);
    await t.chain.produceBlock();
    const tip = t.chain.tip();
    await t.chain.close();
    const db = new ClassicLevel<Uint8Array, Uint8Array>(t.dir, { keyEncoding: 'view', valueEncoding: 'view' });
    for (const p of ['n', 'k', 'q']) await db.clear({ gte: Buffer.from(p), lt: Buffer.from(String.fromCharCode(p.charCodeAt(0) + 1)) });
    await db.put(Buffer.from('mschema'), new Uint8Array([3])); // canonical CBOR 3
    await db.close();
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
    expect(t.chain.tip()).toEqual(tip);
    await fill(t, 2);
    await t.chain.produceBlock();
    await t.reopen();
    expect(t.chain.tip().height).toBe(tip.height + 1);
  });

  it('ChainDb.repair runs on a closed DB', async () => {
    const t = await open();
    await t.chain.close();
    await ChainDb.repair(t.dir);
    t.chain = await Chain.open({ dir: t.dir, genesis: t.genesis, nodeKey: t.nodeKey });
    expect(t.chain.tip().height).toBe(0);
  });
});
