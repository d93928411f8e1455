/**
 * Transactions (spec/chain_core.md §4, reduced to the fields of a v1 transfer, plus module calls).
 *
 * Payload (canonical CBOR array): `[chain_id u32, from address (20 bytes), to address (20 bytes),
 *   amount u64, fee u64, nonce u64]`; amounts and fees in base units of BLOCK.
 * A module call (chain/module.ts) adds a 7th element `[tag text, ...body]` and has `to` = `from`,
 *   `amount` = 0; the body is decoded by the module that registered the tag (chain/modules.ts),
 *   so this file never names a module.
 * Signing message: domain tag (16 bytes = ASCII `THE_BLOCKv2|` ‖ chain_id u32 LE) ‖ payload bytes.
 * Signed tx (wire form of `tx.submit`, hex of): `[payload array, public key (32), signature (64)]`.
 * Tx id: BLAKE3("TX" ‖ TX_VERSION (0x02) ‖ payload bytes ‖ public key), lowercase hex.
 */
import type { TxView } from '../../shared/api/types.js';
import { blake3, sha256Into, toHex } from '../crypto/hash.js';
import { sign } from '../crypto/ed25519.js';
import { addressBytesOf, formatAddress, parseAddress } from './address.js';
import { asArray, asBytes, asSafeInt, asU64, CodecError, decodeCanonical, encodeCanonical } from './codec.js';
import { parseWireTransfer } from './tx-wire.js';

export const TX_VERSION = 2;
export const DOMAIN_TAG = 'THE_BLOCKv2|';
export const DOMAIN_TAG_BYTES = 16;
export const MAX_TX_BYTES = 64 * 1024;
const TX_ID_PREFIX = new Uint8Array([0x54, 0x58, TX_VERSION]); // "TX" ‖ version

export interface TxPayload {
  chainId: number;
  /** 20 address bytes of the sender (must be the address of `publicKey`). */
  from: Uint8Array;
  to: Uint8Array;
  amount: bigint;
  fee: bigint;
  nonce: bigint;
  /** Module call (7th payload element): then `to` = `from` and amount = 0. */
  call?: RawCall;
}

/** The 7th payload element as decoded structurally: the kind's tag and its raw body elements. */
export interface RawCall {
  tag: string;
  body: readonly unknown[];
}

/** Tags: 1-32 of a-z 0-9 _ . (chain/module.ts TxKind.tag). */
export const TAG_RE = /^[a-z0-9_.]{1,32}$/;

/** A decoded, hashed signed transaction (signature not yet checked). */
export interface SignedTx {
  payload: TxPayload;
  publicKey: Uint8Array;
  signature: Uint8Array;
  /** Canonical payload bytes (what the signature and the id cover). */
  payloadBytes: Uint8Array;
  /** Canonical signed-tx bytes (the wire and storage form). */
  bytes: Uint8Array;
  /** Tx id, 64 lowercase hex. */
  hash: string;
  /** Tx id bytes when already at hand (import path), saves re-parsing `hash`. */
  idBytes?: Uint8Array;
  /** `tb1…` of `payload.from`. */
  fromAddress: string;
  toAddress: string;
}

function payloadArray(p: TxPayload): unknown[] {
  const a: unknown[] = [p.chainId, p.from, p.to, p.amount, p.fee, p.nonce];
  if (p.call) a.push([p.call.tag, ...p.call.body]);
  return a;
}

/** 16-byte domain tag: `THE_BLOCKv2|` ‖ chain_id u32 LE. */
export function domainTag(chainId: number): Uint8Array {
  const tag = new Uint8Array(DOMAIN_TAG_BYTES);
  tag.set(new TextEncoder().encode(DOMAIN_TAG), 0);
  new DataView(tag.buffer).setUint32(12, chainId, true);
  return tag;
}

/** Bytes that the sender signs: domain tag ‖ canonical payload. */
export function signingMessage(chainId: number, payloadBytes: Uint8Array): Uint8Array {
  const msg = new Uint8Array(DOMAIN_TAG_BYTES + payloadBytes.length);
  msg.set(domainTag(chainId), 0);
  msg.set(payloadBytes, DOMAIN_TAG_BYTES);
  return msg;
}

/** Tx id bytes: BLAKE3("TX" ‖ 0x02 ‖ payload ‖ public key). */
export function txIdBytes(payloadBytes: Uint8Array, publicKey: Uint8Array): Uint8Array {
  return blake3(TX_ID_PREFIX, payloadBytes, publicKey);
}

export function encodePayload(p: TxPayload): Uint8Array {
  return encodeCanonical(payloadArray(p));
}

/** Scratch output of `fromMatchesKey` (synchronous, never shared by two calls). */
const keyHash = new Uint8Array(32);

/** Whether `from` is the address of `publicKey` (chain/address.ts: the first 20 bytes of SHA-256(public key)), without allocating. */
function fromMatchesKey(from: Uint8Array, publicKey: Uint8Array): boolean {
  sha256Into(keyHash, publicKey);
  for (let i = 0; i < 20; i++) if (keyHash[i] !== from[i]) return false;
  return true;
}

/** Assembles a SignedTx from parts; `hash` may be supplied when already known (import path). */
function assemble(payload: TxPayload, publicKey: Uint8Array, signature: Uint8Array, payloadBytes: Uint8Array, bytes: Uint8Array, hash?: string): SignedTx {
  return {
    payload,
    publicKey,
    signature,
    payloadBytes,
    bytes,
    hash: hash ?? toHex(txIdBytes(payloadBytes, publicKey)),
    fromAddress: formatAddress(payload.from),
    toAddress: formatAddress(payload.to),
  };
}

/**
 * Builds and signs a transfer with a libsodium key pair.
 * @param o.to `tb1…` address; amount/fee/nonce in base units / sequence numbers.
 * @throws Error for a malformed `to` address.
 */
export function signTransfer(o: {
  chainId: number;
  publicKey: Uint8Array;
  secretKey: Uint8Array;
  to: string;
  amount: bigint;
  fee: bigint;
  nonce: bigint;
}): SignedTx {
  const payload: TxPayload = {
    chainId: o.chainId,
    from: addressBytesOf(o.publicKey),
    to: parseAddress(o.to),
    amount: o.amount,
    fee: o.fee,
    nonce: o.nonce,
  };
  const payloadBytes = encodePayload(payload);
  const signature = sign(signingMessage(o.chainId, payloadBytes), o.secretKey);
  const bytes = encodeCanonical([payloadArray(payload), o.publicKey, signature]);
  return assemble(payload, o.publicKey, signature, payloadBytes, bytes);
}

/**
 * Builds and signs a module call: to = from, amount 0. The body must be what the module's
 * `TxKind.encode` returns, otherwise receivers reject the tx as malformed.
 */
export function signCall(o: { chainId: number; publicKey: Uint8Array; secretKey: Uint8Array; nonce: bigint; fee: bigint; call: RawCall }): SignedTx {
  const from = addressBytesOf(o.publicKey);
  const payload: TxPayload = { chainId: o.chainId, from, to: from, amount: 0n, fee: o.fee, nonce: o.nonce, call: o.call };
  const payloadBytes = encodePayload(payload);
  const signature = sign(signingMessage(o.chainId, payloadBytes), o.secretKey);
  const bytes = encodeCanonical([payloadArray(payload), o.publicKey, signature]);
  return assemble(payload, o.publicKey, signature, payloadBytes, bytes);
}

/**
 * Decodes the canonical bytes of a signed tx (structure only; the signature is checked by the caller).
 * @throws CodecError (→ `malformed_tx`) on bad CBOR, a non-canonical form, wrong field types or sizes,
 *   or when `from` is not the address of the public key.
 */
export function decodeTx(bytes: Uint8Array, knownHash?: string): SignedTx {
  if (bytes.length > MAX_TX_BYTES) throw new CodecError(`transaction is ${bytes.length} bytes; the limit is ${MAX_TX_BYTES}`);
  const w = parseWireTransfer(bytes); // fast path: a canonical transfer (chain/tx-wire.ts)
  if (w) {
    if (!fromMatchesKey(w.from, w.publicKey)) throw new CodecError('payload.from is not the address of the public key');
    const { chainId, from, to, amount, fee, nonce } = w;
    return assemble({ chainId, from, to, amount, fee, nonce }, w.publicKey, w.signature, w.payloadBytes, bytes, knownHash);
  }
  const top = asArray(decodeCanonical(bytes, 'transaction'), 'transaction', 3);
  const p = asArray(top[0], 'payload');
  if (p.length !== 6 && p.length !== 7) throw new CodecError(`payload must have 6 elements (transfer) or 7 (module call), got ${p.length}`);
  const payload: TxPayload = {
    chainId: asSafeInt(p[0], 'payload.chain_id', 0xffffffff),
    from: asBytes(p[1], 'payload.from', 20),
    to: asBytes(p[2], 'payload.to', 20),
    amount: asU64(p[3], 'payload.amount'),
    fee: asU64(p[4], 'payload.fee'),
    nonce: asU64(p[5], 'payload.nonce'),
  };
  if (p.length === 7) {
    const c = asArray(p[6], 'payload.call');
    if (c.length === 0 || typeof c[0] !== 'string' || !TAG_RE.test(c[0])) throw new CodecError('payload.call must start with a tag of 1-32 a-z 0-9 _ .');
    payload.call = { tag: c[0], body: c.slice(1) };
    if (payload.amount !== 0n || Buffer.compare(payload.from, payload.to) !== 0) throw new CodecError('a module call must send amount 0 to its own address');
  }
  const publicKey = asBytes(top[1], 'public_key', 32);
  const signature = asBytes(top[2], 'signature', 64);
  const from = addressBytesOf(publicKey);
  if (Buffer.compare(from, payload.from) !== 0) throw new CodecError('payload.from is not the address of the public key');
  // Canonical layout: 0x83 ‖ payload ‖ (0x58 0x20 ‖ pk) ‖ (0x58 0x40 ‖ sig): the payload is a slice.
  const payloadBytes = bytes.subarray(1, bytes.length - 100);
  return assemble(payload, publicKey, signature, payloadBytes, bytes, knownHash);
}

/** How a module call reads (chain/module.ts CallView), supplied by the module registry. */
export type DescribeCall = (tx: SignedTx) => { summary: string; fields: Record<string, string | number | boolean> } | undefined;

/** The JSON view of a tx (src/shared/api/types.ts TxView); module calls read as their module describes them. */
export function txView(tx: SignedTx, describe?: DescribeCall): TxView {
  const call = tx.payload.call;
  const view: TxView = {
    kind: call ? call.tag : 'transfer',
    hash: tx.hash,
    from: tx.fromAddress,
    to: tx.toAddress,
    amount: tx.payload.amount.toString(),
    fee: tx.payload.fee.toString(),
    nonce: tx.payload.nonce.toString(),
    chain_id: tx.payload.chainId,
  };
  if (call) view.call = describe?.(tx) ?? { summary: `${call.tag} call`, fields: {} };
  return view;
}
