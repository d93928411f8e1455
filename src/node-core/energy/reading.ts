/**
 * Meter readings and their signed byte layout (spec/energy.md §2, with the nonce as the
 * reference RPC requires):
 *   digest    = BLAKE3-256(provider_id UTF-8 ‖ meter_address UTF-8 ‖ total_kwh u64 LE ‖ timestamp u64 LE ‖ nonce u64 LE)
 *   signature = Ed25519 over the 32-byte digest (64 bytes; public key 32 bytes)
 *   meter_hash = BLAKE3-256(the same fields ‖ sig_len u32 LE ‖ signature), lowercase hex — the credit key.
 * Pure: no I/O, no state.
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

const enc = new TextEncoder();
function u64le(n: bigint | number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** The fields in signing order (no separators). */
export function fieldBytes(r: Omit<MeterReading, 'signature'>): Uint8Array[] {
  return [enc.encode(r.provider_id), enc.encode(r.meter_address), u64le(r.total_kwh), u64le(r.timestamp), u64le(r.nonce)];
}

/** The 32-byte digest the provider signs. */
export function signingDigest(r: Omit<MeterReading, 'signature'>): Uint8Array {
  return blake3(...fieldBytes(r));
}

/** Credit key of a reading: 64 lowercase hex. */
export function meterHash(r: MeterReading): string {
  const len = new Uint8Array(4);
  new DataView(len.buffer).setUint32(0, r.signature.length, true);
  return toHex(blake3(...fieldBytes(r), len, r.signature));
}

/** True iff `r.signature` is the Ed25519 signature of the reading's digest by `publicKey` (32 bytes). */
export function verifyReading(r: MeterReading, publicKey: Uint8Array): boolean {
  return verify(r.signature, signingDigest(r), publicKey);
}
