// chain/block.ts: decodeBlock hashes the header in place (its slice of the canonical block bytes)
// instead of re-encoding it; the hash must equal headerHash of the decoded header for every
// integer width and with or without evidence.
import { describe, expect, it } from 'vitest';
import { decodeBlock, headerHash, headerLength, makeBlock, type Header } from '../../../src/node-core/chain/block.js';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';

const key = generateKeys();
const widths = [0, 1, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER];

describe('decodeBlock header hash', () => {
  it.each(widths)('integers around %i: the in-place hash equals headerHash and the length is the encoding length', (n) => {
    for (const evidence of [[], [encodeCanonical([3, new Uint8Array(5), new Uint8Array(6)])]]) {
      const header: Header = { height: n, parentHash: new Uint8Array(32).fill(1), timestampMs: Math.max(0, n - 1), proposer: new Uint8Array(20).fill(2), txRoot: new Uint8Array(32).fill(3), stateRoot: new Uint8Array(32).fill(4), epoch: Math.floor(n / 120), txCount: 0 };
      const b = makeBlock(header, [], key.secretKey, evidence);
      const d = decodeBlock(b.bytes);
      expect(d.hashHex).toBe(b.hashHex);
      expect(Buffer.from(d.hash).equals(Buffer.from(headerHash(d.header)))).toBe(true);
      const encoded = encodeCanonical([d.header.height, d.header.parentHash, d.header.timestampMs, d.header.proposer, d.header.txRoot, d.header.stateRoot, d.header.epoch, d.header.txCount, ...(d.header.evidenceRoot ? [d.header.evidenceRoot] : [])]);
      expect(headerLength(d.header)).toBe(encoded.length);
    }
  });
});
