/**
 * Hash functions: SHA-256 from node:crypto (OpenSSL); BLAKE3 (the reference hashes transactions
 * and blocks with BLAKE3, spec/chain_core.md §3-4) from hash-wasm's WebAssembly build once it has
 * compiled (a few ms after this module loads; ~1 µs for a 100-byte input), from @noble/hashes'
 * JavaScript until then (~6 µs). Both are the standard BLAKE3-256, so the digest never depends on
 * which one ran (test/unit/crypto/hash.test.ts compares them).
 */
import { createHash, hash as oneShot } from 'node:crypto';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { createBLAKE3, type IHasher } from 'hash-wasm';
import sodium from 'sodium-native';

let wasm: IHasher | undefined;
/** Resolves once the WebAssembly BLAKE3 is in use (never rejects: on failure @noble stays). */
export const blake3Ready: Promise<void> = createBLAKE3().then(
  (h) => void (wasm = h),
  () => undefined,
);

/** SHA-256 of the concatenation of `parts` (32 bytes). */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) {
    const b = oneShot('sha256', parts[0], 'buffer');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength); // plain Uint8Array: Buffer#slice would alias
  }
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Inputs up to this many bytes go to libsodium in `sha256Into`, longer ones to OpenSSL (measured crossover ~300 bytes). */
const SMALL_SHA_MAX = 256;

/**
 * SHA-256 of `input` written into `out` (32 bytes), allocating nothing for short inputs. For the
 * state tree's many small hashes (37-byte leaves, buckets of a few leaves): libsodium costs ~0.4 µs
 * for 37 bytes against ~1.4 µs for node:crypto's one-shot (its per-call overhead), while OpenSSL's
 * SHA extensions win beyond ~300 bytes (8 KiB: 6.6 µs against 31 µs). Same digest either way.
 */
export function sha256Into(out: Uint8Array, input: Uint8Array): void {
  if (input.length <= SMALL_SHA_MAX) sodium.crypto_hash_sha256(out, input);
  else out.set(oneShot('sha256', input, 'buffer'));
}

/** BLAKE3-256 of the concatenation of `parts` (32 bytes). */
export function blake3(...parts: Uint8Array[]): Uint8Array {
  if (wasm) {
    // Synchronous: init → update → digest never interleaves with another call on this thread.
    wasm.init();
    for (const p of parts) wasm.update(p);
    return wasm.digest('binary');
  }
  if (parts.length === 1) return nobleBlake3(parts[0]);
  const h = nobleBlake3.create();
  for (const p of parts) h.update(p);
  return h.digest();
}

/** Lowercase hex of bytes. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/**
 * Bytes from lowercase/uppercase hex.
 * @throws Error when the string is not even-length hex (or not `len` bytes when given).
 */
export function fromHex(hex: string, len?: number): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('not a hex string');
  const b = new Uint8Array(Buffer.from(hex, 'hex'));
  if (len !== undefined && b.length !== len) throw new Error(`expected ${len} bytes of hex, got ${b.length}`);
  return b;
}

/** Nibble of each ASCII hex digit (either case); -1 for any other character code below 128. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = NIBBLE[65 + i] = 10 + i;

/**
 * Writes the `n` bytes spelled by the first 2·n hex digits of `hex` into `out` at `at`, allocating
 * nothing (the state paths turn thousands of 40-hex addresses into bytes per block; Buffer#write's
 * 'hex' path costs ~2–3× more per address). The caller guarantees well-formed hex (addresses
 * already checked), so a bad digit is not detected here.
 */
export function hexInto(hex: string, out: Uint8Array, at: number, n: number): void {
  for (let i = 0; i < n; i++) out[at + i] = (NIBBLE[hex.charCodeAt(2 * i)] << 4) | NIBBLE[hex.charCodeAt(2 * i + 1)];
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
