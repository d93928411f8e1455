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
import { toHex } from '../crypto/hash.js';

export const BUCKETS = 65536;
export const PAGES = 256;
const PER_PAGE = BUCKETS / PAGES;
const ZERO = new Uint8Array(32);
/** Bytes of one bucket member in a member record: address (20) ‖ leaf hash (32). */
const MEMBER = 52;

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

const sha = (b: Uint8Array): Uint8Array => oneShot('sha256', b, 'buffer');

/** Reused input buffer of leaf hashes: 0x00 ‖ address (20) ‖ balance u64 BE ‖ nonce u64 BE. */
const leafInput = Buffer.alloc(37);
function leafHash(addrHex: string, a: AccountState): Uint8Array {
  leafInput[0] = 0;
  leafInput.write(addrHex, 1, 20, 'hex');
  leafInput.writeBigUInt64BE(a.balance, 21);
  leafInput.writeBigUInt64BE(a.nonce, 29);
  return sha(leafInput);
}

/** Reused inputs of page and root hashes (hashing is synchronous, so never shared by two calls). */
const pageInput = Buffer.alloc(1 + PER_PAGE * 32);
const rootInput = Buffer.alloc(1 + PAGES * 32);

/** Bucket members: address (40 hex) → leaf hash. */
type Members = Map<string, Uint8Array>;

function decodeMembers(rec: Uint8Array): Members {
  if (rec.length % MEMBER !== 0) throw new Error(`bucket member record has ${rec.length} bytes, not a multiple of ${MEMBER}`);
  const m: Members = new Map();
  const buf = Buffer.from(rec.buffer, rec.byteOffset, rec.byteLength);
  for (let o = 0; o < rec.length; o += MEMBER) m.set(buf.toString('hex', o, o + 20), new Uint8Array(rec.subarray(o + 20, o + MEMBER)));
  return m;
}

/** Sorted member record of a bucket, or null when it is empty. */
function encodeMembers(m: Members): Uint8Array | null {
  if (m.size === 0) return null;
  const keys = [...m.keys()].sort();
  const out = Buffer.allocUnsafe(MEMBER * keys.length);
  keys.forEach((k, i) => {
    out.write(k, MEMBER * i, 20, 'hex');
    out.set(m.get(k)!, MEMBER * i + 20);
  });
  return out;
}

/** Hash of a bucket from its members (see the header). */
function hashMembers(m: Members): Uint8Array {
  if (m.size === 0) return ZERO;
  if (m.size === 1) return m.values().next().value!;
  const keys = [...m.keys()].sort();
  const input = Buffer.allocUnsafe(1 + 32 * keys.length);
  input[0] = 1;
  keys.forEach((k, i) => input.set(m.get(k)!, 1 + 32 * i));
  return sha(input);
}

/**
 * A Map that forgets its oldest entries beyond `max` (unbounded when max is Infinity). "Oldest" is
 * by last write (reads do not reorder: a hit costs one Map lookup); every account a block changes
 * is rewritten at commit, so active accounts stay.
 */
class Lru<K, V> {
  private readonly m = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    return this.m.get(k);
  }
  set(k: K, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) for (const old of this.m.keys()) {
      this.m.delete(old);
      if (this.m.size <= this.max * 0.9) break;
    }
  }
  get size(): number {
    return this.m.size;
  }
  entries(): IterableIterator<[K, V]> {
    return this.m.entries();
  }
}

/** Staged account changes on top of a State (one block being built or imported). */
export class Overlay {
  readonly changes = new Map<string, AccountState>();
  constructor(private readonly base: State) {}
  /** Account by 40-hex address (never undefined: unknown accounts are empty). */
  get(addrHex: string): AccountState {
    return this.changes.get(addrHex) ?? this.base.get(addrHex);
  }
  set(addrHex: string, a: AccountState): void {
    this.changes.set(addrHex, a);
  }
}

/** Result of hashing an overlay: the new root plus what `commit` installs and the DB writes. */
export interface Prepared {
  overlay: Overlay;
  root: Uint8Array;
  leaves: Map<string, Uint8Array | null>;
  buckets: Map<number, Uint8Array>;
  pages: Map<number, Uint8Array>;
  /** New member sets of the changed buckets. */
  members: Map<number, Members>;
}

export class State {
  private readonly accounts: Lru<string, AccountState>;
  /** Member sets of buckets read or built so far (an empty Map = known empty bucket). */
  private readonly members: Lru<number, Members>;
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
    for (const [addr, a] of entries) {
      if (a.balance === 0n && a.nonce === 0n) continue;
      s.accounts.set(addr, a);
      const b = bucketOf(addr);
      let m = s.members.get(b);
      if (!m) s.members.set(b, (m = new Map()));
      m.set(addr, leafHash(addr, a));
    }
    for (const [b, m] of s.members.entries()) s.bucketHashes.set(hashMembers(m), b * 32);
    s.pageLoaded.fill(1);
    for (let p = 0; p < PAGES; p++) s.pageHashes.set(s.hashPage(p, new Map()), p * 32);
    s.rootHash = s.hashRoot(new Map());
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
    s.rootHash = s.hashRoot(new Map());
    return s;
  }

  /** Whether bucket b is known to be empty (its page's hashes are loaded and its hash is zero): nothing to read. */
  private knownEmpty(b: number): boolean {
    if (!this.pageLoaded[b >>> 8]) return false;
    const o = b * 32;
    for (let i = 0; i < 32; i += 4) if (this.bucketHashes[o + i] | this.bucketHashes[o + i + 1] | this.bucketHashes[o + i + 2] | this.bucketHashes[o + i + 3]) return false;
    return true;
  }

  get(addrHex: string): AccountState {
    const hit = this.accounts.get(addrHex);
    if (hit !== undefined || !this.store) return hit ?? EMPTY;
    if (this.knownEmpty(bucketOf(addrHex))) return EMPTY;
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
    for (const [b, m] of this.members.entries()) {
      tree.members.set(b, encodeMembers(m));
      tree.buckets.set(b, m.size === 0 ? null : this.bucketHashes.slice(b * 32, b * 32 + 32));
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

  private bucketMembers(b: number): Members {
    let m = this.members.get(b);
    if (m) return m;
    const rec = this.knownEmpty(b) ? undefined : this.store?.bucketMembers(b);
    m = rec ? decodeMembers(rec) : new Map();
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

  private hashPage(p: number, bucketOverrides: Map<number, Uint8Array>): Uint8Array {
    this.loadPage(p);
    const input = pageInput;
    input[0] = 2;
    input.set(this.bucketHashes.subarray(p * PER_PAGE * 32, (p + 1) * PER_PAGE * 32), 1);
    for (const [b, h] of bucketOverrides) if (b >>> 8 === p) input.set(h, 1 + (b - p * PER_PAGE) * 32);
    return sha(input);
  }

  private hashRoot(pageOverrides: Map<number, Uint8Array>): Uint8Array {
    const input = rootInput;
    input[0] = 3;
    input.set(this.pageHashes, 1);
    for (const [p, h] of pageOverrides) input.set(h, 1 + p * 32);
    return sha(input);
  }

  /** Hashes the state as it would be after `overlay`, without changing this state. */
  prepare(overlay: Overlay): Prepared {
    const leaves = new Map<string, Uint8Array | null>();
    const members = new Map<number, Members>();
    for (const [addr, a] of overlay.changes) {
      const leaf = a.balance === 0n && a.nonce === 0n ? null : leafHash(addr, a);
      leaves.set(addr, leaf);
      const b = bucketOf(addr);
      let m = members.get(b);
      if (!m) members.set(b, (m = new Map(this.bucketMembers(b))));
      if (leaf) m.set(addr, leaf);
      else m.delete(addr);
    }
    const buckets = new Map<number, Uint8Array>();
    const dirtyPages = new Map<number, Map<number, Uint8Array>>();
    for (const [b, m] of members) {
      const h = hashMembers(m);
      buckets.set(b, h);
      const p = b >>> 8;
      const d = dirtyPages.get(p);
      if (d) d.set(b, h);
      else dirtyPages.set(p, new Map([[b, h]]));
    }
    const pages = new Map<number, Uint8Array>();
    for (const [p, overrides] of dirtyPages) pages.set(p, this.hashPage(p, overrides));
    const root = pages.size === 0 ? this.rootHash : this.hashRoot(pages);
    return { overlay, root, leaves, buckets, pages, members };
  }

  /** The DB writes of a prepared overlay's inner nodes (same batch as its block). */
  static treeWrites(p: Prepared): TreeWrites {
    const out: TreeWrites = { members: new Map(), buckets: new Map(), pages: p.pages };
    for (const [b, m] of p.members) {
      out.members.set(b, encodeMembers(m));
      const h = p.buckets.get(b)!;
      out.buckets.set(b, m.size === 0 ? null : h);
    }
    return out;
  }

  /** Installs a prepared overlay (after its block was durably committed). */
  commit(p: Prepared): void {
    for (const [addr, a] of p.overlay.changes) this.accounts.set(addr, p.leaves.get(addr) ? a : EMPTY);
    for (const [b, m] of p.members) this.members.set(b, m);
    for (const [b, h] of p.buckets) {
      this.loadPage(b >>> 8);
      this.bucketHashes.set(h, b * 32);
    }
    for (const [pg, h] of p.pages) this.pageHashes.set(h, pg * 32);
    this.rootHash = p.root;
  }
}
