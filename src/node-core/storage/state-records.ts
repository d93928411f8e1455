/**
 * The chain DB's account and state-tree records (layout in storage/chaindb.ts), read
 * synchronously with classic-level `getSync` — chain/state.ts's `StateStore`, so a block's state
 * transition reads accounts and tree nodes on demand without turning async — and written into a
 * block's batch by `putTree`.
 *   'a' address (20)  → balance u64 BE ‖ nonce u64 BE
 *   'n' bucket u16 BE → bucket members: sorted address (20) ‖ leaf (32)
 *   'k' bucket u16 BE → bucket hash (absent = 32 zero bytes)
 *   'q' page u8       → page hash (all 256 present once the DB has a tree)
 */
import type { ClassicLevel } from 'classic-level';
import { hexInto, toHex } from '../crypto/hash.js';

type Db = ClassicLevel<Uint8Array, Uint8Array>;

/** The state tree's changed inner nodes (chain/state.ts TreeWrites). */
export interface TreeWrites {
  members: Map<number, Uint8Array | null>;
  buckets: Map<number, Uint8Array | null>;
  pages: Map<number, Uint8Array>;
}

const prefixed = (c: string, rest: Uint8Array) => {
  const k = new Uint8Array(1 + rest.length);
  k[0] = c.charCodeAt(0);
  k.set(rest, 1);
  return k;
};
const u16be = (n: number) => Uint8Array.of(n >>> 8, n & 255);
const K_MEMBERS = (b: number) => prefixed('n', u16be(b));
const K_BUCKET = (b: number) => prefixed('k', u16be(b));
const K_PAGE = (p: number) => prefixed('q', Uint8Array.of(p));

type BatchLike = { put(k: Uint8Array, v: Uint8Array): unknown; del(k: Uint8Array): unknown };

/**
 * Adds account records to a batch: 'a' address → balance u64 BE ‖ nonce u64 BE; an empty account
 * (balance 0, nonce 0) deletes its record. Keys and values are views of two slabs allocated once
 * per call (thousands of accounts per block; no op object or subarray copy per record).
 * @param accounts 40-hex address → state (balance and nonce in base units / count, u64).
 */
export function putAccounts(batch: BatchLike, accounts: ReadonlyMap<string, { balance: bigint; nonce: bigint }>): void {
  const keys = Buffer.allocUnsafe(21 * accounts.size);
  const vals = Buffer.allocUnsafe(16 * accounts.size);
  const dv = new DataView(vals.buffer, vals.byteOffset, vals.byteLength);
  let i = 0;
  for (const [addr, a] of accounts) {
    keys[21 * i] = 0x61; // 'a'
    hexInto(addr, keys, 21 * i + 1, 20);
    const k = keys.subarray(21 * i, 21 * i + 21);
    if (a.balance === 0n && a.nonce === 0n) batch.del(k);
    else {
      dv.setBigUint64(16 * i, a.balance);
      dv.setBigUint64(16 * i + 8, a.nonce);
      batch.put(k, vals.subarray(16 * i, 16 * i + 16));
    }
    i++;
  }
}

/** Adds the tree writes to a batch (null = delete the record); keys carved from one slab. */
export function putTree(batch: BatchLike, t: TreeWrites | undefined): void {
  if (!t) return;
  const keys = Buffer.allocUnsafe(3 * (t.members.size + t.buckets.size) + 2 * t.pages.size);
  let at = 0;
  const next = (c: number, b: number, len: number) => {
    keys[at] = c;
    if (len === 3) {
      keys[at + 1] = b >>> 8;
      keys[at + 2] = b & 255;
    } else keys[at + 1] = b;
    at += len;
    return keys.subarray(at - len, at);
  };
  for (const [b, rec] of t.members) {
    const k = next(0x6e, b, 3); // 'n'
    if (rec === null) batch.del(k);
    else batch.put(k, rec);
  }
  for (const [b, h] of t.buckets) {
    const k = next(0x6b, b, 3); // 'k'
    if (h === null) batch.del(k);
    else batch.put(k, h);
  }
  for (const [p, h] of t.pages) batch.put(next(0x71, p, 2), h); // 'q'
}

export class StateRecords {
  /**
   * @param ioError wraps a LevelDB read error (what was read, the error); corrupt wraps a bad record.
   */
  constructor(
    private readonly db: Db,
    private readonly ioError: (what: string, err: unknown) => Error,
    private readonly corrupt: (detail: string) => Error,
  ) {}

  /** One stored account by 40-hex address. */
  account(addrHex: string): { balance: bigint; nonce: bigint } | undefined {
    const k = new Uint8Array(21);
    k[0] = 0x61; // 'a'
    hexInto(addrHex, k, 1, 20);
    const v = this.get(k, 'account');
    if (v === undefined) return undefined;
    if (v.length !== 16) throw this.corrupt(`account record ${addrHex} has a bad size (${v.length} bytes, expected 16)`);
    const dv = new DataView(v.buffer, v.byteOffset, v.byteLength);
    return { balance: dv.getBigUint64(0, false), nonce: dv.getBigUint64(8, false) };
  }

  /** Bucket b's member record (sorted address ‖ leaf). */
  bucketMembers(b: number): Uint8Array | undefined {
    return this.get(K_MEMBERS(b), 'bucket members');
  }

  /** Bucket b's hash (undefined = zero hash). */
  bucketHash(b: number): Uint8Array | undefined {
    const v = this.get(K_BUCKET(b), 'bucket hash');
    if (v !== undefined && v.length !== 32) throw this.corrupt(`bucket hash record ${b} has a bad size (${v.length} bytes)`);
    return v;
  }

  /** Every bucket hash (65,536 × 32 bytes, zero = empty bucket), read with one iterator (≤ 2 MiB). */
  async allBucketHashes(): Promise<Uint8Array> {
    const out = new Uint8Array(65536 * 32);
    try {
      for await (const [k, v] of this.db.iterator({ gte: Uint8Array.of(0x6b), lt: Uint8Array.of(0x6c) })) {
        if (k.length !== 3 || v.length !== 32) throw this.corrupt(`bucket hash record ${toHex(k)} has a bad size`);
        out.set(v, ((k[1] << 8) | k[2]) * 32);
      }
    } catch (err) {
      throw err instanceof Error && err.name === 'ChainDbError' ? err : this.ioError('bucket hashes', err);
    }
    return out;
  }

  /** The 256 page hashes (256 × 32 bytes), or undefined when the DB holds no tree yet. */
  pageHashes(): Uint8Array | undefined {
    const out = new Uint8Array(256 * 32);
    for (let p = 0; p < 256; p++) {
      const v = this.get(K_PAGE(p), 'page hash');
      if (v === undefined) {
        if (p === 0) return undefined;
        throw this.corrupt(`page hash ${p} of the state tree is missing`);
      }
      if (v.length !== 32) throw this.corrupt(`page hash record ${p} has a bad size (${v.length} bytes)`);
      out.set(v, p * 32);
    }
    return out;
  }

  private get(k: Uint8Array, what: string): Uint8Array | undefined {
    let v: Uint8Array | undefined;
    try {
      v = this.db.getSync(k);
    } catch (err) {
      throw this.ioError(what, err);
    }
    return v === undefined ? undefined : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
}
