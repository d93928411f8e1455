/**
 * Signed-file sidecars (`<file>.sig`, JSON): Ed25519 over the file's BLAKE3-256 digest, as the
 * governor's epoch files (spec/governor.md §4) and the ad market's policy snapshots use them.
 * Shape: `{payload_hash_hex, pubkey_hex, signature_hex}` (lowercase hex; 32-, 32- and 64-byte values).
 */
import { sign, verify, type Ed25519Keys } from './ed25519.js';
import { blake3, fromHex, toHex } from './hash.js';

export type Attestation = { payload_hash_hex: string; pubkey_hex: string; signature_hex: string };

export type SignatureCheck = 'valid' | 'invalid' | 'unsigned';

/** Sidecar of file bytes: their BLAKE3 digest signed with Ed25519. */
export function attest(bytes: Uint8Array, keys: Pick<Ed25519Keys, 'publicKey' | 'secretKey'>): Attestation {
  const digest = blake3(bytes);
  return { payload_hash_hex: toHex(digest), pubkey_hex: toHex(keys.publicKey), signature_hex: toHex(sign(digest, keys.secretKey)) };
}

/**
 * Checks file bytes against a sidecar: the sidecar's hash must be the file's BLAKE3 and the
 * signature must verify with the sidecar's public key over that 32-byte digest.
 */
export function checkAttestation(bytes: Uint8Array, a: Attestation | null): { signature: SignatureCheck; detail: string } {
  if (a === null) return { signature: 'unsigned', detail: 'no .sig sidecar' };
  const hash = toHex(blake3(bytes));
  if (a.payload_hash_hex !== hash) return { signature: 'invalid', detail: `file BLAKE3 ${hash} differs from the signed hash ${a.payload_hash_hex} (the file was changed after signing)` };
  let ok = false;
  try {
    ok = verify(fromHex(a.signature_hex, 64), fromHex(a.payload_hash_hex, 32), fromHex(a.pubkey_hex, 32));
  } catch {
    ok = false;
  }
  return ok ? { signature: 'valid', detail: `Ed25519 signature by ${a.pubkey_hex} verifies over BLAKE3 ${hash}` } : { signature: 'invalid', detail: 'Ed25519 signature does not verify' };
}

/** A sidecar's text: fields that are not hex strings become '' (so the check says invalid); unparsable text gives all ''. */
export function parseAttestation(text: string): Attestation {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    const hex = (x: unknown) => (typeof x === 'string' && /^[0-9a-f]*$/.test(x) ? x : '');
    return { payload_hash_hex: hex(v.payload_hash_hex), pubkey_hex: hex(v.pubkey_hex), signature_hex: hex(v.signature_hex) };
  } catch {
    return { payload_hash_hex: '', pubkey_hex: '', signature_hex: '' };
  }
}
