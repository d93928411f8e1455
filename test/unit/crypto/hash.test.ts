import { randomBytes } from 'node:crypto';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { describe, expect, it } from 'vitest';
import { blake3, blake3Ready, hexInto, toHex } from '../../../src/node-core/crypto/hash.js';

describe('blake3 (hash-wasm once compiled, @noble/hashes before)', () => {
  it('equals @noble/hashes on empty, small, block-boundary, large and multi-part inputs', async () => {
    await blake3Ready;
    const sizes = [0, 1, 31, 32, 63, 64, 65, 1023, 1024, 1025, 4096, 100_000, 1 << 20];
    for (const n of sizes) {
      const b = new Uint8Array(randomBytes(n));
      expect(toHex(blake3(b)), `size ${n}`).toBe(toHex(nobleBlake3(b)));
      const cut = Math.floor(n / 3);
      expect(toHex(blake3(b.subarray(0, cut), new Uint8Array(0), b.subarray(cut))), `size ${n} in parts`).toBe(toHex(nobleBlake3(b)));
    }
  });

  it('returns a fresh array each call (a later hash does not overwrite an earlier one)', async () => {
    await blake3Ready;
    const a = blake3(new Uint8Array([1]));
    const keep = toHex(a);
    blake3(new Uint8Array([2]));
    expect(toHex(a)).toBe(keep);
  });
});

describe('hexInto', () => {
  it('writes the bytes Buffer.from(hex) gives, either case, at an offset, touching nothing else', () => {
    const bytes = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 255);
    const hex = Buffer.from(bytes).toString('hex');
    for (const h of [hex, hex.toUpperCase()]) {
      const out = new Uint8Array(23).fill(0xee);
      hexInto(h, out, 2, 20);
      expect(Buffer.from(out.subarray(2, 22)).equals(Buffer.from(bytes))).toBe(true);
      expect([out[0], out[1], out[22]]).toEqual([0xee, 0xee, 0xee]);
    }
  });
});

