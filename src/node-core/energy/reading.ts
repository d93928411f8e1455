/**
 * Meter readings and their signed byte layout (spec/energy.md §2, with the nonce as the
 * reference RPC requires):
 *   digest    = BLAKE3-256(provider_id UTF-8 ‖ meter_address UTF-8 ‖ total_kwh u64 LE ‖ timestamp u64 LE ‖ nonce u64 LE)
 *   signature = Ed25519 over the 32-byte digest (64 bytes; public key 32 bytes)
 *   meter_hash = BLAKE3-256(the same fields ‖ sig_len u32 LE ‖ signature), lowercase hex — the credit key.
 * Pure: no I/O; the packed bytes and hashes of a reading object are cached (readings are not mutated).
 */
import { blake3, toHex } from '../crypto/hash.js';
import { verify } from '../crypto/ed25519.js';

export interface MeterReading {
  provider_id: string;
  meter_address: string;
  /** Cumulative meter value (kWh). */
  total_kwh: bigint;
  /** Unix seconds when the meter was read. */
  timestamp: number;
  /** Strictly increasing per provider. */
  nonce: bigint;
  /** 64-byte Ed25519 signature. */
  signature: Uint8Array;
}

/**
 * The signed fields (provider_id ‖ meter_address ‖ total_kwh LE ‖ timestamp LE ‖ nonce LE) followed by
 * sig_len u32 LE ‖ signature, in one buffer, with the length of the signed part. Cached per reading
 * object: the service hashes the same reading for its digest, its meter_hash and the chain's credit.
 */
const packed = new WeakMap<object, { buf: Buffer; signed: number; digest?: Uint8Array; hash?: string }>();
function pack(r: Omit<MeterReading, 'signature'> & { signature?: Uint8Array }) {
  let e = packed.get(r);
  if (e && (r.signature === undefined || e.buf.length === e.signed + 4 + r.signature.length)) return e;
  const pl = Buffer.byteLength(r.provider_id);
  const ml = Buffer.byteLength(r.meter_address);
  const signed = pl + ml + 24;
  const sig = r.signature ?? new Uint8Array(0);
  const buf = Buffer.allocUnsafe(signed + 4 + sig.length);
  buf.write(r.provider_id, 0, 'utf8');
  buf.write(r.meter_address, pl, 'utf8');
  buf.writeBigUInt64LE(BigInt(r.total_kwh), pl + ml);
  buf.writeBigUInt64LE(BigInt(r.timestamp), pl + ml + 8);
  buf.writeBigUInt64LE(BigInt(r.nonce), pl + ml + 16);
  buf.writeUInt32LE(sig.length, signed);
  buf.set(sig, signed + 4);
  e = { buf, signed };
  packed.set(r, e);
  return e;
}

/** The fields in signing order (no separators). */
export function fieldBytes(r: Omit<MeterReading, 'signature'>): Uint8Array[] {
  const e = pack(r);
  return [e.buf.subarray(0, e.signed)];
}

/** The 32-byte digest the provider signs. */
export function signingDigest(r: Omit<MeterReading, 'signature'>): Uint8Array {
  const e = pack(r);
  return (e.digest ??= blake3(e.buf.subarray(0, e.signed)));
}

/**
 * meter_hash by content (the whole hashed input as the key, so the memo is exact): the chain decodes
 * a reading anew at admission and at block production, and hashing it in JS costs far more than
 * the lookup. Bounded: the oldest of {@link HASH_MEMO_MAX} entries go first.
 */
const hashMemo = new Map<string, string>();
export const HASH_MEMO_MAX = 65_536;

/** Credit key of a reading: 64 lowercase hex. */
export function meterHash(r: MeterReading): string {
  const e = pack(r);
  if (e.hash) return e.hash;
  const k = e.buf.toString('latin1');
  let h = hashMemo.get(k);
  if (h === undefined) {
    h = toHex(blake3(e.buf));
    hashMemo.set(k, h);
    if (hashMemo.size > HASH_MEMO_MAX) hashMemo.delete(hashMemo.keys().next().value!);
  }
  return (e.hash = h);
}

/** True iff `r.signature` is the Ed25519 signature of the reading's digest by `publicKey` (32 bytes). */
export function verifyReading(r: MeterReading, publicKey: Uint8Array): boolean {
  return verify(r.signature, signingDigest(r), publicKey);
}
