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

/** Fields of a canonical signed transfer (copies, as the generic decoder gives; payloadBytes is a subarray). */
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

/** Shortest-form CBOR unsigned integer at `o`: [value, next offset], or undefined when not one. */
function readUint(b: Uint8Array, o: number): [bigint, number] | undefined {
  if (o >= b.length) return undefined;
  const ib = b[o];
  if (ib < 24) return [BigInt(ib), o + 1];
  switch (ib) {
    case 0x18:
      if (o + 2 > b.length || b[o + 1] < 24) return undefined;
      return [BigInt(b[o + 1]), o + 2];
    case 0x19: {
      if (o + 3 > b.length) return undefined;
      const v = (b[o + 1] << 8) | b[o + 2];
      return v > 0xff ? [BigInt(v), o + 3] : undefined;
    }
    case 0x1a: {
      if (o + 5 > b.length) return undefined;
      const v = ((b[o + 1] << 24) >>> 0) + ((b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]);
      return v > 0xffff ? [BigInt(v), o + 5] : undefined;
    }
    case 0x1b: {
      if (o + 9 > b.length) return undefined;
      const hi = ((b[o + 1] << 24) >>> 0) + ((b[o + 2] << 16) | (b[o + 3] << 8) | b[o + 4]);
      const lo = ((b[o + 5] << 24) >>> 0) + ((b[o + 6] << 16) | (b[o + 7] << 8) | b[o + 8]);
      return hi > 0 ? [(BigInt(hi) << 32n) | BigInt(lo), o + 9] : undefined;
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
  const c = readUint(bytes, 2);
  if (!c || c[0] > 0xffffffffn) return undefined;
  let o = c[1];
  if (o + 42 > n || bytes[o] !== 0x54 || bytes[o + 21] !== 0x54) return undefined;
  const from = bytes.subarray(o + 1, o + 21);
  const to = bytes.subarray(o + 22, o + 42);
  o += 42;
  const amount = readUint(bytes, o);
  if (!amount) return undefined;
  const fee = readUint(bytes, amount[1]);
  if (!fee) return undefined;
  const nonce = readUint(bytes, fee[1]);
  if (!nonce) return undefined;
  o = nonce[1];
  if (o + 100 !== n || bytes[o] !== 0x58 || bytes[o + 1] !== 0x20 || bytes[o + 34] !== 0x58 || bytes[o + 35] !== 0x40) return undefined;
  return {
    chainId: Number(c[0]),
    from: new Uint8Array(from),
    to: new Uint8Array(to),
    amount: amount[0],
    fee: fee[0],
    nonce: nonce[0],
    publicKey: new Uint8Array(bytes.subarray(o + 2, o + 34)),
    signature: new Uint8Array(bytes.subarray(o + 36, o + 100)),
    payloadBytes: bytes.subarray(1, o),
  };
}
