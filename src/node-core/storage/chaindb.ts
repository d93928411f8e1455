/**
 * The chain database (classic-level / LevelDB). Layout (keys are bytes, one-byte prefix):
 *   'm' "head"     → CBOR [height, block hash (32)]       head of the canonical chain
 *   'm' "genesis"  → genesis hash (64 hex, UTF-8)          which genesis this DB belongs to
 *   'm' "schema"   → CBOR 3                                layout version (SCHEMA_VERSION)
 *   'b' height u64 BE → block bytes (chain/block.ts)
 *   'h' block hash    → height u64 BE
 *   't' tx id         → height u64 BE ‖ index in block u32 BE ‖ block hash (32)
 *   'a' address (20)  → balance u64 BE ‖ nonce u64 BE       (absent = empty account)
 *   's' module id (UTF-8) → that module's state (canonical CBOR, chain/module.ts StateCodec;
 *                       absent = the module's empty state)
 *   'u' height u64 BE → undo record of that block (multi-validator chains only, until final;
 *                       chain/undo.ts): the accounts and the module states before the block
 *   'n' bucket u16 BE → the accounts-root tree's bucket members: sorted address (20) ‖ leaf (32)
 *   'k' bucket u16 BE → that bucket's hash (absent = 32 zero bytes)
 *   'q' page u8       → page hash (all 256 present)                 (chain/state.ts: the tree)
 *   'm' <name>        → other metadata of the consensus (finalized block, last vote; see chain/)
 * Layout history: 2 = the governor state under 'm' "gov" and a root folding it in by hand;
 * 3 = one 's' key per chain module (chain/root.ts STATE_ROOT_VERSION 3); 4 = the state tree's
 * inner nodes ('n', 'k', 'q') stored beside the accounts, so an open reads no account and hashes
 * nothing (same state root formula). A layout-3 DB opens with `needsTree` set: Chain.open builds
 * the tree from the accounts once and writes it with the layout record 4 in one batch
 * (`migrateTree`). A DB of another layout is refused at open (ChainDbError 'version') with the
 * ways out; it is never read.
 * (Fixed-width binary for the per-tx records: they are written thousands of times per block.)
 * Every block is committed as ONE LevelDB write batch (block, indexes, touched accounts, the tree
 * nodes they changed, head), so after a crash at any instant the DB holds a prefix of the
 * committed blocks with the matching state, tree and head; with `sync: true` (the default) it
 * holds every block whose commit returned. Catch-up import may commit a run of blocks with
 * `sync: false` and the last one synced (one fsync per batch): LevelDB's log is ordered, so the
 * synced write makes the whole run durable.
 */
import { ClassicLevel } from 'classic-level';
import { promises as fs } from 'node:fs';
import { asArray, asBytes, asSafeInt, decodeCanonical, encodeCanonical, readU64be, u64be } from '../codec/canonical.js';
import { toHex } from '../crypto/hash.js';
import { putAccounts, putTree, StateRecords, type TreeWrites } from './state-records.js';

export type { TreeWrites } from './state-records.js';

export const SCHEMA_VERSION = 4;
/** Older layouts this node opens and upgrades in place (3: no tree records yet). */
export const UPGRADABLE_SCHEMAS: readonly number[] = [3];

/** A stored account: balance (base units) and nonce (the chain's AccountState). */
export interface AccountState {
  balance: bigint;
  nonce: bigint;
}

/** A chain DB that cannot be used; `message` lists the ways out. */
export class ChainDbError extends Error {
  constructor(
    readonly kind: 'corrupt' | 'locked' | 'mismatch' | 'io' | 'version',
    readonly dir: string,
    detail: string,
  ) {
    super(
      kind === 'locked'
        ? `chain database ${dir} is locked: ${detail}. Another node process is using it; stop that process (see node.lock in the data directory) and start again.`
        : kind === 'version'
        ? `chain database ${dir} cannot be used: ${detail}. Ways out: ` +
            `(1) resync: move ${dir} aside and start the node (it rebuilds the chain from peers; on the dev network a fresh dev chain starts); ` +
            `(2) restore a snapshot taken by this version of the node. Nothing was deleted.`
        : `chain database ${dir} cannot be used (${kind}): ${detail}. Ways out: ` +
            `(1) repair: stop the node and run LevelDB repair on ${dir} (contract-cli chain repair, or ClassicLevel.repair), then verify with a from-genesis replay; ` +
            `(2) restore a snapshot of the chain/ directory from a backup; ` +
            `(3) resync: move ${dir} aside and start the node to rebuild the chain (on the dev network this starts a fresh dev chain). ` +
            `Nothing was deleted.`,
    );
    this.name = 'ChainDbError';
  }
}

type Db = ClassicLevel<Uint8Array, Uint8Array>;
const enc = { keyEncoding: 'view', valueEncoding: 'view' } as const;

const P = (c: string) => c.charCodeAt(0);
function key(prefix: string, ...parts: Uint8Array[]): Uint8Array {
  let len = 1;
  for (const p of parts) len += p.length;
  const k = new Uint8Array(len);
  k[0] = P(prefix);
  let off = 1;
  for (const p of parts) {
    k.set(p, off);
    off += p.length;
  }
  return k;
}
const META = (name: string) => key('m', new TextEncoder().encode(name));
const K_HEAD = META('head');
const K_GENESIS = META('genesis');
const K_SCHEMA = META('schema');
const K_MODULE = (id: string) => key('s', new TextEncoder().encode(id));
export interface Head {
  height: number;
  hash: Uint8Array;
}

/** One block commit: everything that changes, written atomically. */
export interface BlockCommit {
  height: number;
  hash: Uint8Array;
  bytes: Uint8Array;
  txIds: Uint8Array[];
  /** Touched accounts by 40-hex address; empty accounts are deleted. */
  accounts: Map<string, AccountState>;
  /** Set on the genesis commit only. */
  genesisHash?: string;
  /** Module states the block changed: id → new state bytes, null = back to empty (key deleted). */
  modules?: Map<string, Uint8Array | null>;
  /** Undo record (chain/undo.ts) so the block can be reverted while it is not final. */
  undo?: Uint8Array;
  /** The state tree's inner nodes the block changed (every node on the genesis commit). */
  tree?: TreeWrites;
  /** Metadata written in the same batch (name → bytes). */
  meta?: [string, Uint8Array][];
}

/** Reverting the head block: what to delete and the accounts as they were before it. */
export interface BlockRevert {
  height: number;
  hash: Uint8Array;
  txIds: Uint8Array[];
  /** Accounts before the block by 40-hex address; empty accounts are deleted. */
  restore: Map<string, AccountState>;
  /** Module states before the block: id → bytes, null = was empty (key deleted). */
  modules?: Map<string, Uint8Array | null>;
  /** The state tree's inner nodes as they were before the block. */
  tree?: TreeWrites;
  /** The new head (the parent). */
  parent: Head;
}

function classify(err: unknown): { kind: ChainDbError['kind']; detail: string } {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const detail = e.cause?.message ?? e.message ?? String(err);
  if (code === 'LEVEL_LOCKED') return { kind: 'locked', detail };
  if (code === 'LEVEL_CORRUPTION' || /corrupt/i.test(detail)) return { kind: 'corrupt', detail };
  return { kind: 'io', detail };
}

export class ChainDb {
  /** Set at open for a layout-3 DB: the tree records must be built (Chain.open does, `migrateTree`). */
  needsTree = false;
  /** The accounts and state tree records, read synchronously (chain/state.ts StateStore). */
  readonly stateRecords: StateRecords;

  private constructor(
    readonly dir: string,
    private readonly db: Db,
  ) {
    this.stateRecords = new StateRecords(db, (what, err) => {
      const { kind, detail } = classify(err);
      return new ChainDbError(kind === 'locked' ? 'io' : kind, dir, `${what}: ${detail}`);
    }, (detail) => new ChainDbError('corrupt', dir, detail));
  }

  /**
   * Opens (creating if missing) the chain DB in `dir`.
   * @throws ChainDbError (locked / corrupt / io) with the ways out; never deletes anything.
   */
  static async open(dir: string, o: { createIfMissing?: boolean } = {}): Promise<ChainDb> {
    await fs.mkdir(dir, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { ...enc, createIfMissing: o.createIfMissing ?? true });
    try {
      await db.open();
    } catch (err) {
      const { kind, detail } = classify(err);
      throw new ChainDbError(kind, dir, detail);
    }
    const cdb = new ChainDb(dir, db);
    try {
      const schema = await db.get(K_SCHEMA);
      let version: number | undefined;
      try {
        version = schema === undefined ? undefined : asSafeInt(decodeCanonical(schema, 'schema'), 'schema');
      } catch {
        throw new Error(`layout version record ${toHex(schema!)} does not decode`);
      }
      if (version !== undefined && UPGRADABLE_SCHEMAS.includes(version)) cdb.needsTree = true;
      else if (version !== undefined && version !== SCHEMA_VERSION)
        throw new ChainDbError('version', dir, `it was written in layout version ${version}${version < SCHEMA_VERSION ? ' (before chain modules)' : ''}; this node reads layout version ${SCHEMA_VERSION}`);
      if (version === undefined && (await db.get(K_HEAD)) !== undefined)
        throw new ChainDbError('version', dir, `it has blocks but no layout version record; this node reads layout version ${SCHEMA_VERSION}`);
    } catch (err) {
      await db.close().catch(() => {});
      throw err instanceof ChainDbError ? err : new ChainDbError('corrupt', dir, (err as Error).message);
    }
    return cdb;
  }

  /** Runs LevelDB's repair on a closed DB directory (the first way out of a corrupt DB). */
  static async repair(dir: string): Promise<void> {
    await ClassicLevel.repair(dir);
  }

  /** Wraps a read so that a decode or I/O problem surfaces as ChainDbError('corrupt'). */
  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new ChainDbError('corrupt', this.dir, `${what}: ${(err as Error).message}`);
    }
  }

  async head(): Promise<Head | undefined> {
    return this.guard('head record', async () => {
      const v = await this.db.get(K_HEAD);
      if (v === undefined) return undefined;
      const a = asArray(decodeCanonical(v, 'head'), 'head', 2);
      return { height: asSafeInt(a[0], 'head.height'), hash: asBytes(a[1], 'head.hash', 32) };
    });
  }

  /** Stored module states: module id → state bytes (modules at their empty state have none). */
  async moduleStates(): Promise<Map<string, Uint8Array>> {
    return this.guard('module states', async () => {
      const out = new Map<string, Uint8Array>();
      for await (const [k, v] of this.db.iterator({ gte: key('s'), lt: key('t') })) out.set(new TextDecoder().decode(k.subarray(1)), new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      return out;
    });
  }

  async genesisHash(): Promise<string | undefined> {
    const v = await this.db.get(K_GENESIS);
    return v === undefined ? undefined : new TextDecoder().decode(v);
  }

  /** Stored block bytes (a plain Uint8Array, so `.slice()` copies as callers expect). */
  async blockBytes(height: number): Promise<Uint8Array | undefined> {
    const v = await this.db.get(key('b', u64be(height)));
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  /** Stored bytes of blocks `heights` in one read (LevelDB getMany: one thread-pool trip, not one per block); undefined where absent. */
  async blocksBytes(heights: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    const vs = await this.db.getMany(heights.map((h) => key('b', u64be(h))));
    return vs.map((v) => (v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)));
  }

  async heightOfHash(hash: Uint8Array): Promise<number | undefined> {
    const v = await this.db.get(key('h', hash));
    return v === undefined ? undefined : Number(readU64be(v));
  }

  async txLocation(txId: Uint8Array): Promise<{ height: number; index: number; blockHash: Uint8Array } | undefined> {
    return this.guard('tx index', async () => {
      const v = await this.db.get(key('t', txId));
      if (v === undefined) return undefined;
      if (v.length !== 44) throw new Error(`tx index record has ${v.length} bytes, expected 44`);
      const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
      return { height: Number(dv.getBigUint64(0, false)), index: dv.getUint32(8, false), blockHash: new Uint8Array(v.subarray(12, 44)) };
    });
  }

  /** All accounts (address 40-hex → state), for the in-memory state mirror. */
  async loadAccounts(): Promise<[string, AccountState][]> {
    return this.guard('accounts', async () => {
      const out: [string, AccountState][] = [];
      for await (const [k, v] of this.db.iterator({ gte: key('a'), lt: key('b') })) {
        if (v.length !== 16 || k.length !== 21) throw new Error(`account record ${toHex(k)} has a bad size`);
        const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
        out.push([toHex(k.subarray(1)), { balance: dv.getBigUint64(0, false), nonce: dv.getBigUint64(8, false) }]);
      }
      return out;
    });
  }

  /**
   * Upgrades a layout-3 DB: writes the whole tree (built by the caller from `loadAccounts`) and the
   * layout record 4 in one synced batch.
   */
  async migrateTree(tree: TreeWrites): Promise<void> {
    const batch = this.db.batch();
    putTree(batch, tree);
    batch.put(K_SCHEMA, encodeCanonical(SCHEMA_VERSION));
    await batch.write({ sync: true });
    this.needsTree = false;
  }

  /**
   * Writes account and state-tree records without a block or head (a genesis built in parts,
   * chain/genesis-stream.ts): one batch, not fsynced unless `sync`. The DB is not a chain until a
   * block 0 commit writes the head.
   */
  async putStateRecords(accounts: ReadonlyMap<string, AccountState>, tree: TreeWrites | undefined, o: { sync?: boolean } = {}): Promise<void> {
    const batch = this.db.batch();
    putAccounts(batch, accounts);
    putTree(batch, tree);
    await batch.write({ sync: o.sync ?? false });
  }

  /**
   * Writes one block with its indexes, touched accounts and the new head in one batch,
   * fsynced unless `sync: false` (only for throw-away DBs such as replay's temp DB).
   */
  async commitBlock(c: BlockCommit, o: { sync?: boolean } = {}): Promise<void> {
    await this.commitBlocks([c], o);
  }

  /**
   * Writes consecutive blocks (each as commitBlock would, in order: a later block's records win)
   * in ONE batch — a catch-up run's group commit (chain/chain.ts) — fsynced unless `sync: false`.
   */
  async commitBlocks(cs: readonly BlockCommit[], o: { sync?: boolean } = {}): Promise<void> {
    // A chained batch: measured ~3× faster than the array form for thousands of small records.
    const batch = this.db.batch();
    for (const c of cs) addBlock(batch, c);
    await batch.write({ sync: o.sync ?? true });
  }

  /** Undo record of a block (multi-validator chains, until the block is final), or undefined. */
  async undoBytes(height: number): Promise<Uint8Array | undefined> {
    const v = await this.db.get(key('u', u64be(height)));
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  /**
   * Removes the head block (with its indexes and undo record) and restores the accounts it
   * touched, in one synced batch; the parent becomes the head. The caller checks that the block
   * is the head and not final.
   */
  async revertBlock(r: BlockRevert): Promise<void> {
    const batch = this.db.batch();
    const h = u64be(r.height);
    batch.del(key('b', h));
    batch.del(key('h', r.hash));
    batch.del(key('u', h));
    for (const id of r.txIds) batch.del(key('t', id));
    for (const [addr, a] of r.restore) {
      const k = key('a', Buffer.from(addr, 'hex'));
      if (a.balance === 0n && a.nonce === 0n) batch.del(k);
      else {
        const v = Buffer.allocUnsafe(16);
        v.writeBigUInt64BE(a.balance, 0);
        v.writeBigUInt64BE(a.nonce, 8);
        batch.put(k, v);
      }
    }
    for (const [id, bytes] of r.modules ?? []) {
      if (bytes === null) batch.del(K_MODULE(id));
      else batch.put(K_MODULE(id), bytes);
    }
    putTree(batch, r.tree);
    batch.put(K_HEAD, encodeCanonical([r.parent.height, r.parent.hash]));
    await batch.write({ sync: true });
  }

  /** Deletes the undo records of heights ≤ `height` (those blocks are final). */
  async pruneUndo(height: number): Promise<void> {
    await this.db.clear({ gte: key('u'), lte: key('u', u64be(height)) });
  }

  /** A metadata record by name, or undefined. */
  async getMeta(name: string): Promise<Uint8Array | undefined> {
    const v = await this.db.get(META(name));
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }

  /** Writes metadata records in one synced batch. */
  async putMeta(entries: [string, Uint8Array][]): Promise<void> {
    const batch = this.db.batch();
    for (const [name, value] of entries) batch.put(META(name), value);
    await batch.write({ sync: true });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** Adds block `c`'s records to `batch` (commitBlocks). The per-tx records' keys and values are carved from a few slabs (no allocation per record). */
function addBlock(batch: ReturnType<Db['batch']>, c: BlockCommit): void {
  const h = u64be(c.height);
  batch.put(key('b', h), c.bytes);
  batch.put(key('h', c.hash), h);
  const n = c.txIds.length;
  const txVal = Buffer.allocUnsafe(44 * n);
  const txKey = Buffer.allocUnsafe(33 * n);
  for (let i = 0; i < n; i++) {
    txVal.set(h, 44 * i);
    txVal.writeUInt32BE(i, 44 * i + 8);
    txVal.set(c.hash, 44 * i + 12);
    txKey[33 * i] = P('t');
    txKey.set(c.txIds[i], 33 * i + 1);
    batch.put(txKey.subarray(33 * i, 33 * i + 33), txVal.subarray(44 * i, 44 * i + 44));
  }
  putAccounts(batch, c.accounts);
  for (const [id, bytes] of c.modules ?? []) {
    if (bytes === null) batch.del(K_MODULE(id));
    else batch.put(K_MODULE(id), bytes);
  }
  batch.put(K_HEAD, encodeCanonical([c.height, c.hash]));
  if (c.undo) batch.put(key('u', h), c.undo);
  putTree(batch, c.tree);
  for (const [name, value] of c.meta ?? []) batch.put(META(name), value);
  if (c.genesisHash !== undefined) {
    batch.put(K_GENESIS, new TextEncoder().encode(c.genesisHash));
    batch.put(K_SCHEMA, encodeCanonical(SCHEMA_VERSION));
  }
}
