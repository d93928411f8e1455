/**
 * Independent check of a decision file in the renderer (issue 4: "checked twice — by the node and,
 * independently, in the renderer"): BLAKE3 of the exact file bytes (@noble/hashes) and the
 * Ed25519 signature of the `.sig` sidecar over that 32-byte digest (@noble/ed25519, WebCrypto
 * SHA-512). Never trusts the node's verdict or hash.
 */
import * as ed from '@noble/ed25519';
import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Attestation, SignatureCheck } from '../../../shared/api/governor';

export interface RendererCheck {
  /** BLAKE3 (hex) of the file text's UTF-8 bytes, computed here. */
  hash: string;
  signature: SignatureCheck;
  detail: string;
}

/** Checks file text against its sidecar; resolves, never throws. */
export async function verifyDecisionFile(fileText: string, a: Attestation | null): Promise<RendererCheck> {
  const digest = blake3(new TextEncoder().encode(fileText));
  const hash = bytesToHex(digest);
  if (!a) return { hash, signature: 'unsigned', detail: 'no .sig sidecar' };
  if (a.payload_hash_hex !== hash) return { hash, signature: 'invalid', detail: `file BLAKE3 ${hash} ≠ signed hash ${a.payload_hash_hex}` };
  try {
    const ok = await ed.verifyAsync(hexToBytes(a.signature_hex), digest, hexToBytes(a.pubkey_hex));
    return { hash, signature: ok ? 'valid' : 'invalid', detail: ok ? `Ed25519 signature by ${a.pubkey_hex} verifies` : 'Ed25519 signature does not verify' };
  } catch (e) {
    return { hash, signature: 'invalid', detail: `signature cannot be checked: ${(e as Error).message}` };
  }
}
