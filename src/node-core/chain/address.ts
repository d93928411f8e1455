/**
 * Account addresses: `tb1` + hex of the first 20 bytes of SHA-256(Ed25519 public key)
 * (src/shared/api/numbers.ts `zAddress`). In encoded structures an address is its 20 raw bytes.
 */
import { fromHex, sha256, toHex } from '../crypto/hash.js';

export const ADDRESS_BYTES = 20;
const ADDRESS_RE = /^tb1[0-9a-f]{40}$/;

/** 20 address bytes of a 32-byte public key. */
export function addressBytesOf(publicKey: Uint8Array): Uint8Array {
  return sha256(publicKey).subarray(0, ADDRESS_BYTES);
}

/** `tb1…` address of a 32-byte public key. */
export function addressOf(publicKey: Uint8Array): string {
  return formatAddress(addressBytesOf(publicKey));
}

/** `tb1…` text of 20 address bytes. */
export function formatAddress(bytes: Uint8Array): string {
  return 'tb1' + toHex(bytes);
}

/** True for a well-formed `tb1` + 40 lowercase hex address. */
export function isAddress(s: string): boolean {
  return ADDRESS_RE.test(s);
}

/**
 * 20 bytes of a `tb1…` address.
 * @throws Error naming the expected form when `s` is not an address.
 */
export function parseAddress(s: string): Uint8Array {
  if (!isAddress(s)) throw new Error(`not an address: expected tb1 followed by 40 lowercase hex digits`);
  return fromHex(s.slice(3), ADDRESS_BYTES);
}
