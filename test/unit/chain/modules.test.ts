// Chain modules on real chain DBs (issue 9 "Bad input"): an unknown kind or a malformed body in
// an imported block, a module state that does not decode at open, a data dir of the previous
// layout, reverting a block that changed a module state; the ledger's moves and the registry's
// refusals of a bad module list.
import { ClassicLevel } from 'classic-level';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { makeBlock, txRoot } from '../../../src/node-core/chain/block.js';
import { Chain, ChainDbError } from '../../../src/node-core/chain/chain.js';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { genesisHash, type Genesis } from '../../../src/node-core/chain/genesis.js';
import { Journal, ledgerOver } from '../../../src/node-core/chain/ledger.js';
import { ModuleSet } from '../../../src/node-core/chain/modules.js';
import { State } from '../../../src/node-core/chain/state.js';
import { signCall } from '../../../src/node-core/chain/tx.js';
import { ImportError } from '../../../src/node-core/chain/verify.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { fromHex, toHex } from '../../../src/node-core/crypto/hash.js';
import { VerifyPool } from '../../../src/node-core/crypto/verify-pool.js';
import { governorChainModule } from '../../../src/node-core/governor/chain-module.js';
import type { KeyPair } from '../../../src/node-core/wallet/keystore.js';
import { addKind, counterChain, counterState } from '../../fixtures/modules/counter/index.js';

const kp = (): KeyPair => {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey) };
};
const vals = [kp(), kp(), kp()];
const user = kp();
function genesisOf(validators: KeyPair[]): Genesis {
  const body = {
    network: 'modtest', chain_id: 4343, block_time_ms: 50, timestamp_ms: Date.now() - 60_000,
    validators: validators.map((v) => ({ address: v.address, public_key: toHex(v.publicKey), stake: '1' })),
    accounts: [{ address: user.address, balance: '1000000' }],
  };
  return { ...body, hash: genesisHash(body) };
}
const multi = genesisOf(vals);
const single = genesisOf([vals[0]]);

const pool = new VerifyPool(1);
const dirs: string[] = [];
const open: Chain[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close().catch(() => {});
  for (const d of dirs.splice(0)) await fs.rm(d, { recursive: true, force: true });
});
afterAll(() => pool.close());

async function chainOf(o: { genesis: Genesis; key: KeyPair; modules?: typeof counterChain[]; dir?: string }): Promise<Chain> {
  const dir = o.dir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'tb mod-')));
  if (!o.dir) dirs.push(dir);
  const c = await Chain.open({ dir, genesis: o.genesis, nodeKey: o.key, verifyPool: pool, modules: o.modules });
  open.push(c);
  return c;
}
const add = (g: Genesis, nonce: number, n: number, body?: unknown[]) =>
  signCall({ chainId: g.chain_id, publicKey: user.publicKey, secretKey: user.secretKey, nonce: BigInt(nonce), fee: 1n, call: { tag: addKind.tag, body: body ?? addKind.encode({ n: BigInt(n) }) } });

async function closeAll(): Promise<void> {
  for (const c of open.splice(0)) await c.close();
}

describe('import of a block with a bad module call', () => {
  it('an unknown kind is refused by name; the chain is unchanged', async () => {
    const x = await chainOf({ genesis: single, key: vals[0], modules: [counterChain] });
    const y = await chainOf({ genesis: single, key: kp() });
    x.submit(add(single, 0, 7).bytes);
    await x.produceBlock();
    const before = y.tip();
    const err = await y.importBlock((await x.blockAt(1))!.bytes).catch((e) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect(err.reason).toBe('unknown_tx_kind');
    expect(err.message).toMatch(/block 1: transaction 0: unknown transaction kind "counter.add"; this node knows transfer$/);
    expect(y.tip()).toEqual(before);
  });

  it('a malformed body of a known kind is refused as malformed_block', async () => {
    const x = await chainOf({ genesis: single, key: vals[0], modules: [counterChain] });
    const bad = add(single, 0, 0, [0]); // n must be 1..1000: no node admits it, so the block is hand-made
    const parent = x.headBlock();
    const block = makeBlock(
      { height: 1, parentHash: parent.hash, timestampMs: parent.header.timestampMs + 1, proposer: fromHex(vals[0].address.slice(3), 20), txRoot: txRoot([fromHex(bad.hash, 32)]), stateRoot: parent.header.stateRoot, epoch: 0, txCount: 1 },
      [bad],
      vals[0].secretKey,
    );
    const err = await x.importBlock(block.bytes).catch((e) => e);
    expect(err).toMatchObject({ reason: 'malformed_block' });
    expect(err.message).toMatch(/transaction 0: counter.add n must be 1..1000/);
    expect(x.tip().height).toBe(0);
  });
});

describe('opening a data dir', () => {
  it('a module state that does not decode is refused naming the module and the ways out; nothing is deleted', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb mod-'));
    dirs.push(dir);
    const x = await chainOf({ genesis: single, key: vals[0], modules: [counterChain], dir });
    x.submit(add(single, 0, 3).bytes);
    await x.produceBlock();
    await closeAll();
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    const key = Buffer.concat([Buffer.from('s'), Buffer.from('counter')]);
    const good = await db.get(key);
    expect(good).toBeDefined();
    await db.put(key, encodeCanonical(['not', 'a counter']));
    await db.close();
    const err = await Chain.open({ dir, genesis: single, nodeKey: vals[0], verifyPool: pool, modules: [counterChain] }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDbError);
    expect(err.kind).toBe('corrupt');
    expect(err.message).toMatch(/the state of module "counter" does not decode: counter.total must be an unsigned 64-bit integer/);
    expect(err.message).toMatch(/restore a snapshot/);
    expect(err.message).toMatch(/resync/);
    expect(err.message).toMatch(/Nothing was deleted/);
    // Put the record back: the chain opens as before (nothing else was touched).
    const db2 = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db2.put(key, good!);
    await db2.close();
    const again = await chainOf({ genesis: single, key: vals[0], modules: [counterChain], dir });
    expect(again.moduleState(counterState)).toEqual({ total: 3n, ticks: 0n });
  });

  it('a chain DB of the previous layout (2) is refused naming the version and the ways out; its blocks stay', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb mod-'));
    dirs.push(dir);
    const x = await chainOf({ genesis: single, key: vals[0], dir });
    await x.produceBlock();
    await closeAll();
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.put(Buffer.from('mschema'), encodeCanonical(2));
    await db.close();
    const err = await Chain.open({ dir, genesis: single, nodeKey: vals[0], verifyPool: pool }).catch((e) => e);
    expect(err).toBeInstanceOf(ChainDbError);
    expect(err.kind).toBe('version');
    expect(err.message).toMatch(/written in layout version 2 \(before chain modules\); this node reads layout version 4/);
    expect(err.message).toMatch(/resync: move .* aside/);
    expect(err.message).toMatch(/restore a snapshot taken by this version/);
    const db2 = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    const blocks: unknown[] = [];
    for await (const k of db2.keys({ gte: Buffer.from('b'), lt: Buffer.from('c') })) blocks.push(k);
    await db2.close();
    expect(blocks).toHaveLength(2);
  });
});

describe('reverting a block that changed a module state', () => {
  it('restores the module state and the parent root, in memory and on disk', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb mod-'));
    dirs.push(dir);
    const x = await chainOf({ genesis: multi, key: vals[0], modules: [counterChain], dir });
    x.submit(add(multi, 0, 4).bytes);
    await x.produceBlock();
    const after1 = x.tip();
    x.submit(add(multi, 1, 6).bytes);
    await x.produceBlock();
    expect(x.moduleState(counterState).total).toBe(10n);
    await x.revertHead();
    expect(x.tip()).toEqual(after1);
    expect(x.moduleState(counterState).total).toBe(4n);
    await x.revertHead();
    expect(x.moduleState(counterState)).toBe(counterChain.state.empty);
    await closeAll();
    const again = await chainOf({ genesis: multi, key: vals[0], modules: [counterChain], dir });
    expect(again.tip().height).toBe(0);
    expect(again.moduleState(counterState)).toEqual({ total: 0n, ticks: 0n });
  });
});

describe('ledger and registry', () => {
  const A = 'tb1' + 'aa'.repeat(20);
  const B = 'tb1' + 'bb'.repeat(20);
  it('moves value or refuses with nothing moved', () => {
    const state = State.from([[A.slice(3), { balance: 10n, nonce: 3n }], [B.slice(3), { balance: (1n << 64n) - 5n, nonce: 0n }]]);
    const j = new Journal(state.begin());
    const l = ledgerOver(j);
    expect(l.transfer(A, B, 11n)).toMatchObject({ reason: 'insufficient_balance' });
    expect(l.transfer(A, B, 6n)).toMatchObject({ reason: 'balance_overflow' });
    expect(l.balance(A)).toBe(10n); // the debit of the refused transfer was rolled back
    expect(l.transfer(A, B, 4n)).toBeNull();
    expect([l.balance(A), l.balance(B)]).toEqual([6n, (1n << 64n) - 1n]);
    expect(l.debit(A, -1n)).toMatchObject({ reason: 'bad_amount' });
    expect(j.get(A.slice(3)).nonce).toBe(3n); // moves never touch nonces
    expect(() => l.credit('tb1xyz', 1n)).toThrow(/not a tb1 address/);
  });

  it('refuses a module list with a duplicate id or tag', () => {
    expect(() => new ModuleSet([counterChain, counterChain])).toThrow(/registered twice/);
    expect(() => new ModuleSet([counterChain, { ...governorChainModule, id: 'other', kinds: counterChain.kinds }])).toThrow(/tag "counter.add" is declared by modules counter and other/);
    expect(() => new ModuleSet([{ ...counterChain, id: 'Bad-Id' }])).toThrow(/must be 1-32 of a-z 0-9 _/);
  });
});
