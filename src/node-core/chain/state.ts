/**
 * Account state (balance in base units, nonce) and its state root.
 *
 * State root: a three-level Merkle tree, chosen so one block's update costs O(touched accounts),
 * not O(all accounts) (SHA-256 throughout: native OpenSSL, ~5× faster than JS BLAKE3 for these
 * small inputs; the tx and block ids keep the reference's BLAKE3):
 *   leaf(a)    = SHA-256(0x00 ‖ address (20) ‖ balance u64 BE ‖ nonce u64 BE)
 *   bucket(b)  = SHA-256(0x01 ‖ leaves of the accounts whose address starts with the 16 bits b,
 *                ordered by address)                                              (65,536 buckets)
 *                except: an empty bucket is 32 zero bytes, a bucket of one account is its leaf
 *                (most buckets hold 0 or 1 account; leaf and bucket preimages differ in their prefix)
 *   page(p)    = SHA-256(0x02 ‖ bucket(256·p) ‖ … ‖ bucket(256·p + 255))          (256 pages)
 *   state_root = SHA-256(0x03 ‖ page(0) ‖ … ‖ page(255))
 * A block re-hashes only the touched leaves, their buckets and pages, then the 8 KiB root level.
 * Accounts with balance 0 and nonce 0 do not exist (they are deleted), so the root is a function
 * of the non-empty accounts only.
 *
 * Where it lives. The authoritative copy is the chain DB (storage/chaindb.ts): the accounts AND
 * the tree's inner nodes (each bucket's member list `address ‖ leaf`, each bucket hash, each page
 * hash), written in the same batch as the block that changed them. A `State` over a `StateStore`
 * (the DB) reads nothing at construction but the 256 page hashes (8 KiB) and hashes nothing: an
 * account, a bucket's members or a page's 256 bucket hashes are read synchronously on first use
 * and kept in bounded caches (`StateCacheLimits`), so memory does not grow with the number of
 * accounts. Without a store (`State.from`: genesis, tests) everything is in memory. The caches
 * hold committed values only; changes are staged in an `Overlay` so a rejected block leaves the
 * state untouched, and `commit` installs them after the block's DB batch was written.
 */
import { hash as oneShot } from 'node:crypto';
import { hexInto, sha256Into, toHex } from '../crypto/hash.js';
import { checkMembers, cmpAddr, copyBytes, hasMember, hashMembers, Lru, mergeMembers, NO_MEMBERS, Slab } from './state-buckets.js';

export const BUCKETS = 65536;
export const PAGES = 256;
const PER_PAGE = BUCKETS / PAGES;
const ZERO = new Uint8Array(32);

export interface AccountState {
  balance: bigint;
  nonce: bigint;
}

const EMPTY: AccountState = Object.freeze({ balance: 0n, nonce: 0n }) as AccountState;

/**
 * The committed state on disk, read synchronously (storage/chaindb.ts implements it with
 * classic-level `getSync`). Every method returns undefined for "absent" (empty account, empty
 * bucket, zero bucket hash).
 */
export interface StateStore {
  account(addrHex: string): AccountState | undefined;
  /** Bucket b's member record: sorted `address (20) ‖ leaf (32)` entries. */
  bucketMembers(b: number): Uint8Array | undefined;
  bucketHash(b: number): Uint8Array | undefined;
  /** The 256 page hashes (PAGES × 32 bytes), or undefined when the DB has no tree yet. */
  pageHashes(): Uint8Array | undefined;
}

/** The inner nodes a block changed, written in its DB batch (keys: storage/chaindb.ts). */
export interface TreeWrites {
  /** bucket → member record, null = bucket now empty (record deleted). */
  members: Map<number, Uint8Array | null>;
  /** bucket → hash, null = zero hash (record deleted). */
  buckets: Map<number, Uint8Array | null>;
  /** page → hash. */
  pages: Map<number, Uint8Array>;
}

/** Most cached accounts and buckets of a store-backed State (defaults: 100,000 and 8,192: ~25 MB and ~20 MB of heap at 1M accounts). */
export interface StateCacheLimits {
  accounts?: number;
  buckets?: number;
}

/** Bucket of an address given as 40 hex digits: its first 16 bits. */
export function bucketOf(addrHex: string): number {
  return parseInt(addrHex.slice(0, 4), 16);
}

/** Reused input of leaf hashes: 0x00 ‖ address (20) ‖ balance u64 BE ‖ nonce u64 BE. */
const leafInput = Buffer.alloc(37);
const leafView = new DataView(leafInput.buffer, leafInput.byteOffset, leafInput.byteLength);
/** Reused inputs of page and root hashes (hashing is synchronous, so never shared by two calls). */
const pageInput = Buffer.alloc(1 + PER_PAGE * 32);
const rootInput = Buffer.alloc(1 + PAGES * 32);
/** A 32-byte hash output; a 20-byte address. */
const out32 = new Uint8Array(32);
const addrScratch = new Uint8Array(20);

/** Staged account changes on top of a State (one block being built or imported). */
export class Overlay {
  readonly changes = new Map<string, AccountState>();
  constructor(private readonly base: State) {}
  /** Account by 40-hex address (never undefined: unknown accounts are empty). */
  get(addrHex: string): AccountState {
    return this.changes.get(addrHex) ?? this.base.get(addrHex, true);
  }
  set(addrHex: string, a: AccountState): void {
    this.changes.set(addrHex, a);
  }
}

/**
 * Result of hashing an overlay: the new root plus what `commit` installs and the DB writes, in
 * flat arrays (one block touches thousands of buckets: no Map or object per bucket).
 */
export interface Prepared {
  overlay: Overlay;
  root: Uint8Array;
  /** Changed buckets, ascending. */
  bucketIds: number[];
  /** New member record of bucketIds[j] (length 0 = the bucket is now empty). */
  records: Uint8Array[];
  /** New hash of bucketIds[j] at 32·j. */
  bucketHashes: Uint8Array;
  /** Changed pages, ascending, and their new hashes at 32·j. */
  pageIds: number[];
  pageHashes: Uint8Array;
}

export class State {
  private readonly accounts: Lru<string, AccountState>;
  /** Member records of buckets read or built so far (length 0 = known empty bucket). */
  private readonly members: Lru<number, Uint8Array>;
  private readonly bucketHashes = new Uint8Array(BUCKETS * 32);
  /** Pages whose 256 bucket hashes are in `bucketHashes` (all of them without a store). */
  private readonly pageLoaded = new Uint8Array(PAGES);
  private readonly pageHashes = new Uint8Array(PAGES * 32);
  private rootHash: Uint8Array = ZERO;

  private constructor(
    private readonly store: StateStore | undefined,
    limits: StateCacheLimits = {},
  ) {
    this.accounts = new Lru(store ? (limits.accounts ?? 100_000) : Infinity);
    this.members = new Lru(store ? (limits.buckets ?? 8_192) : Infinity);
  }

  /** An in-memory state built from accounts (genesis allocations, tests, a DB migration). */
  static from(entries: Iterable<[string, AccountState]>): State {
    const s = new State(undefined);
    s.pageLoaded.fill(1);
    pageInput.fill(0);
    pageInput[0] = 2;
    const emptyPage = oneShot('sha256', pageInput, 'buffer');
    for (let p = 0; p < PAGES; p++) s.pageHashes.set(emptyPage, p * 32);
    s.rootHash = s.hashRoot([], ZERO);
    const ov = s.begin();
    for (const [addr, a] of entries) if (a.balance !== 0n || a.nonce !== 0n) ov.set(addr, a);
    s.commit(s.prepare(ov));
    return s;
  }

  /**
   * The state stored in `store` (a chain DB holding the tree): reads the 256 page hashes and
   * hashes them once (8 KiB) for the root; nothing else until used.
   * @throws Error when the store holds no tree.
   */
  static open(store: StateStore, limits?: StateCacheLimits): State {
    const pages = store.pageHashes();
    if (!pages || pages.length !== PAGES * 32) throw new Error('the chain DB holds no state tree');
    const s = new State(store, limits);
    s.pageHashes.set(pages);
    s.rootHash = s.hashRoot([], ZERO);
    return s;
  }

  /** Whether bucket b is known to be empty (its page's hashes are loaded and its hash is zero): nothing to read. */
  private knownEmpty(b: number): boolean {
    if (!this.pageLoaded[b >>> 8]) return false;
    const o = b * 32;
    for (let i = 0; i < 32; i += 4) if (this.bucketHashes[o + i] | this.bucketHashes[o + i + 1] | this.bucketHashes[o + i + 2] | this.bucketHashes[o + i + 3]) return false;
    return true;
  }

  /**
   * The committed account at a 40-hex address (empty when absent).
   * @param forWrite the caller is a block run that may change the account (Overlay): then the
   *   bucket's member record, which the block's tree update reads anyway, is read first and an
   *   address that is not a member costs no account read (a new recipient is the common case;
   *   without a bloom filter an absent key is LevelDB's dearest read). Plain reads (RPC, mempool)
   *   use the member record only when it is cached.
   */
  get(addrHex: string, forWrite = false): AccountState {
    const hit = this.accounts.get(addrHex);
    if (hit !== undefined || !this.store) return hit ?? EMPTY;
    const b = bucketOf(addrHex);
    if (this.knownEmpty(b)) return EMPTY;
    const m = forWrite ? this.bucketMembers(b) : this.members.get(b);
    if (m !== undefined) {
      hexInto(addrHex, addrScratch, 0, 20);
      if (!hasMember(m, addrScratch)) {
        this.accounts.set(addrHex, EMPTY);
        return EMPTY;
      }
    }
    const a = this.store.account(addrHex) ?? EMPTY;
    this.accounts.set(addrHex, a);
    return a;
  }

  /** Accounts held in memory (all of them without a store; the cached ones with one). */
  get cachedAccounts(): number {
    return this.accounts.size;
  }

  /**
   * Every inner node and account of an in-memory state, as DB writes (genesis commit, migration).
   * @throws Error for a store-backed state (its tree is already on disk).
   */
  allRecords(): { accounts: Map<string, AccountState>; tree: TreeWrites } {
    if (this.store) throw new Error('allRecords() is for in-memory states');
    const tree: TreeWrites = { members: new Map(), buckets: new Map(), pages: new Map() };
    for (const [b, rec] of this.members.entries()) {
      tree.members.set(b, rec.length === 0 ? null : rec);
      tree.buckets.set(b, rec.length === 0 ? null : this.bucketHashes.slice(b * 32, b * 32 + 32));
    }
    for (let p = 0; p < PAGES; p++) tree.pages.set(p, this.pageHashes.slice(p * 32, p * 32 + 32));
    return { accounts: new Map(this.accounts.entries()), tree };
  }

  begin(): Overlay {
    return new Overlay(this);
  }

  root(): Uint8Array {
    return this.rootHash;
  }

  rootHex(): string {
    return toHex(this.rootHash);
  }

  /** Bucket b's committed member record (read once from the store). */
  private bucketMembers(b: number): Uint8Array {
    let m = this.members.get(b);
    if (m) return m;
    const rec = this.knownEmpty(b) ? undefined : this.store?.bucketMembers(b);
    m = rec ? checkMembers(rec) : NO_MEMBERS;
    this.members.set(b, m);
    return m;
  }

  /**
   * Installs every bucket hash read in the background after open (`ChainDb.allBucketHashes`, a
   * snapshot taken after the open), for the pages not loaded yet. A page loaded meanwhile (by
   * `loadPage`, always before a block changes it) keeps its newer copy, so the snapshot is
   * current for every page it fills.
   * @param hashes BUCKETS × 32 bytes (zero = empty bucket).
   */
  preload(hashes: Uint8Array): void {
    for (let p = 0; p < PAGES; p++) {
      if (this.pageLoaded[p]) continue;
      this.bucketHashes.set(hashes.subarray(p * PER_PAGE * 32, (p + 1) * PER_PAGE * 32), p * PER_PAGE * 32);
      this.pageLoaded[p] = 1;
    }
  }

  /** Makes page p's 256 bucket hashes available in `bucketHashes` (read once from the store). */
  private loadPage(p: number): void {
    if (this.pageLoaded[p] || !this.store) return;
    for (let b = p * PER_PAGE; b < (p + 1) * PER_PAGE; b++) {
      const h = this.store.bucketHash(b);
      if (h) this.bucketHashes.set(h, b * 32);
    }
    this.pageLoaded[p] = 1;
  }

  /** Page p's hash with the new hashes of buckets ids[from..to) (all in page p) at 32·j of `hashes`. */
  private hashPage(p: number, ids: number[], hashes: Uint8Array, from: number, to: number): Uint8Array {
    this.loadPage(p);
    const input = pageInput;
    input[0] = 2;
    input.set(this.bucketHashes.subarray(p * PER_PAGE * 32, (p + 1) * PER_PAGE * 32), 1);
    for (let j = from; j < to; j++) copyBytes(input, 1 + (ids[j] - p * PER_PAGE) * 32, hashes, 32 * j, 32);
    return oneShot('sha256', input, 'buffer');
  }

  /** The root with pages ids[j] replaced by the hashes at 32·j of `hashes`. */
  private hashRoot(ids: number[], hashes: Uint8Array): Uint8Array {
    const input = rootInput;
    input[0] = 3;
    input.set(this.pageHashes, 1);
    for (let j = 0; j < ids.length; j++) copyBytes(input, 1 + ids[j] * 32, hashes, 32 * j, 32);
    return new Uint8Array(oneShot('sha256', input, 'buffer'));
  }

  /**
   * Hashes the state as it would be after `overlay`, without changing this state: the changed
   * leaves (grouped by bucket, address order within), each changed bucket's new member record and
   * hash, each changed page, the root.
   */
  prepare(overlay: Overlay): Prepared {
    const n = overlay.changes.size;
    const addrs = new Uint8Array(20 * n);
    const leaves = new Uint8Array(32 * n);
    const live = new Uint8Array(n);
    /** bucket · 2^32 + change index: sorted, the changes grouped by ascending bucket. */
    const order = new Float64Array(n);
    let i = 0;
    for (const [addr, a] of overlay.changes) {
      leafInput[0] = 0;
      hexInto(addr, leafInput, 1, 20);
      for (let k = 0; k < 20; k++) addrs[20 * i + k] = leafInput[1 + k];
      if (a.balance !== 0n || a.nonce !== 0n) {
        leafView.setBigUint64(21, a.balance);
        leafView.setBigUint64(29, a.nonce);
        sha256Into(out32, leafInput);
        leaves.set(out32, 32 * i);
        live[i] = 1;
      }
      order[i] = ((addrs[20 * i] << 8) | addrs[20 * i + 1]) * 4294967296 + i;
      i++;
    }
    order.sort();
    const bucketIds: number[] = [];
    const records: Uint8Array[] = [];
    const idx: number[] = [];
    const slab = new Slab(Math.min(256 * 1024, 64 * n + 1024));
    for (let s = 0; s < n; ) {
      const b = Math.floor(order[s] / 4294967296);
      idx.length = 0;
      for (; s < n && Math.floor(order[s] / 4294967296) === b; s++) {
        // insertion by address (a bucket's changes are few)
        const c = order[s] % 4294967296;
        let at = idx.length;
        idx.push(c);
        for (; at > 0 && cmpAddr(addrs, 20 * idx[at - 1], addrs, 20 * c) > 0; at--) idx[at] = idx[at - 1];
        idx[at] = c;
      }
      bucketIds.push(b);
      records.push(mergeMembers(this.bucketMembers(b), idx, addrs, leaves, live, slab));
    }
    const bucketHashes = new Uint8Array(32 * bucketIds.length);
    for (let j = 0; j < bucketIds.length; j++) hashMembers(records[j], bucketHashes, 32 * j);
    const pageIds: number[] = [];
    const pageHashes = new Uint8Array(32 * PAGES);
    for (let j = 0; j < bucketIds.length; ) {
      const p = bucketIds[j] >>> 8;
      let e = j + 1;
      while (e < bucketIds.length && bucketIds[e] >>> 8 === p) e++;
      pageHashes.set(this.hashPage(p, bucketIds, bucketHashes, j, e), 32 * pageIds.length);
      pageIds.push(p);
      j = e;
    }
    const root = pageIds.length === 0 ? this.rootHash : this.hashRoot(pageIds, pageHashes);
    return { overlay, root, bucketIds, records, bucketHashes, pageIds, pageHashes: pageHashes.subarray(0, 32 * pageIds.length) };
  }

  /** The DB writes of a prepared overlay's inner nodes (same batch as its block). */
  static treeWrites(p: Prepared): TreeWrites {
    const out: TreeWrites = { members: new Map(), buckets: new Map(), pages: new Map() };
    p.bucketIds.forEach((b, j) => {
      const empty = p.records[j].length === 0;
      out.members.set(b, empty ? null : p.records[j]);
      out.buckets.set(b, empty ? null : p.bucketHashes.subarray(32 * j, 32 * j + 32));
    });
    p.pageIds.forEach((pg, j) => out.pages.set(pg, p.pageHashes.subarray(32 * j, 32 * j + 32)));
    return out;
  }

  /** Installs a prepared overlay (after its block was durably committed). */
  commit(p: Prepared): void {
    for (const [addr, a] of p.overlay.changes) this.accounts.set(addr, a.balance === 0n && a.nonce === 0n ? EMPTY : a);
    p.bucketIds.forEach((b, j) => {
      this.members.set(b, p.records[j]);
      this.loadPage(b >>> 8);
      copyBytes(this.bucketHashes, b * 32, p.bucketHashes, 32 * j, 32);
    });
    p.pageIds.forEach((pg, j) => copyBytes(this.pageHashes, pg * 32, p.pageHashes, 32 * j, 32));
    this.rootHash = p.root;
  }
}
