/**
 * Fast path of `decodeTx` (chain/tx.ts) for the common case, a signed transfer in canonical CBOR:
 *
 *   0x83 ‖ 0x86 ‖ uint chain_id ‖ 0x54 from (20) ‖ 0x54 to (20) ‖ uint amount ‖ uint fee ‖ uint nonce
 *        ‖ 0x58 0x20 public key (32) ‖ 0x58 0x40 signature (64)
 *
 * where every uint is in its shortest form (RFC 8949 §4.2.1) and chain_id fits 32 bits. It reads
 * the fields straight from the bytes instead of a generic CBOR decode plus a re-encode to check
 * the form (the import path decodes every transaction of every block: ~20 µs per tx through
 * cborg, ~1 µs here). It accepts exactly the bytes the generic path accepts as a transfer;
 * anything else (a module call, a non-canonical or malformed tx) returns undefined and the caller
 * takes the generic path, which gives the precise error. The address check (`from` = address of
 * the public key) stays with the caller.
 */

/** Fields of a canonical signed transfer: the byte fields are views into the tx bytes (which the SignedTx keeps anyway). */
export interface WireTransfer {
  chainId: number;
  from: Uint8Array;
  to: Uint8Array;
  amount: bigint;
  fee: bigint;
  nonce: bigint;
  publicKey: Uint8Array;
  signature: Uint8Array;
  /** Canonical payload bytes (`bytes[1 .. length-100]`). */
  payloadBytes: Uint8Array;
}

/** Offset after the last `readUint` (module state: parsing is synchronous; saves a tuple per field). */
let end = 0;

/** Shortest-form CBOR unsigned integer at `o` (next offset in `end`), or undefined when not one. */
function readUint(b: Uint8Array, o: number): bigint | undefined {
  if (o >= b.length) return undefined;
  const ib = b[o];
  if (ib < 24) {
    end = o + 1;
    return BigInt(ib);
  }
  switch (ib) {
    case 0x18:
      if (o + 2 > b.length || b[o + 1] < 24) return undefined;
      end = o + 2;
      return BigInt(b[o + 1]);
    case 0x19: {
      if (o + 3 > b.length) return undefined;
      const v = (b[o + 1] << 8) | b[o + 2];
      end = o + 3;
      return v > 0xff ? BigInt(v) : undefined;
    }
    case 0x1a: {
      if (o + 5 > b.length) return undefined;
      const v = ((b[o + 1] << 24) >>> 0) + ((b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]);
      end = o + 5;
      return v > 0xffff ? BigInt(v) : undefined;
    }
    case 0x1b: {
      if (o + 9 > b.length) return undefined;
      const hi = ((b[o + 1] << 24) >>> 0) + ((b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]);
      const lo = ((b[o + 5] << 24) >>> 0) + ((b[o + 6] << 16) | (b[o + 7] << 8) | b[o + 8]);
      end = o + 9;
      return hi > 0 ? (hi <= 0x1fffff ? BigInt(hi * 4294967296 + lo) : (BigInt(hi) << 32n) | BigInt(lo)) : undefined;
    }
    default:
      return undefined;
  }
}

/** The fields of `bytes` when they are a canonical signed transfer, else undefined (see the header). */
export function parseWireTransfer(bytes: Uint8Array): WireTransfer | undefined {
  const n = bytes.length;
  // Fixed parts: 2 array heads + 6 one-byte uints at least + 2 × 21 + 2 + 32 + 2 + 64.
  if (n < 2 + 6 + 42 + 100 - 3 || bytes[0] !== 0x83 || bytes[1] !== 0x86) return undefined;
  const chainId = readUint(bytes, 2);
  if (chainId === undefined || chainId > 0xffffffffn) return undefined;
  let o = end;
  if (o + 42 > n || bytes[o] !== 0x54 || bytes[o + 21] !== 0x54) return undefined;
  const fromAt = o + 1;
  o += 42;
  const amount = readUint(bytes, o);
  if (amount === undefined) return undefined;
  const fee = readUint(bytes, end);
  if (fee === undefined) return undefined;
  const nonce = readUint(bytes, end);
  if (nonce === undefined) return undefined;
  o = end;
  if (o + 100 !== n || bytes[o] !== 0x58 || bytes[o + 1] !== 0x20 || bytes[o + 34] !== 0x58 || bytes[o + 35] !== 0x40) return undefined;
  // Views of `bytes` as plain Uint8Arrays (no copy: the SignedTx keeps `bytes` itself anyway).
  const u8 = bytes instanceof Buffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, n) : bytes;
  return {
    chainId: Number(chainId),
    from: u8.subarray(fromAt, fromAt + 20),
    to: u8.subarray(fromAt + 21, fromAt + 41),
    amount,
    fee,
    nonce,
    publicKey: u8.subarray(o + 2, o + 34),
    signature: u8.subarray(o + 36, o + 100),
    payloadBytes: bytes.subarray(1, o),
  };
}
