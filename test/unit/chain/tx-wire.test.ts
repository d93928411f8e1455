import { describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { asArray, asBytes, asSafeInt, asU64, decodeCanonical } from '../../../src/node-core/chain/codec.js';
import { signTransfer } from '../../../src/node-core/chain/tx.js';
import { parseWireTransfer } from '../../../src/node-core/chain/tx-wire.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';

/** The generic decode of a transfer (cborg + canonical re-encode check), or undefined when it rejects. */
function generic(bytes: Uint8Array) {
  try {
    const top = asArray(decodeCanonical(bytes, 'tx'), 'tx', 3);
    const p = asArray(top[0], 'payload', 6);
    return {
      chainId: asSafeInt(p[0], 'c', 0xffffffff), from: asBytes(p[1], 'f', 20), to: asBytes(p[2], 't', 20),
      amount: asU64(p[3], 'a'), fee: asU64(p[4], 'fee'), nonce: asU64(p[5], 'n'),
      publicKey: asBytes(top[1], 'pk', 32), signature: asBytes(top[2], 'sig', 64),
    };
  } catch {
    return undefined;
  }
}

const k = generateKeys();
const to = addressOf(generateKeys().publicKey);
const values = [0n, 1n, 23n, 24n, 255n, 256n, 65535n, 65536n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 64n - 1n];

describe('tx wire fast path (chain/tx-wire.ts)', () => {
  it('reads every canonical transfer as the generic decoder does (every uint width)', () => {
    for (const v of values)
      for (const chainId of [0, 23, 24, 31337, 0xffffffff]) {
        const tx = signTransfer({ chainId, publicKey: k.publicKey, secretKey: k.secretKey, to, amount: v, fee: values[(values.indexOf(v) + 3) % values.length], nonce: values[(values.indexOf(v) + 7) % values.length] });
        const w = parseWireTransfer(tx.bytes);
        expect(w).toBeDefined();
        const { payloadBytes, ...fields } = w!;
        expect(fields).toEqual(generic(tx.bytes));
        expect(Buffer.from(payloadBytes)).toEqual(Buffer.from(tx.payloadBytes));
      }
  });

  it('accepts no mutated or truncated bytes that the generic decoder rejects, and agrees on those both accept', () => {
    const tx = signTransfer({ chainId: 31337, publicKey: k.publicKey, secretKey: k.secretKey, to, amount: 70000n, fee: 300n, nonce: 5n });
    let accepted = 0;
    for (let i = 0; i < tx.bytes.length; i++)
      for (const x of [0x00, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x40, 0x54, 0x58, 0x83, 0x86, 0x87, 0xff]) {
        const m = new Uint8Array(tx.bytes);
        m[i] = x;
        const w = parseWireTransfer(m);
        if (!w) continue;
        accepted++;
        const { payloadBytes: _p, ...fields } = w;
        expect(fields).toEqual(generic(m));
      }
    expect(accepted).toBeGreaterThan(0);
    for (let n = 0; n < tx.bytes.length; n++) expect(parseWireTransfer(tx.bytes.subarray(0, n))).toBeUndefined();
    expect(parseWireTransfer(new Uint8Array([...tx.bytes, 0]))).toBeUndefined();
    // non-minimal uint (fee 300 as 0x1a 00 00 01 2c) is left to the generic path, which rejects it
    const nonMin = new Uint8Array([0x83, 0x86, 0x19, 0x7a, 0x69, ...tx.bytes.subarray(5, 47)]);
    expect(parseWireTransfer(nonMin)).toBeUndefined();
  });
});
