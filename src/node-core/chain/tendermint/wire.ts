/**
 * Signed wire form of the Tendermint messages of the node (core.ts works on unsigned records; this
 * file signs, verifies and encodes them). Canonical CBOR arrays:
 *
 *   proposal   [0, chain_id, height, round, valid_round + 1, block bytes, validator (20), signature (64)]
 *   prevote    [1, chain_id, height, round, block hash (32) | h'' (nil), validator (20), signature (64)]
 *   precommit  [2, chain_id, height, round, block hash (32) | h'' (nil), validator (20), signature (64)]
 *   evidence   [3, message a bytes, message b bytes]   (two conflicting signed messages of one validator)
 *   bundle     [4, sequence, [message bytes…]]         (re-gossip of a height's messages; the sequence
 *                                                     makes each bundle a new gossip message)
 *
 * Signed bytes: ASCII `THE_BLOCKtendermint|` ‖ canonical CBOR `[type, chain_id, height, round,
 * valid_round + 1 (proposals; 0 for votes), block hash | h'', validator]` — a proposal signs the
 * block's hash, so the block travels once and its own proposer signature still covers its content.
 * The domain tag keeps these signatures apart from transaction, block and old finality-vote ones.
 *
 * Commit certificate (stored beside its block as chain DB metadata `commit/<height>` and served
 * by sync, spec: CometBFT `Commit`): `[height, round, block hash (32), [precommit bytes…]]`.
 */
import { sign, verify } from '../../crypto/ed25519.js';
import { fromHex, toHex } from '../../crypto/hash.js';
import { decodeBlock, type Block } from '../block.js';
import { asArray, asBytes, asSafeInt, CodecError, decodeCanonical, encodeCanonical } from '../codec.js';
import type { ConsensusMessage, Proposal, Vote } from './types.js';

const TAG = new TextEncoder().encode('THE_BLOCKtendermint|');
const TYPE = { proposal: 0, prevote: 1, precommit: 2 } as const;
const EVIDENCE = 3;
const BUNDLE = 4;
/** Most messages in one bundle. */
export const MAX_BUNDLE = 512;
/** Largest signed vote (bytes). */
export const MAX_VOTE_BYTES = 256;

/** A message as received: the record for the core, its signed bytes, and the block of a proposal. */
export interface SignedMessage {
  msg: ConsensusMessage<Block>;
  bytes: Uint8Array;
}

export interface Keyring {
  chainId: number;
  /** Public key (32 bytes) of a validator by 40-hex address, undefined when not a validator. */
  keyOf(addrHex: string): Uint8Array | undefined;
}

function signBytes(chainId: number, m: ConsensusMessage<Block>): Uint8Array {
  const id = m.type === 'proposal' ? m.value.hash : m.id === null ? new Uint8Array(0) : fromHex(m.id, 32);
  const vr = m.type === 'proposal' ? m.validRound + 1 : 0;
  const body = encodeCanonical([TYPE[m.type], chainId, m.height, m.round, vr, id, fromHex(m.from, 20)]);
  const out = new Uint8Array(TAG.length + body.length);
  out.set(TAG, 0);
  out.set(body, TAG.length);
  return out;
}

/** Signs one of our messages (the caller has persisted the consensus state first). */
export function signMessage(chainId: number, m: ConsensusMessage<Block>, secretKey: Uint8Array): Uint8Array {
  const sig = sign(signBytes(chainId, m), secretKey);
  if (m.type === 'proposal') return encodeCanonical([TYPE.proposal, chainId, m.height, m.round, m.validRound + 1, m.value.bytes, fromHex(m.from, 20), sig]);
  return encodeCanonical([TYPE[m.type], chainId, m.height, m.round, m.id === null ? new Uint8Array(0) : fromHex(m.id, 32), fromHex(m.from, 20), sig]);
}

/** Whether the bytes are an evidence message (type 3). */
export function isEvidence(bytes: Uint8Array): boolean {
  return bytes.length > 1 && bytes[0] === 0x83 && bytes[1] === EVIDENCE;
}

/** A signed message decoded but not yet checked against a chain id or a key (evidence checks). */
export interface ParsedMessage extends SignedMessage {
  chainId: number;
  signature: Uint8Array;
}

/**
 * Decodes the structure of a signed proposal or vote (no chain id, sender or signature check).
 * @throws CodecError when malformed.
 */
export function parseMessage(bytes: Uint8Array): ParsedMessage {
  const a = asArray(decodeCanonical(bytes, 'consensus message'), 'consensus message');
  const type = asSafeInt(a[0], 'type', 2);
  const chainId = asSafeInt(a[1], 'chain_id', 0xffffffff);
  const height = asSafeInt(a[2], 'height');
  const round = asSafeInt(a[3], 'round', 1_000_000);
  let msg: ConsensusMessage<Block>;
  let rest: unknown[];
  if (type === TYPE.proposal) {
    if (a.length !== 8) throw new CodecError('proposal must have 8 fields');
    const validRound = asSafeInt(a[4], 'valid_round', 1_000_000) - 1;
    let block: Block;
    try {
      block = decodeBlock(asBytes(a[5], 'block'), { deferTxHashes: true });
    } catch (err) {
      throw new CodecError(`proposal block: ${(err as Error).message}`);
    }
    if (block.header.height !== height) throw new CodecError(`proposal at height ${height} carries block ${block.header.height}`);
    rest = a.slice(6);
    msg = { type: 'proposal', height, round, validRound, value: block, from: '' } satisfies Proposal<Block>;
  } else {
    if (a.length !== 7) throw new CodecError('vote must have 7 fields');
    const h = asBytes(a[4], 'block_hash');
    if (h.length !== 0 && h.length !== 32) throw new CodecError('vote block_hash must be 32 bytes or empty (nil)');
    rest = a.slice(5);
    msg = { type: type === TYPE.prevote ? 'prevote' : 'precommit', height, round, id: h.length === 0 ? null : toHex(h), from: '' } satisfies Vote;
  }
  msg.from = toHex(asBytes(rest[0], 'validator', 20));
  return { msg, bytes, chainId, signature: asBytes(rest[1], 'signature', 64) };
}

/** Whether the parsed message's signature verifies under `publicKey` (its own chain id signed in). */
export function signatureHolds(p: ParsedMessage, publicKey: Uint8Array): boolean {
  return verify(p.signature, signBytes(p.chainId, p.msg), publicKey);
}

/**
 * Decodes and verifies a signed proposal or vote: chain id, a validator sender, its signature, and
 * (proposals) that the block decodes and the proposal signs that block's hash.
 * @throws CodecError with the reason when any check fails.
 */
export function decodeMessage(bytes: Uint8Array, keys: Keyring): SignedMessage {
  const p = parseMessage(bytes);
  if (p.chainId !== keys.chainId) throw new CodecError(`consensus message of chain id ${p.chainId}, this node runs ${keys.chainId}`);
  const pk = keys.keyOf(p.msg.from);
  if (!pk) throw new CodecError(`sender ${p.msg.from} is not a validator`);
  if (!signatureHolds(p, pk)) throw new CodecError('signature does not verify');
  return { msg: p.msg, bytes };
}

/** Whether the bytes are a bundle message (type 4). */
export function isBundle(bytes: Uint8Array): boolean {
  return bytes.length > 1 && bytes[0] === 0x83 && bytes[1] === BUNDLE;
}

export function encodeBundle(seq: number, msgs: Uint8Array[]): Uint8Array {
  return encodeCanonical([BUNDLE, seq, msgs.slice(0, MAX_BUNDLE)]);
}

/** The messages of a bundle (each still to be decoded and verified). @throws CodecError when malformed. */
export function decodeBundle(bytes: Uint8Array): Uint8Array[] {
  const a = asArray(decodeCanonical(bytes, 'bundle'), 'bundle', 3);
  if (asSafeInt(a[0], 'type') !== BUNDLE) throw new CodecError('not a bundle');
  asSafeInt(a[1], 'sequence');
  const list = asArray(a[2], 'messages');
  if (list.length > MAX_BUNDLE) throw new CodecError(`bundle of ${list.length} messages, more than ${MAX_BUNDLE}`);
  return list.map((x, i) => asBytes(x, `messages[${i}]`));
}

export function encodeEvidence(a: Uint8Array, b: Uint8Array): Uint8Array {
  return encodeCanonical([EVIDENCE, a, b]);
}

/**
 * Decodes and verifies evidence: two validly signed messages of one validator in one
 * (height, round, type) slot for different values.
 * @throws CodecError when it proves nothing.
 */
export function decodeEvidence(bytes: Uint8Array, keys: Keyring): [SignedMessage, SignedMessage] {
  const a = asArray(decodeCanonical(bytes, 'evidence'), 'evidence', 3);
  if (asSafeInt(a[0], 'type') !== EVIDENCE) throw new CodecError('not an evidence message');
  const x = decodeMessage(asBytes(a[1], 'evidence.a'), keys);
  const y = decodeMessage(asBytes(a[2], 'evidence.b'), keys);
  if (!conflict(x.msg, y.msg)) throw new CodecError('the two messages do not conflict');
  return [x, y];
}

/** The two messages of an evidence message, decoded but not verified (block evidence checks). @throws CodecError when malformed. */
export function parseEvidence(bytes: Uint8Array): [ParsedMessage, ParsedMessage] {
  const a = asArray(decodeCanonical(bytes, 'evidence'), 'evidence', 3);
  if (asSafeInt(a[0], 'type') !== EVIDENCE) throw new CodecError('not an evidence message');
  return [parseMessage(asBytes(a[1], 'evidence.a')), parseMessage(asBytes(a[2], 'evidence.b'))];
}

/** Same validator, same (height, round, type), different value (or valid round for proposals). */
export function conflict(a: ConsensusMessage<Block>, b: ConsensusMessage<Block>): boolean {
  if (a.from !== b.from || a.type !== b.type || a.height !== b.height || a.round !== b.round) return false;
  if (a.type === 'proposal' && b.type === 'proposal') return a.value.hashHex !== b.value.hashHex || a.validRound !== b.validRound;
  return a.type !== 'proposal' && b.type !== 'proposal' && a.id !== b.id;
}

export interface Certificate {
  height: number;
  round: number;
  hashHex: string;
  precommits: Uint8Array[];
}

export function encodeCertificate(c: Certificate): Uint8Array {
  return encodeCanonical([c.height, c.round, fromHex(c.hashHex, 32), c.precommits]);
}

/** Most precommits one certificate may carry (a validator counts once; an equivocator's extras are dropped). */
const MAX_PRECOMMITS = 1024;

/**
 * Checks a commit certificate for a block: distinct validators' signed precommits for the block's
 * hash at one (height, round) with more than 2/3 of the total stake (Algorithm 1 line 49).
 * @throws CodecError naming what is wrong.
 */
export function verifyCertificate(bytes: Uint8Array, block: Block, keys: Keyring, stakes: ReadonlyMap<string, bigint>): Certificate {
  const a = asArray(decodeCanonical(bytes, 'commit certificate'), 'commit certificate', 4);
  const c: Certificate = {
    height: asSafeInt(a[0], 'height'),
    round: asSafeInt(a[1], 'round', 1_000_000),
    hashHex: toHex(asBytes(a[2], 'block_hash', 32)),
    precommits: asArray(a[3], 'precommits').map((x, i) => asBytes(x, `precommits[${i}]`)),
  };
  if (c.precommits.length > MAX_PRECOMMITS) throw new CodecError('too many precommits');
  if (c.height !== block.header.height || c.hashHex !== block.hashHex) throw new CodecError(`certificate is for ${c.hashHex.slice(0, 12)} at ${c.height}, not block ${block.header.height}`);
  let total = 0n;
  for (const s of stakes.values()) total += s;
  let w = 0n;
  const seen = new Set<string>();
  for (const p of c.precommits) {
    if (p.length > MAX_VOTE_BYTES) throw new CodecError('precommit too large');
    const m = decodeMessage(p, keys).msg;
    if (m.type !== 'precommit' || m.height !== c.height || m.round !== c.round || m.id !== c.hashHex) throw new CodecError(`precommit of ${m.from} is not for this block and round`);
    if (seen.has(m.from)) continue;
    seen.add(m.from);
    w += stakes.get(m.from) ?? 0n;
  }
  if (w * 3n <= total * 2n) throw new CodecError(`precommits carry ${w} of ${total} stake, not more than 2/3`);
  return c;
}
