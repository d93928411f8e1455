/**
 * Account state (balance in base units, nonce) and its state root.
 *
 * State root: a two-level Merkle tree over 4096 buckets, chosen so one block's update costs
 * O(touched accounts), not O(all accounts):
 *   leaf(a)      = SHA-256(0x00 ‖ address (20) ‖ balance u64 BE ‖ nonce u64 BE)
 *   bucket(b)    = SHA-256(0x01 ‖ leaves of the accounts whose address' first 12 bits = b, by address asc);
 *                  an empty bucket is 32 zero bytes
 *   state_root   = SHA-256(0x02 ‖ bucket(0) ‖ … ‖ bucket(4095))
 * Only buckets touched by a block are re-hashed (leaves are cached), then the 128 KiB top level.
 * Accounts with balance 0 and nonce 0 do not exist (they are deleted), so the root is a function
 * of the non-empty accounts only. SHA-256 (native OpenSSL) is used because it is ~3× faster than
 * JS BLAKE3 for these small inputs; the tx and block ids keep the reference's BLAKE3.
 *
 * The authoritative copy lives in classic-level (ChainDb); this class is its in-memory mirror,
 * loaded at open and updated only when a block commits. Changes are staged in an `Overlay` so a
 * rejected block leaves the state untouched.
 */
import { sha256, toHex } from '../crypto/hash.js';
import { u64be } from './codec.js';

export const BUCKETS = 4096;
const ZERO = new Uint8Array(32);
const P_LEAF = new Uint8Array([0]);
const P_BUCKET = new Uint8Array([1]);
const P_ROOT = new Uint8Array([2]);

export interface AccountState {
  balance: bigint;
  nonce: bigint;
}

const EMPTY: AccountState = Object.freeze({ balance: 0n, nonce: 0n }) as AccountState;

/** Bucket of an address (first 12 bits of the address bytes; hex key = 40 hex digits). */
export function bucketOf(addrHex: string): number {
  return parseInt(addrHex.slice(0, 3), 16);
}

function leafHash(addrHex: string, a: AccountState): Uint8Array {
  return sha256(P_LEAF, Buffer.from(addrHex, 'hex'), u64be(a.balance), u64be(a.nonce));
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
  bucketHashes: Map<number, Uint8Array>;
  leaves: Map<string, Uint8Array | null>;
}

export class State {
  private readonly accounts = new Map<string, AccountState>();
  /** bucket → (address → leaf hash), sorted lazily when hashed. */
  private readonly buckets: Map<string, Uint8Array>[] = Array.from({ length: BUCKETS }, () => new Map());
  private readonly bucketHashes = new Uint8Array(BUCKETS * 32);
  private rootCache: Uint8Array | undefined;

  /** Builds a state from accounts (e.g. genesis allocations or the DB contents). */
  static from(entries: Iterable<[string, AccountState]>): State {
    const s = new State();
    for (const [addr, a] of entries) {
      if (a.balance === 0n && a.nonce === 0n) continue;
      s.accounts.set(addr, a);
      s.buckets[bucketOf(addr)].set(addr, leafHash(addr, a));
    }
    for (let b = 0; b < BUCKETS; b++) s.bucketHashes.set(s.hashBucket(s.buckets[b]), b * 32);
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
    this.rootCache ??= sha256(P_ROOT, this.bucketHashes);
    return this.rootCache;
  }

  rootHex(): string {
    return toHex(this.root());
  }

  private hashBucket(members: Map<string, Uint8Array>): Uint8Array {
    if (members.size === 0) return ZERO;
    const keys = [...members.keys()].sort();
    return sha256(P_BUCKET, ...keys.map((k) => members.get(k)!));
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
    const bucketHashes = new Map<number, Uint8Array>();
    for (const [b, addrs] of dirty) {
      const members = new Map(this.buckets[b]);
      for (const addr of addrs) {
        const leaf = leaves.get(addr)!;
        if (leaf) members.set(addr, leaf);
        else members.delete(addr);
      }
      bucketHashes.set(b, this.hashBucket(members));
    }
    let root: Uint8Array;
    if (dirty.size === 0) root = this.root();
    else {
      const all = this.bucketHashes.slice();
      for (const [b, h] of bucketHashes) all.set(h, b * 32);
      root = sha256(P_ROOT, all);
    }
    return { overlay, root, bucketHashes, leaves };
  }

  /** Installs a prepared overlay (after its block was durably committed). */
  commit(p: Prepared): void {
    for (const [addr, a] of p.overlay.changes) {
      const leaf = p.leaves.get(addr)!;
      const bucket = this.buckets[bucketOf(addr)];
      if (leaf) {
        this.accounts.set(addr, a);
        bucket.set(addr, leaf);
      } else {
        this.accounts.delete(addr);
        bucket.delete(addr);
      }
    }
    for (const [b, h] of p.bucketHashes) this.bucketHashes.set(h, b * 32);
    this.rootCache = p.root;
  }
}
