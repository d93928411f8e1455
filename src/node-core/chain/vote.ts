/**
 * Finality votes (spec/chain_core.md §6). A validator votes for a block it has imported as its
 * canonical head; a vote for block B at height h also approves B's ancestors.
 *
 * Wire/stored form (canonical CBOR array): `[chain_id u32, height, block_hash (32), validator address (20), signature (64)]`.
 * Signed message: ASCII `THE_BLOCKvote|` ‖ canonical CBOR `[chain_id, height, block_hash, validator]`
 * (its own domain tag, so a vote signature can never be replayed as a transaction or block signature).
 * Two valid votes of one validator for different blocks at the same height are an equivocation;
 * the pair is its proof.
 */
import { sign, verify } from '../crypto/ed25519.js';
import { bytesEqual, fromHex, toHex } from '../crypto/hash.js';
import { formatAddress } from './address.js';
import { asArray, asBytes, asSafeInt, CodecError, decodeCanonical, encodeCanonical } from './codec.js';

const VOTE_TAG = new TextEncoder().encode('THE_BLOCKvote|');
/** Largest encoded vote (bytes): a bound for gossip validation. */
export const MAX_VOTE_BYTES = 256;

export interface Vote {
  chainId: number;
  height: number;
  /** 32-byte block hash. */
  hash: Uint8Array;
  hashHex: string;
  /** 20 address bytes of the validator. */
  validator: Uint8Array;
  validatorHex: string;
  signature: Uint8Array;
  /** Canonical wire bytes. */
  bytes: Uint8Array;
}

function message(chainId: number, height: number, hash: Uint8Array, validator: Uint8Array): Uint8Array {
  const body = encodeCanonical([chainId, height, hash, validator]);
  const m = new Uint8Array(VOTE_TAG.length + body.length);
  m.set(VOTE_TAG, 0);
  m.set(body, VOTE_TAG.length);
  return m;
}

/** Signs a vote for block `hash` at `height` with a validator key (64-byte libsodium secret key). */
export function signVote(o: { chainId: number; height: number; hash: Uint8Array; validator: Uint8Array; secretKey: Uint8Array }): Vote {
  const signature = sign(message(o.chainId, o.height, o.hash, o.validator), o.secretKey);
  const bytes = encodeCanonical([o.chainId, o.height, o.hash, o.validator, signature]);
  return { chainId: o.chainId, height: o.height, hash: o.hash, hashHex: toHex(o.hash), validator: o.validator, validatorHex: toHex(o.validator), signature, bytes };
}

/**
 * Decodes a vote (structure only).
 * @throws CodecError when the bytes are not a canonical vote.
 */
export function decodeVote(bytes: Uint8Array): Vote {
  if (bytes.length > MAX_VOTE_BYTES) throw new CodecError(`vote is ${bytes.length} bytes, more than ${MAX_VOTE_BYTES}`);
  const a = asArray(decodeCanonical(bytes, 'vote'), 'vote', 5);
  const chainId = asSafeInt(a[0], 'vote.chain_id', 0xffffffff);
  const height = asSafeInt(a[1], 'vote.height');
  const hash = asBytes(a[2], 'vote.block_hash', 32);
  const validator = asBytes(a[3], 'vote.validator', 20);
  const signature = asBytes(a[4], 'vote.signature', 64);
  return { chainId, height, hash, hashHex: toHex(hash), validator, validatorHex: toHex(validator), signature, bytes };
}

/** True iff the vote's signature verifies with the validator's public key (hex). */
export function verifyVote(v: Vote, publicKeyHex: string): boolean {
  return verify(v.signature, message(v.chainId, v.height, v.hash, v.validator), fromHex(publicKeyHex, 32));
}

/** JSON view of a vote (RPC, evidence). */
export function voteView(v: Vote): { height: number; block_hash: string; validator: string; signature: string } {
  return { height: v.height, block_hash: v.hashHex, validator: formatAddress(v.validator), signature: toHex(v.signature) };
}

/** Same validator, same height, different blocks. */
export function conflicting(a: Vote, b: Vote): boolean {
  return a.height === b.height && bytesEqual(a.validator, b.validator) && !bytesEqual(a.hash, b.hash);
}
