/**
 * A pool of worker threads (default size = available cores) that verifies batches of Ed25519
 * signatures with libsodium off the main thread (verify-worker.mjs; built or source, see ../workers.ts) (DESIGN.md: CPU-heavy work goes to worker_threads).
 * Each batch is split into one packed buffer per worker and transferred, not copied.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers.js';
import { verify } from './ed25519.js';

export interface VerifyItem {
  publicKey: Uint8Array;
  signature: Uint8Array;
  /** The signed message is `prefix ‖ message` (saves building one buffer per tx for domain-tagged messages). */
  prefix?: Uint8Array;
  message: Uint8Array;
}

export interface VerifyResult {
  /** ok[i] = 1 when item i verifies, else 0. */
  ok: Uint8Array;
  /** With `withTxHash`: 32-byte tx ids back to back (see verify-worker.mjs). */
  hashes?: Uint8Array;
}

interface Pending {
  resolve: (r: { ok: Uint8Array; hashes?: Uint8Array }) => void;
  reject: (e: Error) => void;
}

/** Below this many items a batch is verified on the calling thread: a round trip costs more. */
const INLINE_MAX = 4;

export class VerifyPool {
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending & { worker: Worker }>();
  /** Jobs in flight per worker: a worker is ref'd (keeps the process alive) only while busy. */
  private readonly busy = new Map<Worker, number>();
  private nextId = 1;
  private next = 0;
  private closed = false;
  readonly size: number;

  /** @param size number of worker threads; default `os.availableParallelism()`. */
  constructor(size: number = os.availableParallelism()) {
    this.size = Math.max(1, size);
  }

  private start(): void {
    if (this.workers.length > 0) return;
    if (this.closed) throw new Error('verify pool is closed');
    for (let i = 0; i < this.size; i++) {
      const w = startWorker('verify');
      w.unref();
      w.on('message', (m: { id: number; ok?: Uint8Array; hashes?: Uint8Array; error?: string }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        this.release(p.worker);
        if (m.error !== undefined || !m.ok) p.reject(new Error(`verify worker: ${m.error}`));
        else p.resolve({ ok: m.ok, hashes: m.hashes });
      });
      w.on('error', (err) => this.failAll(err));
      this.workers.push(w);
    }
  }

  private release(w: Worker): void {
    const left = (this.busy.get(w) ?? 1) - 1;
    this.busy.set(w, left);
    if (left === 0) w.unref();
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const w of this.workers) w.unref();
    this.busy.clear();
  }

  /**
   * Verifies all items; resolves with one flag per item (never rejects for a bad signature).
   * `withTxHash` also returns tx ids computed from the signed messages (messages must be tx signing messages).
   * @throws Error if the pool is closed or a worker crashes.
   */
  async verifyBatch(items: VerifyItem[], o: { withTxHash?: boolean } = {}): Promise<VerifyResult> {
    const n = items.length;
    if (n === 0) return { ok: new Uint8Array(0), hashes: o.withTxHash ? new Uint8Array(0) : undefined };
    if (n <= INLINE_MAX && !o.withTxHash) {
      return { ok: Uint8Array.from(items, (it) => (verify(it.signature, it.prefix ? Buffer.concat([it.prefix, it.message]) : it.message, it.publicKey) ? 1 : 0)) };
    }
    this.start();
    const parts = Math.min(this.workers.length, n);
    const per = Math.ceil(n / parts);
    const jobs: Promise<{ ok: Uint8Array; hashes?: Uint8Array }>[] = [];
    for (let s = 0; s < n; s += per) jobs.push(this.send(items.slice(s, s + per), !!o.withTxHash));
    const results = await Promise.all(jobs);
    const ok = new Uint8Array(n);
    const hashes = o.withTxHash ? new Uint8Array(32 * n) : undefined;
    let at = 0;
    for (const r of results) {
      ok.set(r.ok, at);
      if (hashes && r.hashes) hashes.set(r.hashes, 32 * at);
      at += r.ok.length;
    }
    return { ok, hashes };
  }

  private send(items: VerifyItem[], withTxHash: boolean): Promise<{ ok: Uint8Array; hashes?: Uint8Array }> {
    let size = 4;
    for (const it of items) size += 100 + (it.prefix?.length ?? 0) + it.message.length;
    const buf = new ArrayBuffer(size);
    const u8 = new Uint8Array(buf);
    const dv = new DataView(buf);
    dv.setUint32(0, items.length, true);
    let off = 4;
    for (const it of items) {
      // Wrong-length keys/signatures are zero-padded/truncated; they then fail verification in the worker.
      if (it.publicKey.length === 32 && it.signature.length === 64) {
        u8.set(it.publicKey, off);
        u8.set(it.signature, off + 32);
      } else {
        u8.set(it.publicKey.subarray(0, 32), off);
        u8.fill(0, off + 32, off + 96);
      }
      const pre = it.prefix?.length ?? 0;
      dv.setUint32(off + 96, pre + it.message.length, true);
      if (it.prefix) u8.set(it.prefix, off + 100);
      u8.set(it.message, off + 100 + pre);
      off += 100 + pre + it.message.length;
    }
    const id = this.nextId++;
    const w = this.workers[this.next++ % this.workers.length];
    const busy = this.busy.get(w) ?? 0;
    if (busy === 0) w.ref();
    this.busy.set(w, busy + 1);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker: w });
      w.postMessage({ id, buf, withTxHash }, [buf]);
    });
  }

  /** Terminates the workers; pending batches reject. Safe to call twice. */
  async close(): Promise<void> {
    this.closed = true;
    const ws = this.workers;
    this.workers = [];
    this.failAll(new Error('verify pool closed'));
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
