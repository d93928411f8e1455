/**
 * A small pool of snapshot I/O workers (worker.mjs; built or source, see ../workers.ts): copying, hashing and tar packing/scanning run
 * there, off the node's main thread, with fixed-size buffers. Tasks are queued and handed to the
 * first idle worker; progress (bytes) is reported per task. `close()` terminates the workers —
 * also the way to cancel: running tasks then reject with {@link PoolClosedError}.
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../workers.js';

/** A task failed inside the worker; `code` is the worker's (CHANGED, TRUNCATED, BAD_ENTRY, BAD_TAR) or the fs error code (ENOSPC…). */
export class WorkerTaskError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'WorkerTaskError';
  }
}

export class PoolClosedError extends Error {
  constructor() {
    super('the snapshot workers were stopped');
    this.name = 'PoolClosedError';
  }
}

export interface CopyTask {
  task: 'copy';
  src: string;
  dst: string;
  mode?: number;
  /** Copy exactly this many bytes (default: the size at open). */
  size?: number;
  /** fdatasync the copy (default true). */
  sync?: boolean;
  /** Expected size in bytes: a source of another size is not copied (result `{ size, sha256: '' }`). */
  expect?: number;
  /** The kernel copies the whole file (copy_file_range), then the copy is hashed (for sources that do not change: a restore). */
  kernel?: boolean;
}
export interface HashTask {
  task: 'hash';
  src: string;
  size?: number;
  /** Expected size in bytes: a file of another size is not read (result `{ size, sha256: '' }`). */
  expect?: number;
}
export interface TarPackTask {
  task: 'tar-pack';
  out: string;
  mode?: number;
  mtime: number;
  entries: ({ name: string; mode: number; content: string } | { name: string; mode: number; src: string; size: number; sha256: string })[];
}
export interface TarScanTask {
  task: 'tar-scan';
  src: string;
  extractTo?: string;
  /** fdatasync each extracted file (default true); false: each complete file is announced to `onFile` instead. */
  sync?: boolean;
}
export interface FsyncTask {
  task: 'fsync';
  files: string[];
}
/** Items shared by every worker (see {@link WorkerPool.runEach}). */
export interface EachTask {
  task: 'each';
  items: (CopyTask | HashTask)[];
  /** One Int32: the index of the next item to claim. */
  counter: SharedArrayBuffer;
}
export type Task = CopyTask | HashTask | TarPackTask | TarScanTask | FsyncTask | EachTask;

export interface TarEntryInfo {
  name: string;
  size: number;
  sha256: string;
  mode: number;
}
export type ResultOf<T extends Task> = T extends CopyTask | HashTask
  ? { size: number; sha256: string }
  : T extends TarPackTask
    ? { size: number }
    : T extends FsyncTask
      ? { files: number }
      : T extends EachTask
        ? { items: number }
        : { manifest: string | null; entries: TarEntryInfo[] };

interface Job {
  id: number;
  task: Task;
  onProgress?: (bytes: number) => void;
  onFile?: (name: string) => void;
  onItem?: (index: number, result: { size: number; sha256: string }) => void;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  /** @param size number of workers (default: cores, at most 4, at least 1). */
  constructor(size = Math.max(1, Math.min(4, os.availableParallelism?.() ?? os.cpus().length))) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  private spawn(): Slot {
    const slot: Slot = { worker: startWorker('snapshot') };
    slot.worker.on('message', (m: { id: number; type: string; bytes?: number; name?: string; index?: number; result?: unknown; error?: { message: string; code: string } }) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      if (m.type === 'progress') {
        job.onProgress?.(m.bytes ?? 0);
        return;
      }
      if (m.type === 'file') {
        job.onFile?.(m.name ?? '');
        return;
      }
      if (m.type === 'item') {
        job.onItem?.(m.index ?? -1, m.result as { size: number; sha256: string });
        return;
      }
      slot.job = undefined;
      slot.worker.unref();
      if (m.type === 'done') job.resolve(m.result);
      else job.reject(new WorkerTaskError(m.error?.message ?? 'worker task failed', m.error?.code ?? 'ERROR'));
      this.pump();
    });
    slot.worker.on('error', (err) => {
      const job = slot.job;
      slot.job = undefined;
      job?.reject(err);
    });
    // Idle workers never keep the process alive; busy ones do (pump refs them).
    slot.worker.unref();
    return slot;
  }

  /**
   * Runs one task on the first idle worker; `onProgress` gets bytes done, `onFile` the names of
   * files a tar-scan with `sync: false` completed. @throws WorkerTaskError, PoolClosedError.
   */
  run<T extends Task>(
    task: T,
    onProgress?: (bytes: number) => void,
    onFile?: (name: string) => void,
    onItem?: (index: number, result: { size: number; sha256: string }) => void,
  ): Promise<ResultOf<T>> {
    if (this.closed) return Promise.reject(new PoolClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, onProgress, onFile, onItem, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  /**
   * Copies/hashes `items` on every worker at once, each worker claiming the next item itself
   * (work stealing through a shared counter: none waits for this thread between files, none
   * idles while items are left). Give the largest first, so the last to finish are small.
   * `onItem` gets each result with its index in `items`. Settles only when every worker has
   * stopped (so nothing is still writing when it returns).
   * @throws the first item's WorkerTaskError / fs error (the other workers stop claiming), PoolClosedError.
   */
  async runEach(
    items: (CopyTask | HashTask)[],
    onItem: (index: number, result: { size: number; sha256: string }) => void,
    onProgress?: (bytes: number) => void,
  ): Promise<void> {
    if (items.length === 0) return;
    const counter = new SharedArrayBuffer(4);
    const runs = Array.from({ length: Math.min(this.slots.length, items.length) }, () => this.run({ task: 'each', items, counter }, onProgress, undefined, onItem));
    const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, ...job.task });
    }
  }

  /**
   * Terminates every worker; queued and running tasks reject with PoolClosedError. Idempotent.
   * @param o.wait wait until every worker has exited (default true: nothing of this pool still
   *   writes when it resolves). `false` for callers whose workers only read (verify): they are
   *   stopped in the background (a worker's exit takes ~5–10 ms; issue 17 "snapshot verify").
   */
  async close(o: { wait?: boolean } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new PoolClosedError();
    for (const j of this.queue.splice(0)) j.reject(err);
    const wait = o.wait !== false;
    const stopped = Promise.all(
      this.slots.map(async (s) => {
        const job = s.job;
        s.job = undefined;
        const exited = s.worker.terminate();
        // Waiting: a running task rejects only once its worker is gone (nothing still writes).
        if (wait) await exited;
        job?.reject(err);
        await exited;
      }),
    );
    if (wait) await stopped;
    else stopped.catch(() => {});
  }
}
