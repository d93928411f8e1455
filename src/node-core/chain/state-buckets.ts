/**
 * Bucket member records of the accounts tree (chain/state.ts): sorted `address (20) ‖ leaf (32)`
 * entries, kept as the bytes the chain DB stores, so a block's update is a merge of sorted byte
 * runs and the record it writes is the one it hashes (no Map or object per member).
 */
import { sha256Into } from '../crypto/hash.js';

/** Bytes of one bucket member in a member record: address (20) ‖ leaf hash (32). */
export const MEMBER = 52;
/** Member record of an empty bucket. */
export const NO_MEMBERS = new Uint8Array(0);

/** Reused input of bucket hashes (0x01 ‖ leaves), grown on demand; and a 32-byte hash output. */
let bucketInput = Buffer.alloc(1 + 32 * 64);
const out32 = new Uint8Array(32);

/** Copies n bytes src[s..] → dst[d..] (a loop: no subarray object per small copy). */
export function copyBytes(dst: Uint8Array, d: number, src: Uint8Array, s: number, n: number): void {
  for (let k = 0; k < n; k++) dst[d + k] = src[s + k];
}

/** Checks a member record read from the store (whole entries). */
export function checkMembers(rec: Uint8Array): Uint8Array {
  if (rec.length % MEMBER !== 0) throw new Error(`bucket member record has ${rec.length} bytes, not a multiple of ${MEMBER}`);
  return rec;
}

/** Compares the 20-byte addresses at a[ao] and b[bo] (byte order = the hex order of the addresses). */
export function cmpAddr(a: Uint8Array, ao: number, b: Uint8Array, bo: number): number {
  for (let k = 0; k < 20; k++) {
    const d = a[ao + k] - b[bo + k];
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether the sorted member record `rec` holds the 20-byte address `addr` (binary search). */
export function hasMember(rec: Uint8Array, addr: Uint8Array): boolean {
  let lo = 0;
  let hi = rec.length / MEMBER;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = cmpAddr(rec, MEMBER * mid, addr, 0);
    if (c === 0) return true;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return false;
}

/**
 * Hash of a bucket from its member record into `out` at `at` (chain/state.ts header): zero when empty,
 * the one leaf for one member, else SHA-256(0x01 ‖ leaves in address order).
 */
export function hashMembers(rec: Uint8Array, out: Uint8Array, at: number): void {
  const m = rec.length / MEMBER;
  if (m === 0) out.fill(0, at, at + 32);
  else if (m === 1) copyBytes(out, at, rec, 20, 32);
  else {
    if (bucketInput.length < 1 + 32 * m) bucketInput = Buffer.alloc(2 * (1 + 32 * m));
    bucketInput[0] = 1;
    for (let i = 0; i < m; i++) copyBytes(bucketInput, 1 + 32 * i, rec, MEMBER * i + 20, 32);
    sha256Into(out32, bucketInput.subarray(0, 1 + 32 * m));
    out.set(out32, at);
  }
}

/**
 * Bump allocator of one block's new member records: views of a few shared ArrayBuffers instead of
 * one buffer per bucket (a record over 64 bytes would get its own off-heap backing store, whose
 * allocation and GC finalization cost more than the merge itself). A cached record keeps its
 * chunk alive: at most the chunks of the buckets in the cache.
 */
export class Slab {
  private buf = new Uint8Array(0);
  private at = 0;
  constructor(private readonly chunk = 64 * 1024) {}
  /** A zeroed view of `n` fresh bytes. */
  take(n: number): Uint8Array {
    if (this.at + n > this.buf.length) {
      this.buf = new Uint8Array(Math.max(this.chunk, n));
      this.at = 0;
    }
    this.at += n;
    return this.buf.subarray(this.at - n, this.at);
  }
}

/**
 * A Map that forgets its oldest entries beyond `max` (unbounded when max is Infinity). "Oldest" is
 * by last write (reads do not reorder: a hit costs one Map lookup); every account a block changes
 * is rewritten at commit, so active accounts stay.
 */
export class Lru<K, V> {
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

/**
 * A bucket's new member record: `old` (sorted) with the changes idx (sorted by address) applied:
 * a live change replaces or inserts its address ‖ leaf, a dead one removes the address.
 */
export function mergeMembers(old: Uint8Array, idx: number[], addrs: Uint8Array, leaves: Uint8Array, live: Uint8Array, slab?: Slab): Uint8Array {
  // First pass: the new size (members kept + changes alive).
  let size = old.length;
  for (let o = 0, j = 0; j < idx.length; j++) {
    const c = idx[j];
    while (o < old.length && cmpAddr(old, o, addrs, 20 * c) < 0) o += MEMBER;
    const found = o < old.length && cmpAddr(old, o, addrs, 20 * c) === 0;
    if (found) o += MEMBER;
    size += (live[c] ? MEMBER : 0) - (found ? MEMBER : 0);
  }
  if (size === 0) return NO_MEMBERS;
  const out = slab ? slab.take(size) : new Uint8Array(size);
  let o = 0;
  let w = 0;
  for (let j = 0; j < idx.length; j++) {
    const c = idx[j];
    while (o < old.length && cmpAddr(old, o, addrs, 20 * c) < 0) {
      copyBytes(out, w, old, o, MEMBER);
      o += MEMBER;
      w += MEMBER;
    }
    if (o < old.length && cmpAddr(old, o, addrs, 20 * c) === 0) o += MEMBER;
    if (live[c]) {
      copyBytes(out, w, addrs, 20 * c, 20);
      copyBytes(out, w + 20, leaves, 32 * c, 32);
      w += MEMBER;
    }
  }
  copyBytes(out, w, old, o, old.length - o);
  return out;
}
