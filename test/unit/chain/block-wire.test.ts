import { describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { decodeBlock, headerHash, makeBlock, type Header } from '../../../src/node-core/chain/block.js';
import { parseWireBlock } from '../../../src/node-core/chain/block-wire.js';
import { asArray, asBytes, asSafeInt, decodeCanonical } from '../../../src/node-core/chain/codec.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';

/** The generic decode of an evidence-free block's structure (cborg + canonical re-encode check), or undefined when it rejects. */
function generic(bytes: Uint8Array) {
  try {
    const top = asArray(decodeCanonical(bytes, 'block'), 'block', 3);
    const h = asArray(top[0], 'header', 8);
    const txs = asArray(top[2], 'txs').map((t, i) => asBytes(t, `tx${i}`));
    const txCount = asSafeInt(h[7], 'n');
    if (txs.length !== txCount) return undefined;
    return {
      height: asSafeInt(h[0], 'h'), parentHash: asBytes(h[1], 'p', 32), timestampMs: asSafeInt(h[2], 't'), proposer: asBytes(h[3], 'pr', 20),
      txRoot: asBytes(h[4], 'tr', 32), stateRoot: asBytes(h[5], 'sr', 32), epoch: asSafeInt(h[6], 'e'), txCount, signature: asBytes(top[1], 's'), txs,
    };
  } catch {
    return undefined;
  }
}

/** The parts as one string (hex for bytes). */
const flat = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));

const k = generateKeys();
const txs = [0n, 24n, 70000n].map((amount, n) => signTransfer({ chainId: 7, publicKey: k.publicKey, secretKey: k.secretKey, to: addressOf(generateKeys().publicKey), amount, fee: 1n, nonce: BigInt(n) }));
const header = (height: number, timestampMs: number, txCount: number): Header => ({
  height, parentHash: new Uint8Array(32).fill(1), timestampMs, proposer: new Uint8Array(20).fill(2), txRoot: new Uint8Array(32).fill(3),
  stateRoot: new Uint8Array(32).fill(4), epoch: Math.floor(height / 120), txCount,
});

describe('block wire fast path (chain/block-wire.ts)', () => {
  it('reads canonical blocks as the generic decoder does (integer widths, genesis without signature, 0 to 30 txs), with the same header hash', () => {
    const many = Array.from({ length: 30 }, (_, i) => txs[i % 3]);
    for (const height of [0, 23, 24, 255, 256, 65536, 2 ** 32, Number.MAX_SAFE_INTEGER])
      for (const list of [[], txs.slice(0, 1), txs, many]) {
        const b = makeBlock(header(height, 1_700_000_000_000 + (height % 1000), list.length), list, height === 0 ? undefined : k.secretKey);
        const w = parseWireBlock(b.bytes);
        expect(w).toBeDefined();
        const { headerBytes, ...fields } = w!;
        expect(fields).toEqual(generic(b.bytes));
        const d = decodeBlock(b.bytes);
        expect(Buffer.from(d.hash).toString('hex')).toBe(Buffer.from(headerHash(b.header)).toString('hex'));
        expect(Buffer.from(headerBytes).toString('hex')).toBe(Buffer.from(b.bytes.subarray(1, 1 + headerBytes.length)).toString('hex'));
        expect(d.txs.map((t) => t.hash)).toEqual(list.map((t) => t.hash));
      }
  });

  it('accepts no mutated, truncated or extended bytes that the generic decoder rejects, and agrees on those both accept', () => {
    const b = makeBlock(header(300, 1_700_000_000_000, 2), txs.slice(0, 2), k.secretKey);
    let accepted = 0;
    // Every byte of the header and of each CBOR head (signature, tx list, each tx); contents are opaque here.
    const hlen = parseWireBlock(b.bytes)!.headerBytes.length;
    const heads = [1 + hlen, 2 + hlen, 3 + hlen + 64, 4 + hlen + 64, 5 + hlen + 64, 4 + hlen + 64 + 2 + txs[0].bytes.length, 5 + hlen + 64 + 2 + txs[0].bytes.length];
    const positions = [...Array.from({ length: 1 + hlen }, (_, i) => i), ...heads, b.bytes.length - 1];
    for (const i of positions)
      for (const x of [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1f, 0x40, 0x54, 0x58, 0x59, 0x80, 0x82, 0x83, 0x84, 0x88, 0x89, 0x98, 0xff]) {
        const m = new Uint8Array(b.bytes);
        m[i] = x;
        const w = parseWireBlock(m);
        if (!w) continue;
        accepted++;
        const { headerBytes: _h, ...fields } = w;
        expect(flat(fields)).toBe(flat(generic(m))); // as text: a deep compare of byte arrays per mutation is slow
      }
    expect(accepted).toBeGreaterThan(0);
    for (let n = 0; n < b.bytes.length; n++) expect(parseWireBlock(b.bytes.subarray(0, n))).toBeUndefined();
    expect(parseWireBlock(new Uint8Array([...b.bytes, 0]))).toBeUndefined();
    // a non-minimal height (300 as 0x1a 00 00 01 2c) is left to the generic path, which rejects it
    const nonMin = new Uint8Array([0x83, 0x88, 0x1a, 0, 0, 1, 0x2c, ...b.bytes.subarray(5)]);
    expect(parseWireBlock(nonMin)).toBeUndefined();
    expect(generic(nonMin)).toBeUndefined();
  });
});
