/**
 * Ed25519 (RFC 8032) through libsodium (sodium-native). Keys use libsodium's layout:
 * public key 32 bytes, secret key 64 bytes (= 32-byte seed ‖ public key), signature 64 bytes.
 */
import sodium from 'sodium-native';

export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 64;
export const SEED_BYTES = 32;
export const SIGNATURE_BYTES = 64;

export interface Ed25519Keys {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/**
 * A signing key with its `tb1…` address (chain/address.ts). The wallet's keystore makes them;
 * block production, votes, intents and the libp2p identity sign with them — declared here, below
 * all of those, so none of them imports the wallet for a type.
 */
export interface KeyPair extends Ed25519Keys {
  /** `tb1…` address. */
  address: string;
}

/** Fresh random key pair (libsodium CSPRNG). */
export function generateKeys(): Ed25519Keys {
  const publicKey = new Uint8Array(PUBLIC_KEY_BYTES);
  const secretKey = new Uint8Array(SECRET_KEY_BYTES);
  sodium.crypto_sign_keypair(publicKey, secretKey);
  return { publicKey, secretKey };
}

/**
 * Deterministic key pair from a 32-byte seed (RFC 8032 private key).
 * @throws Error when the seed is not 32 bytes.
 */
export function keysFromSeed(seed: Uint8Array): Ed25519Keys {
  if (seed.length !== SEED_BYTES) throw new Error(`Ed25519 seed must be ${SEED_BYTES} bytes, got ${seed.length}`);
  const publicKey = new Uint8Array(PUBLIC_KEY_BYTES);
  const secretKey = new Uint8Array(SECRET_KEY_BYTES);
  sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  return { publicKey, secretKey };
}

/** The 32-byte seed inside a libsodium secret key. */
export function seedOf(secretKey: Uint8Array): Uint8Array {
  return secretKey.slice(0, SEED_BYTES);
}

/** Detached signature (64 bytes) of `msg` with a 64-byte libsodium secret key. */
export function sign(msg: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== SECRET_KEY_BYTES) throw new Error(`Ed25519 secret key must be ${SECRET_KEY_BYTES} bytes`);
  const sig = new Uint8Array(SIGNATURE_BYTES);
  sodium.crypto_sign_detached(sig, msg, secretKey);
  return sig;
}

/** True iff `sig` is a valid signature of `msg` by `publicKey`. Wrong lengths give false, never throw. */
export function verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array): boolean {
  if (sig.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return sodium.crypto_sign_verify_detached(sig, msg, publicKey);
  } catch {
    return false;
  }
}
