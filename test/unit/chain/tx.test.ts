import * as noble from '@noble/ed25519';
import { encode } from 'cborg';
import { describe, expect, it } from 'vitest';
import { addressOf, parseAddress } from '../../../src/node-core/chain/address.js';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { decodeTx, domainTag, signingMessage, signTransfer, txIdBytes } from '../../../src/node-core/chain/tx.js';
import { generateKeys, seedOf, verify } from '../../../src/node-core/crypto/ed25519.js';
import { blake3, sha256, toHex } from '../../../src/node-core/crypto/hash.js';

const k = generateKeys();
const to = addressOf(generateKeys().publicKey);
const base = { chainId: 31337, publicKey: k.publicKey, secretKey: k.secretKey, to, amount: 25n, fee: 1n, nonce: 0n };

describe('transactions', () => {
  it('address = tb1 + first 20 bytes of SHA-256(public key)', () => {
    expect(addressOf(k.publicKey)).toBe('tb1' + toHex(sha256(k.publicKey).subarray(0, 20)));
    expect(addressOf(k.publicKey)).toMatch(/^tb1[0-9a-f]{40}$/);
    expect(() => parseAddress('tb1XYZ')).toThrow(/tb1 followed by 40/);
  });

  it('domain tag is THE_BLOCKv2| + chain id u32 LE (16 bytes)', () => {
    const tag = domainTag(31337);
    expect(tag.length).toBe(16);
    expect(new TextDecoder().decode(tag.subarray(0, 12))).toBe('THE_BLOCKv2|');
    expect([...tag.subarray(12)]).toEqual([0x69, 0x7a, 0x00, 0x00]);
  });

  it('encodes, signs, decodes and verifies; id = BLAKE3("TX" ‖ 2 ‖ payload ‖ pk)', () => {
    const tx = signTransfer(base);
    const back = decodeTx(tx.bytes);
    expect(back.hash).toBe(tx.hash);
    expect(back.payload).toEqual(tx.payload);
    expect(toHex(back.payloadBytes)).toBe(toHex(tx.payloadBytes));
    expect(back.fromAddress).toBe(addressOf(k.publicKey));
    expect(back.toAddress).toBe(to);
    expect(tx.hash).toBe(toHex(blake3(new Uint8Array([0x54, 0x58, 2]), tx.payloadBytes, k.publicKey)));
    expect(toHex(txIdBytes(tx.payloadBytes, k.publicKey))).toBe(tx.hash);
    expect(verify(tx.signature, signingMessage(31337, tx.payloadBytes), k.publicKey)).toBe(true);
    // the signature binds the chain id: it does not verify under another domain tag
    expect(verify(tx.signature, signingMessage(1, tx.payloadBytes), k.publicKey)).toBe(false);
  });

  it('tx signatures cross-check with @noble/ed25519', async () => {
    const tx = signTransfer({ ...base, amount: 2n ** 64n - 1n, nonce: 2n ** 40n });
    const msg = signingMessage(31337, tx.payloadBytes);
    expect(await noble.verifyAsync(tx.signature, msg, k.publicKey)).toBe(true);
    expect(toHex(await noble.signAsync(msg, seedOf(k.secretKey)))).toBe(toHex(tx.signature));
    expect(decodeTx(tx.bytes).payload.amount).toBe(2n ** 64n - 1n);
  });

  it('rejects malformed bytes: garbage, trailing bytes, non-canonical ints, wrong sizes, foreign from', () => {
    const tx = signTransfer(base);
    expect(() => decodeTx(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => decodeTx(new Uint8Array([...tx.bytes, 0]))).toThrow(/CBOR/);
    // nonce 0 encoded in a non-minimal 1-byte-argument form (0x18 0x00) is not canonical
    const nonCanon = tx.bytes.slice();
    const arr = [...nonCanon];
    const i = 1 + tx.payloadBytes.length - 1; // last byte of payload is the nonce (0x00)
    arr.splice(i, 1, 0x18, 0x00);
    expect(() => decodeTx(new Uint8Array(arr))).toThrow(/canonical|CBOR/);
    const short = encodeCanonical([[31337, new Uint8Array(20), new Uint8Array(19), 1n, 1n, 0n], k.publicKey, tx.signature]);
    expect(() => decodeTx(short)).toThrow(/payload.from|payload.to/);
    const foreign = encodeCanonical([[31337, parseAddress(to), parseAddress(to), 1n, 1n, 0n], k.publicKey, tx.signature]);
    expect(() => decodeTx(foreign)).toThrow(/not the address of the public key/);
    expect(() => decodeTx(encode({ a: 1 }))).toThrow(/array/);
    expect(() => decodeTx(encodeCanonical([[31337, parseAddress(addressOf(k.publicKey)), parseAddress(to), -1, 1n, 0n], k.publicKey, tx.signature]))).toThrow(/amount/);
  });
});
