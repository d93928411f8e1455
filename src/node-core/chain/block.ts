/**
 * Blocks. Header (canonical CBOR array):
 *   `[height, parent_hash (32), timestamp_ms, proposer address (20), tx_root (32), state_root (32), epoch, tx_count]`
 * Header hash = BLAKE3(header bytes); the proposer signs the 32-byte header hash with Ed25519.
 * Stored/wire block: `[header array, signature (64, empty for genesis), [signed tx bytes…]]`.
 * tx_root = binary Merkle root over the tx ids with SHA-256: the leaves are the ids themselves
 * (already domain-separated BLAKE3 outputs), node = H(0x01 ‖ left ‖ right), an odd node is promoted
 * unchanged; no txs → 32 zero bytes. (SHA-256 because it is native and ~3× faster than JS BLAKE3
 * on the import path; ids and header hashes stay BLAKE3.) epoch = floor(height / 120).
 *
 * Committed evidence (issue 10, multi-validator chains): a block may carry equivocation proofs
 * (tendermint/wire.ts evidence messages `[3, message a, message b]`). Such a block has a 9th header
 * field `evidence_root` = BLAKE3(canonical CBOR list of the evidence bytes) and a 4th block element,
 * the list itself (1..MAX_BLOCK_EVIDENCE items). A block without evidence keeps the 8-field header
 * and 3-element form byte for byte, so every block written before stays valid with the same hash:
 * no chain layout bump is needed (an older node refuses a block with evidence as malformed).
 */
import { blake3, sha256Into, toHex } from '../crypto/hash.js';
import { sign } from '../crypto/ed25519.js';
import { formatAddress } from './address.js';
import { asArray, asBytes, asSafeInt, CodecError, decodeCanonical, encodeCanonical } from './codec.js';
import { decodeTx, txView, type DescribeCall, type SignedTx } from './tx.js';
import { parseWireBlock, type WireBlock, type WireHeader } from './block-wire.js';
import type { BlockHeader as BlockHeaderView, BlockView } from '../../shared/api/index.js';

export const EPOCH_BLOCKS = 120;
export const ZERO_HASH = new Uint8Array(32);

export interface Header extends WireHeader {
  /** BLAKE3 of the canonical CBOR list of the block's evidence; only when it carries some. */
  evidenceRoot?: Uint8Array;
}

export interface Block {
  header: Header;
  /** 32-byte header hash. */
  hash: Uint8Array;
  hashHex: string;
  signature: Uint8Array;
  txs: SignedTx[];
  /** Equivocation proofs the block commits (evidence message bytes, tendermint/wire.ts); usually none. */
  evidence: Uint8Array[];
  /** Canonical block bytes as stored. */
  bytes: Uint8Array;
}

export function epochOf(height: number): number {
  return Math.floor(height / EPOCH_BLOCKS);
}

/** Most evidence items one block carries. */
export const MAX_BLOCK_EVIDENCE = 8;

function headerArray(h: Header): unknown[] {
  const a: unknown[] = [h.height, h.parentHash, h.timestampMs, h.proposer, h.txRoot, h.stateRoot, h.epoch, h.txCount];
  if (h.evidenceRoot) a.push(h.evidenceRoot);
  return a;
}

/** The header's evidence_root over a block's evidence items (undefined for none). */
export function evidenceRoot(items: readonly Uint8Array[]): Uint8Array | undefined {
  return items.length === 0 ? undefined : blake3(encodeCanonical(items));
}

export function headerHash(h: Header): Uint8Array {
  return blake3(encodeCanonical(headerArray(h)));
}

/** Bytes of a canonical unsigned integer (RFC 8949 §4.2.1 shortest form). */
function uintLength(v: number): number {
  return v < 24 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : v < 0x100000000 ? 5 : 9;
}

/** Bytes of the header's canonical encoding (headerArray): a one-byte array head, 4 integers, 4 or 5 byte strings. */
export function headerLength(h: Header): number {
  const ints = uintLength(h.height) + uintLength(h.timestampMs) + uintLength(h.epoch) + uintLength(h.txCount);
  // parent hash, tx root, state root (and evidence root): 0x58 0x20 ‖ 32 bytes; proposer: 0x54 ‖ 20 bytes.
  return 1 + ints + 3 * 34 + 21 + (h.evidenceRoot ? 34 : 0);
}

/** Merkle root over 32-byte tx ids (see module doc). */
export function txRoot(ids: Uint8Array[]): Uint8Array {
  if (ids.length === 0) return ZERO_HASH;
  const nodeIn = Buffer.alloc(65);
  nodeIn[0] = 1;
  let level: Uint8Array[] = ids;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      if (i + 1 < level.length) {
        nodeIn.set(level[i], 1);
        nodeIn.set(level[i + 1], 33);
        const h = new Uint8Array(32);
        sha256Into(h, nodeIn); // 65 bytes: libsodium, ~3× cheaper than a node:crypto call here
        next.push(h);
      } else next.push(level[i]);
    }
    level = next;
  }
  return new Uint8Array(level[0]);
}

/**
 * Builds, hashes and (when a secret key is given) signs a block; genesis passes no key.
 * @param evidence evidence items to commit; the header's evidenceRoot is set from them.
 */
export function makeBlock(header: Header, txs: SignedTx[], secretKey?: Uint8Array, evidence: Uint8Array[] = []): Block {
  header = { ...header, evidenceRoot: evidenceRoot(evidence) };
  if (!header.evidenceRoot) delete header.evidenceRoot;
  const hash = headerHash(header);
  const signature = secretKey ? sign(hash, secretKey) : new Uint8Array(0);
  const top: unknown[] = [headerArray(header), signature, txs.map((t) => t.bytes)];
  if (evidence.length > 0) top.push(evidence);
  const bytes = encodeCanonical(top);
  return { header, hash, hashHex: toHex(hash), signature, txs, evidence, bytes };
}

/**
 * Decodes stored/wire block bytes (structure only; signatures and roots are checked by import).
 * @param o.deferTxHashes leave `tx.hash` empty: the import path has the verify pool compute the ids off-thread.
 * @throws CodecError on a malformed block or transaction.
 */
export function decodeBlock(bytes: Uint8Array, o: { deferTxHashes?: boolean } = {}): Block {
  const w = parseWireBlock(bytes); // fast path: a canonical block without evidence (chain/block-wire.ts)
  if (w) return fromWire(w, bytes, o.deferTxHashes);
  const top = asArray(decodeCanonical(bytes, 'block'), 'block');
  if (top.length !== 3 && top.length !== 4) throw new CodecError(`block must have 3 or 4 elements, got ${top.length}`);
  const h = asArray(top[0], 'header');
  if (h.length !== top.length + 5) throw new CodecError(`header must have ${top.length + 5} elements in a block of ${top.length}, got ${h.length}`);
  const header: Header = {
    height: asSafeInt(h[0], 'header.height'),
    parentHash: asBytes(h[1], 'header.parent_hash', 32),
    timestampMs: asSafeInt(h[2], 'header.timestamp_ms'),
    proposer: asBytes(h[3], 'header.proposer', 20),
    txRoot: asBytes(h[4], 'header.tx_root', 32),
    stateRoot: asBytes(h[5], 'header.state_root', 32),
    epoch: asSafeInt(h[6], 'header.epoch'),
    txCount: asSafeInt(h[7], 'header.tx_count'),
  };
  let evidence: Uint8Array[] = [];
  if (top.length === 4) {
    const root = asBytes(h[8], 'header.evidence_root', 32);
    const items = asArray(top[3], 'evidence');
    if (items.length < 1 || items.length > MAX_BLOCK_EVIDENCE) throw new CodecError(`a block carries 1 to ${MAX_BLOCK_EVIDENCE} evidence items, got ${items.length}`);
    evidence = items.map((x, i) => asBytes(x, `evidence[${i}]`));
    if (toHex(evidenceRoot(evidence)!) !== toHex(root)) throw new CodecError('header.evidence_root does not match the block\'s evidence');
    header.evidenceRoot = root;
  }
  const signature = asBytes(top[1], 'signature');
  const rawTxs = asArray(top[2], 'transactions');
  if (rawTxs.length !== header.txCount) throw new CodecError(`header.tx_count ${header.txCount} != ${rawTxs.length} transactions`);
  const txs = rawTxs.map((t, i) => decodeTx(asBytes(t, `transactions[${i}]`), o.deferTxHashes ? '' : undefined));
  // The bytes are canonical (checked above), so the header's canonical encoding is their slice
  // right after the block's one-byte array head: hashed in place, not re-encoded.
  const hash = blake3(bytes.subarray(1, 1 + headerLength(header)));
  return { header, hash, hashHex: toHex(hash), signature, txs, evidence, bytes };
}

/** A Block from the fast path's parts (same checks as below: tx count, each tx decoded). */
function fromWire(w: WireBlock, bytes: Uint8Array, deferTxHashes?: boolean): Block {
  const { headerBytes, signature, txs: raw, ...header } = w;
  const txs = raw.map((t) => decodeTx(t, deferTxHashes ? '' : undefined));
  const hash = blake3(headerBytes);
  return { header, hash, hashHex: toHex(hash), signature, txs, evidence: [], bytes };
}

/** JSON header view (src/shared/api/types.ts BlockHeader). */
export function headerView(b: Block): BlockHeaderView {
  const h = b.header;
  return {
    height: h.height,
    hash: b.hashHex,
    parent_hash: toHex(h.parentHash),
    timestamp_ms: h.timestampMs,
    proposer: formatAddress(h.proposer),
    tx_root: toHex(h.txRoot),
    state_root: toHex(h.stateRoot),
    epoch: h.epoch,
    tx_count: h.txCount,
    ...(h.evidenceRoot ? { evidence_count: b.evidence.length, evidence_root: toHex(h.evidenceRoot) } : {}),
    signature: toHex(b.signature),
  };
}

/** JSON block view with transactions. */
export function blockView(b: Block, describe?: DescribeCall): BlockView {
  return { ...headerView(b), transactions: b.txs.map((tx) => txView(tx, describe)) };
}
