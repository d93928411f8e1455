/**
 * Reading signatures verified off the main thread: the readings that arrive in one event-loop turn
 * go to the node's Ed25519 verify pool (crypto/verify-pool.ts: libsodium in worker threads) as one
 * batch; results come back in arrival order across batches, so the market checks that follow
 * (nonce, timestamp, total against the readings accepted so far) see the readings in the order the
 * oracle sent them. Each reading is verified once, here; the chain rules do not verify it again.
 */
import os from 'node:os';
import { VerifyPool } from '../crypto/verify-pool.js';
import { signingDigest, type MeterReading } from './reading.js';

interface Item {
  r: MeterReading;
  key: Uint8Array;
  resolve: (ok: boolean) => void;
  reject: (err: unknown) => void;
}

export class ReadingVerifier {
  /** One worker less than the cores: the main thread parses, checks and answers meanwhile. */
  private readonly pool = new VerifyPool(Math.max(1, os.availableParallelism() - 1));
  private batch: Item[] = [];
  private order: Promise<unknown> = Promise.resolve();

  /** True iff the reading's signature verifies under `key` (32-byte Ed25519 public key). */
  verify(r: MeterReading, key: Uint8Array): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (this.batch.push({ r, key, resolve, reject }) === 1) setImmediate(() => this.dispatch());
    });
  }

  private dispatch(): void {
    const items = this.batch;
    this.batch = [];
    const done = this.pool.verifyBatch(items.map((it) => ({ publicKey: it.key, signature: it.r.signature, message: signingDigest(it.r) })));
    this.order = this.order.then(() =>
      done.then(
        (res) => items.forEach((it, i) => it.resolve(res.ok[i] === 1)),
        (err) => items.forEach((it) => it.reject(err)),
      ),
    );
  }

  async close(): Promise<void> {
    await this.order.catch(() => undefined);
    await this.pool.close();
  }
}
