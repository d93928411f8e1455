/**
 * Canonical encoding: deterministic CBOR (RFC 8949 §4.2 core deterministic encoding) via cborg.
 * Structures are CBOR arrays with a fixed field order (no maps), integers are minimal-length,
 * u64 values are bigint in code. Decoding is strict and re-encodes to check the bytes were
 * canonical, so one value has exactly one byte form (hashes and signatures are unambiguous).
 */
import { decode, encode, encodeInto, rfc8949EncodeOptions } from 'cborg';
import { bytesEqual } from '../crypto/hash.js';

export class CodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecError';
  }
}

let scratch = new Uint8Array(4096);

/** Canonical CBOR bytes of a value made of arrays, byte strings, strings and integers. */
export function encodeCanonical(value: unknown): Uint8Array {
  return encode(value, rfc8949EncodeOptions);
}

/**
 * Decodes canonical CBOR.
 * @throws CodecError when the bytes are not CBOR, have trailing bytes, or are not in canonical form.
 */
export function decodeCanonical(bytes: Uint8Array, what: string): unknown {
  let v: unknown;
  try {
    v = decode(bytes, {
      strict: true, rejectDuplicateMapKeys: true, useMaps: true, allowUndefined: false, allowIndefinite: false,
      allowNaN: false, allowInfinity: false,
    });
  } catch (err) {
    throw new CodecError(`${what} is not valid CBOR: ${(err as Error).message}`);
  }
  // Re-encode into a reused scratch buffer (no allocation per call) and compare.
  if (scratch.length < bytes.length + 64) scratch = new Uint8Array(Math.max(bytes.length + 64, 2 * scratch.length));
  let written: number;
  try {
    written = encodeInto(v, scratch, rfc8949EncodeOptions).written;
  } catch {
    throw new CodecError(`${what} is not in canonical CBOR form`);
  }
  if (written !== bytes.length || !bytesEqual(scratch.subarray(0, written), bytes)) throw new CodecError(`${what} is not in canonical CBOR form`);
  return v;
}

/** Integer field → bigint (cborg decodes small integers as number, big ones as bigint). */
export function asU64(v: unknown, field: string): bigint {
  if (typeof v === 'bigint' && v >= 0n && v < 1n << 64n) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new CodecError(`${field} must be an unsigned 64-bit integer`);
}

/** Integer field that must fit a JS safe integer (heights, timestamps, chain id). */
export function asSafeInt(v: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max) return v;
  throw new CodecError(`${field} must be an integer in 0..${max}`);
}

/** Byte-string field of an exact length. */
export function asBytes(v: unknown, field: string, len?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) throw new CodecError(`${field} must be a byte string`);
  if (len !== undefined && v.length !== len) throw new CodecError(`${field} must be ${len} bytes, got ${v.length}`);
  return v;
}

/** Array field of an exact length. */
export function asArray(v: unknown, field: string, len?: number): unknown[] {
  if (!Array.isArray(v)) throw new CodecError(`${field} must be an array`);
  if (len !== undefined && v.length !== len) throw new CodecError(`${field} must have ${len} elements, got ${v.length}`);
  return v;
}

/** u64 as 8 bytes big-endian (database keys sort by height). */
export function u64be(n: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), false);
  return b;
}

/** Reads a u64 big-endian from 8 bytes at `off`. */
export function readU64be(b: Uint8Array, off = 0): bigint {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(off, false);
}
