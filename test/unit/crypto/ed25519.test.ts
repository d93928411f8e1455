import * as noble from '@noble/ed25519';
import { describe, expect, it } from 'vitest';
import { generateKeys, keysFromSeed, seedOf, sign, verify } from '../../../src/node-core/crypto/ed25519.js';
import { blake3, fromHex, sha256, toHex } from '../../../src/node-core/crypto/hash.js';

// RFC 8032 §7.1, TEST 2 (one-byte message 0x72).
const RFC = {
  seed: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
  pk: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
  msg: '72',
  sig: '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
};

describe('ed25519 (sodium-native)', () => {
  it('matches the RFC 8032 test vector', () => {
    const k = keysFromSeed(fromHex(RFC.seed));
    expect(toHex(k.publicKey)).toBe(RFC.pk);
    expect(toHex(seedOf(k.secretKey))).toBe(RFC.seed);
    expect(toHex(sign(fromHex(RFC.msg), k.secretKey))).toBe(RFC.sig);
    expect(verify(fromHex(RFC.sig), fromHex(RFC.msg), k.publicKey)).toBe(true);
  });

  it('rejects a modified message, signature or key, and wrong lengths without throwing', () => {
    const k = generateKeys();
    const msg = new TextEncoder().encode('transfer 25');
    const sig = sign(msg, k.secretKey);
    expect(verify(sig, msg, k.publicKey)).toBe(true);
    const badMsg = msg.slice();
    badMsg[0] ^= 1;
    expect(verify(sig, badMsg, k.publicKey)).toBe(false);
    const badSig = sig.slice();
    badSig[10] ^= 1;
    expect(verify(badSig, msg, k.publicKey)).toBe(false);
    expect(verify(sig, msg, generateKeys().publicKey)).toBe(false);
    expect(verify(sig.subarray(0, 63), msg, k.publicKey)).toBe(false);
    expect(verify(sig, msg, k.publicKey.subarray(0, 31))).toBe(false);
    expect(() => keysFromSeed(new Uint8Array(31))).toThrow(/32 bytes/);
  });

  it('agrees with @noble/ed25519 in both directions', async () => {
    for (let i = 0; i < 20; i++) {
      const k = generateKeys();
      const seed = seedOf(k.secretKey);
      expect(toHex(await noble.getPublicKeyAsync(seed))).toBe(toHex(k.publicKey));
      const msg = sha256(new Uint8Array([i]));
      const sSig = sign(msg, k.secretKey);
      const nSig = await noble.signAsync(msg, seed);
      expect(toHex(nSig)).toBe(toHex(sSig)); // Ed25519 is deterministic
      expect(await noble.verifyAsync(sSig, msg, k.publicKey)).toBe(true);
      expect(verify(nSig, msg, k.publicKey)).toBe(true);
    }
  });
});

describe('hashes', () => {
  it('SHA-256 and BLAKE3 match published vectors', () => {
    expect(toHex(sha256(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(blake3(new Uint8Array(0)))).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    // multi-part input hashes like the concatenation
    const a = new TextEncoder().encode('ab');
    const c = new TextEncoder().encode('c');
    expect(toHex(blake3(a, c))).toBe(toHex(blake3(new TextEncoder().encode('abc'))));
    expect(toHex(sha256(a, c))).toBe(toHex(sha256(new TextEncoder().encode('abc'))));
  });

  it('hex helpers reject bad input', () => {
    expect(() => fromHex('abc')).toThrow();
    expect(() => fromHex('zz')).toThrow();
    expect(() => fromHex('00', 2)).toThrow(/2 bytes/);
  });
});
