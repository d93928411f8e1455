/**
 * fdatasync of files that were written without it, started as soon as each file is complete and
 * run on libuv's thread pool (not on the snapshot workers, which keep copying and hashing): the
 * disk writes earlier files back while later ones are still being copied, so a restore's
 * durability costs little beyond the copy itself (issue 17) — one fdatasync per file is kept,
 * which holds on every platform and file system. At most `concurrency` syncs run at once, so
 * other fs calls of the process still find a free pool thread.
 */
import { promises as fs } from 'node:fs';

export class FsyncQueue {
  private readonly waiting: string[] = [];
  private running = 0;
  private failure: unknown;
  private synced = new Set<string>();
  private idle: (() => void)[] = [];

  /** @param concurrency syncs in flight at most (libuv's pool has 4 threads by default). */
  constructor(private readonly concurrency = 2) {}

  /** Queues `file` (absolute path) for fdatasync. */
  add(file: string): void {
    this.waiting.push(file);
    this.pump();
  }

  /** Files whose fdatasync completed. */
  has(file: string): boolean {
    return this.synced.has(file);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const file = this.waiting.shift()!;
      this.running++;
      void syncFile(file).then(
        () => this.synced.add(file),
        (err: unknown) => (this.failure ??= err),
      ).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.waiting.length === 0) for (const f of this.idle.splice(0)) f();
      });
    }
  }

  private settled(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Waits for every queued sync. @throws the first fs error (EIO, ENOSPC…). */
  async drain(): Promise<void> {
    await this.settled();
    if (this.failure) throw this.failure;
  }

  /** Drops what has not started and waits for running syncs, ignoring errors (before removing the files). */
  async abandon(): Promise<void> {
    this.waiting.length = 0;
    await this.settled();
  }
}

/** fdatasync of one file (opened read-only, as the workers' fsync task does: enough on Linux and macOS). */
export async function syncFile(file: string): Promise<void> {
  const fh = await fs.open(file, 'r');
  try {
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
