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
 * The authoritative copy lives in classic-level (ChainDb); this class is its in-memory mirror,
 * loaded at open and updated only after a block commits. Changes are staged in an `Overlay` so a
 * rejected block leaves the state untouched.
 */
import { hash as oneShot } from 'node:crypto';
import { toHex } from '../crypto/hash.js';

export const BUCKETS = 65536;
export const PAGES = 256;
const PER_PAGE = BUCKETS / PAGES;
const ZERO = new Uint8Array(32);

export interface AccountState {
  balance: bigint;
  nonce: bigint;
}

const EMPTY: AccountState = Object.freeze({ balance: 0n, nonce: 0n }) as AccountState;

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

/** Result of hashing an overlay: the new root plus what `commit` installs. */
export interface Prepared {
  overlay: Overlay;
  root: Uint8Array;
  leaves: Map<string, Uint8Array | null>;
  buckets: Map<number, Uint8Array>;
  pages: Map<number, Uint8Array>;
}

export class State {
  private readonly accounts = new Map<string, AccountState>();
  /** Non-empty buckets: bucket → (address → leaf hash). */
  private readonly buckets = new Map<number, Map<string, Uint8Array>>();
  private readonly bucketHashes = new Uint8Array(BUCKETS * 32);
  private readonly pageHashes = new Uint8Array(PAGES * 32);
  private rootHash: Uint8Array = ZERO;

  /** Builds a state from accounts (genesis allocations or the DB contents). */
  static from(entries: Iterable<[string, AccountState]>): State {
    const s = new State();
    for (const [addr, a] of entries) {
      if (a.balance === 0n && a.nonce === 0n) continue;
      s.accounts.set(addr, a);
      const b = bucketOf(addr);
      let m = s.buckets.get(b);
      if (!m) s.buckets.set(b, (m = new Map()));
      m.set(addr, leafHash(addr, a));
    }
    for (const [b, m] of s.buckets) s.bucketHashes.set(hashBucket(m, [], new Map()), b * 32);
    for (let p = 0; p < PAGES; p++) s.pageHashes.set(s.hashPage(p, new Map()), p * 32);
    s.rootHash = s.hashRoot(new Map());
    return s;
  }

  get(addrHex: string): AccountState {
    return this.accounts.get(addrHex) ?? EMPTY;
  }

  get size(): number {
    return this.accounts.size;
  }

  entries(): IterableIterator<[string, AccountState]> {
    return this.accounts.entries();
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

  private hashPage(p: number, bucketOverrides: Map<number, Uint8Array>): Uint8Array {
    const input = Buffer.allocUnsafe(1 + PER_PAGE * 32);
    input[0] = 2;
    input.set(this.bucketHashes.subarray(p * PER_PAGE * 32, (p + 1) * PER_PAGE * 32), 1);
    for (const [b, h] of bucketOverrides) if (b >>> 8 === p) input.set(h, 1 + (b - p * PER_PAGE) * 32);
    return sha(input);
  }

  private hashRoot(pageOverrides: Map<number, Uint8Array>): Uint8Array {
    const input = Buffer.allocUnsafe(1 + PAGES * 32);
    input[0] = 3;
    input.set(this.pageHashes, 1);
    for (const [p, h] of pageOverrides) input.set(h, 1 + p * 32);
    return sha(input);
  }

  /** Hashes the state as it would be after `overlay`, without changing this state. */
  prepare(overlay: Overlay): Prepared {
    const leaves = new Map<string, Uint8Array | null>();
    const dirty = new Map<number, string[]>();
    for (const [addr, a] of overlay.changes) {
      leaves.set(addr, a.balance === 0n && a.nonce === 0n ? null : leafHash(addr, a));
      const b = bucketOf(addr);
      const list = dirty.get(b);
      if (list) list.push(addr);
      else dirty.set(b, [addr]);
    }
    const buckets = new Map<number, Uint8Array>();
    const dirtyPages = new Map<number, Map<number, Uint8Array>>();
    for (const [b, addrs] of dirty) {
      const h = hashBucket(this.buckets.get(b), addrs, leaves);
      buckets.set(b, h);
      const p = b >>> 8;
      const m = dirtyPages.get(p);
      if (m) m.set(b, h);
      else dirtyPages.set(p, new Map([[b, h]]));
    }
    const pages = new Map<number, Uint8Array>();
    for (const [p, overrides] of dirtyPages) pages.set(p, this.hashPage(p, overrides));
    const root = pages.size === 0 ? this.rootHash : this.hashRoot(pages);
    return { overlay, root, leaves, buckets, pages };
  }

  /** Installs a prepared overlay (after its block was durably committed). */
  commit(p: Prepared): void {
    for (const [addr, a] of p.overlay.changes) {
      const leaf = p.leaves.get(addr)!;
      const b = bucketOf(addr);
      let bucket = this.buckets.get(b);
      if (leaf) {
        this.accounts.set(addr, a);
        if (!bucket) this.buckets.set(b, (bucket = new Map()));
        bucket.set(addr, leaf);
      } else {
        this.accounts.delete(addr);
        bucket?.delete(addr);
        if (bucket?.size === 0) this.buckets.delete(b);
      }
    }
    for (const [b, h] of p.buckets) this.bucketHashes.set(h, b * 32);
    for (const [pg, h] of p.pages) this.pageHashes.set(h, pg * 32);
    this.rootHash = p.root;
  }
}

/**
 * Hash of a bucket: `base` members with the `changed` addresses replaced by their new leaves
 * from `leaves` (null = deleted).
 */
function hashBucket(base: Map<string, Uint8Array> | undefined, changed: string[], leaves: Map<string, Uint8Array | null>): Uint8Array {
  const keys: string[] = [];
  if (base) for (const k of base.keys()) if (!leaves.has(k)) keys.push(k);
  for (const k of changed) if (leaves.get(k)) keys.push(k);
  if (keys.length === 0) return ZERO;
  if (keys.length === 1) return leaves.get(keys[0]) ?? base!.get(keys[0])!;
  keys.sort();
  const input = Buffer.allocUnsafe(1 + 32 * keys.length);
  input[0] = 1;
  keys.forEach((k, i) => input.set(leaves.get(k) ?? base!.get(k)!, 1 + 32 * i));
  return sha(input);
}
