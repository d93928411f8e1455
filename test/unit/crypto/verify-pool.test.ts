import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeys, sign } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';
import { VerifyPool } from '../../../src/node-core/crypto/verify-pool.js';
import { signingMessage, signTransfer, txIdBytes } from '../../../src/node-core/chain/tx.js';
import { addressOf } from '../../../src/node-core/chain/address.js';

const pool = new VerifyPool(2);
afterAll(() => pool.close());

describe('VerifyPool', () => {
  it('verifies a large batch across workers and flags exactly the bad items', async () => {
    const k = generateKeys();
    const other = generateKeys();
    const items = Array.from({ length: 301 }, (_, i) => {
      const message = new TextEncoder().encode(`msg ${i}`);
      return { publicKey: k.publicKey, signature: sign(message, k.secretKey), message };
    });
    const bad = new Set([0, 7, 150, 300]);
    items[0].signature = items[0].signature.slice();
    items[0].signature[5] ^= 0xff;
    items[7].message = new TextEncoder().encode('tampered');
    items[150].publicKey = other.publicKey;
    items[300].signature = items[300].signature.subarray(0, 10); // wrong length
    const r = await pool.verifyBatch(items);
    expect(r.ok.length).toBe(301);
    for (let i = 0; i < 301; i++) expect(r.ok[i], `item ${i}`).toBe(bad.has(i) ? 0 : 1);
  });

  it('verifies small batches inline and returns empty results for empty batches', async () => {
    const k = generateKeys();
    const m = new Uint8Array([1, 2, 3]);
    const r = await pool.verifyBatch([{ publicKey: k.publicKey, signature: sign(m, k.secretKey), message: m }]);
    expect([...r.ok]).toEqual([1]);
    expect((await pool.verifyBatch([])).ok.length).toBe(0);
  });

  it('computes tx ids in the workers equal to the main-thread BLAKE3 ids', async () => {
    const k = generateKeys();
    const to = addressOf(generateKeys().publicKey);
    const txs = Array.from({ length: 40 }, (_, i) =>
      signTransfer({ chainId: 31337, publicKey: k.publicKey, secretKey: k.secretKey, to, amount: BigInt(i + 1), fee: 1n, nonce: BigInt(i) }),
    );
    const r = await pool.verifyBatch(
      txs.map((t) => ({ publicKey: t.publicKey, signature: t.signature, message: signingMessage(31337, t.payloadBytes) })),
      { withTxHash: true },
    );
    expect([...r.ok].every((x) => x === 1)).toBe(true);
    txs.forEach((t, i) => {
      expect(toHex(r.hashes!.subarray(32 * i, 32 * i + 32))).toBe(t.hash);
      expect(toHex(txIdBytes(t.payloadBytes, t.publicKey))).toBe(t.hash);
    });
  });

  // Linux: nice is per thread; the workers yield to the thread that applies blocks (verify-worker.mjs).
  it.runIf(process.platform === 'linux')('runs its worker threads 5 nice levels below the calling thread, which it leaves alone', async () => {
    const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    const before = niceOf(readFileSync('/proc/thread-self/stat', 'utf8'));
    const p = new VerifyPool(2);
    try {
      const k = generateKeys();
      const m = new Uint8Array(8);
      const items = Array.from({ length: 10 }, () => ({ publicKey: k.publicKey, signature: sign(m, k.secretKey), message: m }));
      expect([...(await p.verifyBatch(items)).ok]).toEqual(Array(10).fill(1));
      const nices = readdirSync('/proc/self/task').map((tid) => {
        try {
          return niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
        } catch {
          return undefined; // the thread ended
        }
      });
      // The two workers of this pool (any other pool's workers would be at the same level).
      expect(nices.filter((n) => n === Math.min(19, before + 5)).length).toBeGreaterThanOrEqual(2);
      expect(niceOf(readFileSync('/proc/thread-self/stat', 'utf8'))).toBe(before);
    } finally {
      await p.close();
    }
  });

  it('refuses work after close', async () => {
    const p = new VerifyPool(1);
    await p.close();
    const k = generateKeys();
    const m = new Uint8Array(8);
    const items = Array.from({ length: 10 }, () => ({ publicKey: k.publicKey, signature: sign(m, k.secretKey), message: m }));
    await expect(p.verifyBatch(items)).rejects.toThrow(/closed/);
  });
});
