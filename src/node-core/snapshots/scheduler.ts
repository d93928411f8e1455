/**
 * Scheduled backups: daily or weekly at a UTC time, into one folder, keeping the newest N
 * scheduled snapshots there. Settings and the last results live in the `snapshot_schedule`
 * SimpleDb of the data directory (so they travel with it). Each run is an ordinary snapshot job
 * (origin `scheduled`); its outcome is published on `snapshots.scheduled` — the console shows a
 * notification when a run fails, and the failure stays in `last_failure` until a run succeeds.
 * A run missed while the node was stopped is not made up: the next one is at the next slot.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { Schedule, SnapshotReason, type ScheduleRun, type ScheduleState } from '../../shared/api/snapshots.js';
import type { NodeEvents } from '../events.js';
import { openRebuildable } from '../storage/quarantine.js';
import { names, type SimpleDb } from '../storage/simpledb.js';
import type { SnapshotJobs } from './jobs.js';
import { listSnapshots, SnapshotError } from './manifest.js';
import { OTHER, SUBSYSTEMS } from './subsystems.js';

const DAY = 86_400_000;
/** setTimeout's longest delay. */
const MAX_DELAY = 2 ** 31 - 1;

export const DEFAULT_SCHEDULE: Schedule = {
  enabled: false,
  frequency: 'daily',
  time_utc: '03:00',
  weekday: 0,
  keep_last: 7,
  path: '',
  include: [...SUBSYSTEMS.filter((s) => s.default_included).map((s) => s.id), OTHER.id],
  format: 'dir',
};

/** Next run strictly after `after` (ms since epoch, UTC), or null when disabled. Pure. */
export function nextRunAt(s: Schedule, after: number): number | null {
  if (!s.enabled) return null;
  const [hh, mm] = s.time_utc.split(':').map(Number);
  const d = new Date(after);
  let t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh, mm);
  if (s.frequency === 'daily') return t > after ? t : t + DAY;
  t += ((s.weekday - d.getUTCDay() + 7) % 7) * DAY;
  return t > after ? t : t + 7 * DAY;
}

export interface SchedulerOptions {
  root: string;
  network: string;
  jobs: SnapshotJobs;
  events?: NodeEvents;
  logger?: Logger;
  /** Clock (ms since epoch); tests inject one. */
  now?: () => number;
}

export class BackupScheduler {
  private settings: Schedule = DEFAULT_SCHEDULE;
  private lastRun: ScheduleRun | null = null;
  private lastFailure: ScheduleRun | null = null;
  private timer?: NodeJS.Timeout;
  private next: number | null = null;
  private current?: Promise<ScheduleRun>;

  private constructor(
    private readonly o: SchedulerOptions,
    private readonly db: SimpleDb,
  ) {}

  /**
   * Opens the settings store and arms the timer. A damaged store is moved aside and recreated
   * empty (storage/quarantine.ts): scheduled backups are then off until set again.
   * @throws fs errors.
   */
  static async open(o: SchedulerOptions): Promise<BackupScheduler> {
    const db = await openRebuildable(names.SNAPSHOT_SCHEDULE, path.join(o.root, 'snapshot_schedule'), 'recreated empty: scheduled backups are off until you set them again', {
      logger: o.logger,
      notify: (n) => o.events?.emit('node.notice', n),
    });
    const s = new BackupScheduler(o, db);
    const saved = Schedule.safeParse(await db.getJson('settings').catch(() => undefined));
    if (saved.success) s.settings = saved.data;
    s.lastRun = (await db.getJson<ScheduleRun>('last_run').catch(() => undefined)) ?? null;
    s.lastFailure = (await db.getJson<ScheduleRun>('last_failure').catch(() => undefined)) ?? null;
    s.arm();
    return s;
  }

  private now(): number {
    return this.o.now?.() ?? Date.now();
  }

  state(): ScheduleState {
    return { ...structuredClone(this.settings), next_run_at_ms: this.next, last_run: this.lastRun, last_failure: this.lastFailure };
  }

  /**
   * Saves new settings and re-arms the timer.
   * @throws SnapshotError bad_path when enabled without a usable absolute destination outside the data directory.
   */
  async set(s: Schedule): Promise<ScheduleState> {
    if (s.enabled || s.path) this.checkPath(s.path);
    await this.db.insertJson('settings', s);
    this.settings = structuredClone(s);
    this.arm();
    this.o.logger?.info({ schedule: s }, 'scheduled backups updated');
    return this.state();
  }

  private checkPath(p: string): void {
    if (!p) throw new SnapshotError(SnapshotReason.bad_path, 'choose the destination folder of scheduled backups');
    if (!path.isAbsolute(p)) throw new SnapshotError(SnapshotReason.bad_path, `${p} is not an absolute path`);
    const root = path.resolve(this.o.root);
    const abs = path.resolve(p);
    if (abs === root || abs.startsWith(root + path.sep)) throw new SnapshotError(SnapshotReason.bad_path, `${abs} is inside the data directory; choose a folder outside it`);
  }

  private arm(): void {
    clearTimeout(this.timer);
    this.next = nextRunAt(this.settings, this.now());
    if (this.next === null) return;
    this.timer = setTimeout(() => this.fire(), Math.min(MAX_DELAY, Math.max(0, this.next - this.now())));
    this.timer.unref();
  }

  private fire(): void {
    if (this.next !== null && this.now() + 1000 < this.next) return this.arm(); // a long delay was capped: wait more
    void this.run().finally(() => this.arm());
  }

  /**
   * Runs the scheduled backup now: a snapshot job with the schedule's settings, then pruning.
   * @returns the job id and a promise of the run record.
   * @throws SnapshotError bad_path (no destination) or busy (another job runs).
   */
  runNow(): { job_id: string; done: Promise<ScheduleRun> } {
    this.checkPath(this.settings.path);
    const started = this.o.jobs.startCreate({ path: this.settings.path, include: this.settings.include, format: this.settings.format, origin: 'scheduled' });
    const done = this.finish(started.job_id, started.done);
    this.current = done;
    return { job_id: started.job_id, done };
  }

  private async run(): Promise<ScheduleRun> {
    try {
      return await this.runNow().done;
    } catch (err) {
      return this.record({ at_ms: this.now(), ok: false, error: (err as Error).message });
    }
  }

  private async finish(jobId: string, done: ReturnType<SnapshotJobs['startCreate']>['done']): Promise<ScheduleRun> {
    const job = await done;
    if (job.state !== 'done' || !job.create) return this.record({ at_ms: this.now(), ok: false, job_id: jobId, error: job.error?.message ?? `the snapshot job ended ${job.state}` });
    let pruned: string[] = [];
    try {
      pruned = await this.prune();
    } catch (err) {
      this.o.logger?.warn({ err }, 'pruning old scheduled snapshots failed');
    }
    return this.record({ at_ms: this.now(), ok: true, job_id: jobId, snapshot_id: job.create.id, pruned });
  }

  /** Removes scheduled snapshots of this network beyond the newest `keep_last` in the destination. */
  private async prune(): Promise<string[]> {
    const { snapshots } = await listSnapshots(this.settings.path);
    const ours = snapshots.filter((s) => s.origin === 'scheduled' && s.network === this.o.network);
    const old = ours.slice(this.settings.keep_last);
    for (const s of old) await fs.rm(s.path, { recursive: true, force: true });
    return old.map((s) => s.id);
  }

  private async record(r: ScheduleRun): Promise<ScheduleRun> {
    this.lastRun = r;
    const b = this.db.batch().insertJson('last_run', r);
    if (r.ok) {
      this.lastFailure = null;
      b.remove('last_failure');
    } else {
      this.lastFailure = r;
      b.insertJson('last_failure', r);
      this.o.logger?.error({ error: r.error }, `scheduled backup failed: ${r.error}`);
    }
    await b.write().catch((err: unknown) => this.o.logger?.warn({ err }, 'saving the scheduled backup result failed'));
    this.o.events?.emit('snapshots.scheduled', r);
    return r;
  }

  /** Stops the timer, waits for a run in progress to be recorded (the job itself is cancelled by SnapshotJobs.close), closes the store. */
  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.settings = { ...this.settings, enabled: false };
    await this.current?.catch(() => {});
    await this.db.close();
  }
}
