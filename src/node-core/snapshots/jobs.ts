/**
 * Snapshot jobs of a running node: `snapshots.create` and `snapshots.verify` start one and return
 * its id at once; progress and the outcome are published on `snapshots.progress` and kept for
 * `snapshots.job` / `snapshots.jobs` (the last 20). One job runs at a time (they compete for the
 * same disks); a second start answers `busy`. Stopping the node cancels the running job, which
 * removes any partial output.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { SnapshotReason, type Manifest, type Progress, type SnapshotFormat, type SnapshotJob } from '../../shared/api/snapshots.js';
import type { NodeEvents } from '../events.js';
import type { Metrics } from '../telemetry/metrics.js';
import { createSnapshot } from './create.js';
import { SnapshotError } from './manifest.js';
import type { SubsystemDef } from './subsystems.js';
import { verifySnapshot } from './verify.js';

const KEEP = 20;

export interface JobsOptions {
  root: string;
  network: string;
  events?: NodeEvents;
  metrics?: Metrics;
  logger?: Logger;
  workers?: number;
  /** The node's subsystems (default SUBSYSTEMS). */
  subsystems?: readonly SubsystemDef[];
}

export class SnapshotJobs {
  private readonly jobs = new Map<string, SnapshotJob>();
  private running?: { id: string; abort: AbortController; done: Promise<void> };

  constructor(private readonly o: JobsOptions) {}

  /** @throws SnapshotError busy while another job runs. */
  startCreate(p: { path: string; include?: string[]; format?: SnapshotFormat; origin: Manifest['origin'] }): { job_id: string; done: Promise<SnapshotJob> } {
    return this.start('create', p.path, async (signal, onProgress) => {
      const r = await createSnapshot({ root: this.o.root, dest: p.path, include: p.include, subsystems: this.o.subsystems, format: p.format, origin: p.origin, network: this.o.network, signal, onProgress, workers: this.o.workers });
      this.o.metrics?.snapshotDurationSeconds.observe(r.duration_ms / 1000);
      this.o.metrics?.snapshotBytes.set(r.bytes);
      this.o.metrics?.snapshotLastSuccessTimestampSeconds.set(Date.now() / 1000);
      this.o.logger?.info({ id: r.id, path: r.path, bytes: r.bytes, files: r.files, height: r.height, checksum: r.checksum, ms: r.duration_ms }, `snapshot ${r.id} created`);
      return { create: r };
    });
  }

  /** @throws SnapshotError busy while another job runs. */
  startVerify(p: { path: string; checksum?: string }): { job_id: string; done: Promise<SnapshotJob> } {
    return this.start('verify', p.path, async (signal, onProgress) => {
      const r = await verifySnapshot(p.path, { checksum: p.checksum, signal, onProgress, workers: this.o.workers });
      this.o.logger?.[r.ok ? 'info' : 'warn']({ path: r.path, ok: r.ok, reason: r.reason }, r.message);
      return { verify: r };
    });
  }

  private start(
    kind: SnapshotJob['kind'],
    path: string,
    work: (signal: AbortSignal, onProgress: (p: Progress) => void) => Promise<Pick<SnapshotJob, 'create' | 'verify'>>,
  ): { job_id: string; done: Promise<SnapshotJob> } {
    if (this.running) throw new SnapshotError(SnapshotReason.busy, `snapshot job ${this.running.id} is running; wait for it or cancel it`);
    const job_id = `${kind}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const job: SnapshotJob = { job_id, kind, state: 'running', path, started_at_ms: Date.now(), phase: 'preparing', bytes_done: 0, bytes_total: 0, files_done: 0, files_total: 0, eta_ms: null };
    this.jobs.set(job_id, job);
    for (const id of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - KEEP))) this.jobs.delete(id);
    const abort = new AbortController();
    const publish = () => this.o.events?.emit('snapshots.progress', structuredClone(job));
    const done = (async () => {
      try {
        const r = await work(abort.signal, (p) => {
          Object.assign(job, p);
          publish();
        });
        Object.assign(job, r, { state: 'done', eta_ms: 0 });
      } catch (err) {
        const e = err instanceof SnapshotError ? err : new SnapshotError(SnapshotReason.io_error, (err as Error).message);
        Object.assign(job, { state: e.reason === SnapshotReason.cancelled ? 'cancelled' : 'failed', error: { message: e.message, reason: e.reason }, eta_ms: null });
        if (kind === 'create') this.o.metrics?.snapshotFailTotal.inc();
        this.o.logger?.warn({ job_id, reason: e.reason }, `snapshot ${kind} failed: ${e.message}`);
      }
      job.finished_at_ms = Date.now();
      this.running = undefined;
      publish();
      return structuredClone(job);
    })();
    this.running = { id: job_id, abort, done: done.then(() => {}) };
    publish();
    return { job_id, done };
  }

  get(id: string): SnapshotJob | undefined {
    const j = this.jobs.get(id);
    return j && structuredClone(j);
  }

  /** Newest first. */
  list(): SnapshotJob[] {
    return [...this.jobs.values()].reverse().map((j) => structuredClone(j));
  }

  /** Cancels the job if it is the running one; resolves once it has stopped and cleaned up. */
  async cancel(id: string): Promise<boolean> {
    if (this.running?.id !== id) return false;
    const r = this.running;
    r.abort.abort();
    await r.done;
    return true;
  }

  /** Cancels any running job and waits for its cleanup. */
  async close(): Promise<void> {
    if (this.running) await this.cancel(this.running.id);
  }
}
