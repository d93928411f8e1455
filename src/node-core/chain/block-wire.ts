/**
 * Fast path of `decodeBlock` (chain/block.ts) for the common case, a block without evidence in
 * canonical CBOR:
 *
 *   0x83 ‖ 0x88 header[uint height, 0x58 0x20 parent (32), uint timestamp_ms, 0x54 proposer (20),
 *          0x58 0x20 tx_root (32), 0x58 0x20 state_root (32), uint epoch, uint tx_count]
 *        ‖ bstr signature ‖ array of tx_count bstr (the signed tx bytes)
 *
 * every head in its shortest form (RFC 8949 §4.2.1), the integers within JavaScript's safe range.
 * It reads the fields in place instead of a generic CBOR decode (a token object per item) plus a
 * re-encode of the whole block to check the form: the import path decodes every block it gets.
 * The header's canonical bytes are a slice of the block, so its hash needs no re-encode either.
 * It accepts exactly the bytes the generic path accepts as such a block; anything else (evidence,
 * a non-canonical or malformed block) returns undefined and the caller takes the generic path,
 * which gives the precise error. The transactions are decoded by the caller (chain/tx.ts).
 */

/** The eight header fields every block has (chain/block.ts `Header` adds the optional evidence root). */
export interface WireHeader {
  height: number;
  parentHash: Uint8Array;
  timestampMs: number;
  proposer: Uint8Array;
  txRoot: Uint8Array;
  stateRoot: Uint8Array;
  epoch: number;
  txCount: number;
}

/** The parts of a canonical evidence-free block; byte fields are views into the block bytes. */
export interface WireBlock extends WireHeader {
  /** The header's canonical bytes (what its hash covers). */
  headerBytes: Uint8Array;
  signature: Uint8Array;
  /** Each transaction's signed bytes. */
  txs: Uint8Array[];
}

/** Offset after the last `readHead` (module state: parsing is synchronous). */
let end = 0;

/**
 * Argument of a shortest-form CBOR head of major type `major` at `o` (next offset in `end`), or
 * -1 when there is none or it is not a safe integer.
 */
function readHead(b: Uint8Array, o: number, major: number): number {
  if (o >= b.length || b[o] >>> 5 !== major) return -1;
  const ai = b[o] & 31;
  if (ai < 24) {
    end = o + 1;
    return ai;
  }
  let v: number;
  let len: number;
  if (ai === 24) {
    len = 1;
    if (o + 2 > b.length || (v = b[o + 1]) < 24) return -1;
  } else if (ai === 25) {
    len = 2;
    if (o + 3 > b.length || (v = (b[o + 1] << 8) | b[o + 2]) <= 0xff) return -1;
  } else if (ai === 26) {
    len = 4;
    if (o + 5 > b.length || (v = ((b[o + 1] << 24) >>> 0) + ((b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4])) <= 0xffff) return -1;
  } else if (ai === 27) {
    len = 8;
    if (o + 9 > b.length) return -1;
    const hi = ((b[o + 1] << 24) >>> 0) + ((b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]);
    const lo = ((b[o + 5] << 24) >>> 0) + ((b[o + 6] << 16) | (b[o + 7] << 8) | b[o + 8]);
    if (hi === 0 || hi > 0x1fffff) return -1; // not shortest form, or beyond 2^53 - 1
    v = hi * 4294967296 + lo;
  } else return -1;
  end = o + 1 + len;
  return v;
}

/** A byte string of exactly `len` bytes at `o` (view), or undefined. */
function readBytes(b: Uint8Array, o: number, len: number): Uint8Array | undefined {
  if (readHead(b, o, 2) !== len || end + len > b.length) return undefined;
  end += len;
  return b.subarray(end - len, end);
}

/** The parts of `bytes` when they are a canonical block without evidence, else undefined (see the header). */
export function parseWireBlock(bytes: Uint8Array): WireBlock | undefined {
  const b = bytes instanceof Buffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) : bytes;
  if (b.length < 2 || b[0] !== 0x83 || b[1] !== 0x88) return undefined;
  const height = readHead(b, 2, 0);
  if (height < 0) return undefined;
  const parentHash = readBytes(b, end, 32);
  if (!parentHash) return undefined;
  const timestampMs = readHead(b, end, 0);
  if (timestampMs < 0) return undefined;
  const proposer = readBytes(b, end, 20);
  if (!proposer) return undefined;
  const txRoot = readBytes(b, end, 32);
  if (!txRoot) return undefined;
  const stateRoot = readBytes(b, end, 32);
  if (!stateRoot) return undefined;
  const epoch = readHead(b, end, 0);
  if (epoch < 0) return undefined;
  const txCount = readHead(b, end, 0);
  if (txCount < 0) return undefined;
  const headerBytes = b.subarray(1, end);
  const sigLen = readHead(b, end, 2);
  if (sigLen < 0 || end + sigLen > b.length) return undefined;
  const signature = b.subarray(end, end + sigLen);
  end += sigLen;
  if (readHead(b, end, 4) !== txCount || txCount > b.length - end) return undefined; // each tx takes ≥ 1 byte
  const txs: Uint8Array[] = new Array(txCount);
  for (let i = 0; i < txCount; i++) {
    const len = readHead(b, end, 2);
    if (len < 0 || end + len > b.length) return undefined;
    txs[i] = b.subarray(end, end + len);
    end += len;
  }
  if (end !== b.length) return undefined;
  return { height, parentHash, timestampMs, proposer, txRoot, stateRoot, epoch, txCount, headerBytes, signature, txs };
}
