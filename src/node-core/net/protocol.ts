/**
 * Wire formats of the peer protocols (canonical CBOR, strictly decoded, every size bounded) and
 * the gossip topic names (spec/chain_core.md §7: handshake with network id, ChainRequest / Chain).
 *
 *   /tb/status/1   request and response are both a Status:
 *                  `[chain_id, genesis_hash (32), head_height, head_hash (32), finalized_height, finalized_hash (32), agent]`
 *                  (the handshake: a peer of another chain id or genesis is refused)
 *   /tb/blocks/1   request `[from_height, count]` (count 1..MAX_SYNC_BLOCKS)
 *                  response `[[block bytes…], [certificate bytes…]]`: consecutive committed blocks from
 *                  `from_height` (fewer when the responder has fewer or the bytes bound is hit), and
 *                  the commit certificate of each (chain/tendermint/wire.ts; empty bytes when none).
 * Gossip topics (gossipsub, unsigned messages, message id = SHA-256 of the data):
 *   tb/<chain_id>/<genesis hash 16 hex>/blocks | /txs | /votes
 *   (blocks: signed Tendermint proposals carrying their block, or plain blocks of a single-validator
 *   chain; votes: signed prevotes / precommits and evidence — chain/tendermint/wire.ts)
 */
import { decode } from 'cborg';
import { sha256 } from '../crypto/hash.js';
import { asArray, asBytes, asSafeInt, CodecError, decodeCanonical, encodeCanonical } from '../chain/codec.js';

export const PROTO_STATUS = '/tb/status/1';
export const PROTO_BLOCKS = '/tb/blocks/1';
/** Most blocks one sync response carries. */
export const MAX_SYNC_BLOCKS = 512;
/** Byte budget of one sync response (the responder stops adding blocks past it). */
export const MAX_SYNC_BYTES = 8 * 1024 * 1024;
/** Largest gossip message (a full block of MAX_BLOCK_TXS transfers fits). */
export const MAX_GOSSIP_BYTES = 8 * 1024 * 1024;
export const MAX_STATUS_BYTES = 512;
export const MAX_REQUEST_BYTES = 64;

export interface Status {
  chainId: number;
  genesisHash: string;
  headHeight: number;
  headHash: string;
  finalizedHeight: number;
  finalizedHash: string;
  agent: string;
}

const hex32 = (s: string) => new Uint8Array(Buffer.from(s.padStart(64, '0'), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function encodeStatus(s: Status): Uint8Array {
  return encodeCanonical([s.chainId, hex32(s.genesisHash), s.headHeight, hex32(s.headHash), s.finalizedHeight, hex32(s.finalizedHash), s.agent.slice(0, 64)]);
}

/** @throws CodecError on anything but a canonical, bounded Status. */
export function decodeStatus(b: Uint8Array): Status {
  if (b.length > MAX_STATUS_BYTES) throw new CodecError(`status is ${b.length} bytes`);
  const a = asArray(decodeCanonical(b, 'status'), 'status', 7);
  if (typeof a[6] !== 'string' || a[6].length > 64) throw new CodecError('status.agent must be a short string');
  return {
    chainId: asSafeInt(a[0], 'status.chain_id', 0xffffffff),
    genesisHash: toHex(asBytes(a[1], 'status.genesis_hash', 32)),
    headHeight: asSafeInt(a[2], 'status.head_height'),
    headHash: toHex(asBytes(a[3], 'status.head_hash', 32)),
    finalizedHeight: asSafeInt(a[4], 'status.finalized_height'),
    finalizedHash: toHex(asBytes(a[5], 'status.finalized_hash', 32)),
    agent: a[6],
  };
}

export function encodeBlocksRequest(from: number, count: number): Uint8Array {
  return encodeCanonical([from, count]);
}

/** @throws CodecError on a malformed request or a count outside 1..MAX_SYNC_BLOCKS. */
export function decodeBlocksRequest(b: Uint8Array): { from: number; count: number } {
  if (b.length > MAX_REQUEST_BYTES) throw new CodecError(`blocks request is ${b.length} bytes`);
  const a = asArray(decodeCanonical(b, 'blocks request'), 'blocks request', 2);
  const from = asSafeInt(a[0], 'from_height');
  const count = asSafeInt(a[1], 'count');
  if (count < 1 || count > MAX_SYNC_BLOCKS) throw new CodecError(`count must be 1..${MAX_SYNC_BLOCKS}, got ${count}`);
  return { from, count };
}

export function encodeBlocksResponse(blocks: Uint8Array[], proof: Uint8Array[]): Uint8Array {
  return encodeCanonical([blocks, proof]);
}

/**
 * Decodes a sync response. The envelope is neither hashed nor signed, so it is decoded strictly
 * but without the canonical re-encoding check (each block inside gets that check at import).
 * @throws CodecError on a malformed response or one with more than MAX_SYNC_BLOCKS blocks.
 */
export function decodeBlocksResponse(b: Uint8Array): { blocks: Uint8Array[]; proof: Uint8Array[] } {
  let v: unknown;
  try {
    v = decode(b, { strict: true, useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false, allowIndefinite: false, allowNaN: false, allowInfinity: false });
  } catch (err) {
    throw new CodecError(`blocks response is not valid CBOR: ${(err as Error).message}`);
  }
  const a = asArray(v, 'blocks response', 2);
  const blocks = asArray(a[0], 'blocks').map((x, i) => asBytes(x, `blocks[${i}]`));
  const proof = asArray(a[1], 'proof').map((x, i) => asBytes(x, `proof[${i}]`));
  if (blocks.length > MAX_SYNC_BLOCKS) throw new CodecError(`response has ${blocks.length} blocks, more than ${MAX_SYNC_BLOCKS}`);
  if (proof.length > 1024) throw new CodecError('response proof is too long');
  return { blocks, proof };
}

export type TopicKind = 'blocks' | 'txs' | 'votes';
export const TOPIC_KINDS: readonly TopicKind[] = ['blocks', 'txs', 'votes'];

/** Gossip topic of a kind for one chain (chain id and genesis in the name keep chains apart). */
export function topicName(chainId: number, genesisHash: string, kind: TopicKind): string {
  return `tb/${chainId}/${genesisHash.slice(0, 16)}/${kind}`;
}

/** Gossip message id: SHA-256 of the payload (identical payloads are one message). */
export function messageId(data: Uint8Array): Uint8Array {
  return sha256(data);
}
