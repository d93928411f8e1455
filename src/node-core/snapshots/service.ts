/**
 * The node's snapshot subsystem: jobs, the backup scheduler, restore history → metrics, and the
 * `snapshots.*` JSON-RPC handlers (src/shared/api/snapshots.ts). Started by Node once the chain is
 * open; closed before the chain DB (a running job is cancelled and cleaned up).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { RpcError } from '../../shared/api/errors.js';
import { SnapshotReason, type FreeSpace } from '../../shared/api/snapshots.js';
import type { Tip } from '../../shared/api/types.js';
import type { NodeEvents } from '../events.js';
import type { HandlerMap } from '../rpc/types.js';
import type { Metrics } from '../telemetry/metrics.js';
import { checkDirTarget } from '../storage/dir-target.js';
import { SnapshotJobs } from './jobs.js';
import { listSnapshots, SnapshotError } from './manifest.js';
import { planRestore } from './restore-plan.js';
import { openRestoreHistory, restoreHistory } from './restore.js';
import { BackupScheduler } from './scheduler.js';
import { measure, type SubsystemDef } from './subsystems.js';

export interface SnapshotServiceOptions {
  root: string;
  network: string;
  events?: NodeEvents;
  metrics?: Metrics;
  logger?: Logger;
  /** Head of the running chain (the restore plan's current height). */
  tip?: () => Tip;
  /** The node's subsystems (snapshots/subsystems.ts subsystemsOf its module list); default SUBSYSTEMS. */
  subsystems?: readonly SubsystemDef[];
  workers?: number;
  /** The node is supervised by the console (it has an IPC channel): the console's restore stops it first. */
  supervised?: boolean;
}

/** Converts snapshot errors to RpcError with their reason; other errors pass through (→ −32603 without text). */
function rpc<T>(fn: () => Promise<T>): Promise<T> {
  return fn().catch((err: unknown) => {
    if (err instanceof SnapshotError) throw RpcError.app(err.reason, err.message);
    throw err;
  });
}

/**
 * Whether `p` can be a snapshot destination: an absolute path outside the data directory whose
 * nearest existing ancestor is a writable directory (missing folders are created).
 */
export async function checkDestination(p: string, root: string): Promise<FreeSpace> {
  const abs = path.resolve(p);
  const st = await fs.stat(abs).catch(() => undefined);
  const out: FreeSpace = { path: abs, exists: !!st, is_dir: !!st?.isDirectory(), writable: false, free_bytes: 0, total_bytes: 0 };
  // Read-only (nothing created); a pseudo file system (/proc) or a file on the way is not writable.
  const t = await checkDirTarget(abs);
  out.free_bytes = t.free_bytes;
  out.total_bytes = t.total_bytes;
  out.writable = t.ok;
  const r = path.resolve(root);
  if (!path.isAbsolute(p)) out.problem = 'give a full path (it is resolved on the node’s machine)';
  else if (abs === r || abs.startsWith(r + path.sep)) out.problem = 'the folder is inside the data directory; choose one outside it';
  else if (st && !st.isDirectory()) out.problem = 'this is a file, not a folder';
  else if (!out.writable) out.problem = t.problem ?? 'the folder (or its nearest existing parent) is not writable';
  return out;
}

export class SnapshotService {
  readonly jobs: SnapshotJobs;
  private scheduler?: BackupScheduler;

  constructor(private readonly o: SnapshotServiceOptions) {
    this.jobs = new SnapshotJobs(o);
  }

  /** Removes temp cuts left by a crash, loads restore outcomes into the metrics, opens the scheduler. */
  async start(): Promise<void> {
    const tmp = path.join(this.o.root, 'snapshots');
    for (const n of await fs.readdir(tmp).catch(() => [] as string[])) if (n.startsWith('.cut-')) await fs.rm(path.join(tmp, n), { recursive: true, force: true });
    // A damaged restore history is moved aside and recreated empty here, at start (it only records).
    if (await fs.stat(path.join(this.o.root, 'restore_history')).then(() => true, () => false))
      await (await openRestoreHistory(this.o.root, { logger: this.o.logger, notify: (n) => this.o.events?.emit('node.notice', n) })).close();
    for (const r of await restoreHistory(this.o.root).catch(() => [])) {
      if (r.outcome === 'completed' && r.duration_ms !== undefined) this.o.metrics?.restoreDurationSeconds.observe(r.duration_ms / 1000);
      else if (r.outcome !== 'completed') this.o.metrics?.restoreFailTotal.inc();
    }
    this.scheduler = await BackupScheduler.open({ root: this.o.root, network: this.o.network, jobs: this.jobs, events: this.o.events, logger: this.o.logger });
    // The last scheduled success survives restarts, so "last backup" does not reset to nothing.
    const last = this.scheduler.state().last_run;
    if (last?.ok) this.o.metrics?.snapshotLastSuccessTimestampSeconds.set(last.at_ms / 1000);
  }

  async close(): Promise<void> {
    await this.jobs.close();
    await this.scheduler?.close();
  }

  private get sched(): BackupScheduler {
    if (!this.scheduler) throw RpcError.app('not_ready', 'scheduled backups are not loaded yet');
    return this.scheduler;
  }

  handlers(): HandlerMap {
    const root = this.o.root;
    return {
      'snapshots.subsystems': () => rpc(async () => ({ data_dir: root, subsystems: await measure(root, this.o.subsystems) })),
      'snapshots.free_space': (p) => rpc(() => checkDestination(p.path, root)),
      'snapshots.create': (p) =>
        rpc(async () => {
          const d = await checkDestination(p.path, root);
          if (d.problem) throw new SnapshotError(SnapshotReason.bad_path, `${d.path}: ${d.problem}`);
          return { job_id: this.jobs.startCreate({ path: d.path, include: p.include, format: p.format, origin: p.origin ?? 'rpc' }).job_id };
        }),
      'snapshots.verify': (p) => rpc(async () => ({ job_id: this.jobs.startVerify({ path: path.resolve(p.path), checksum: p.checksum }).job_id })),
      'snapshots.job': (p) =>
        rpc(async () => {
          const j = this.jobs.get(p.job_id);
          if (!j) throw RpcError.notFound(`no snapshot job ${p.job_id} (jobs are kept until the node stops; the last 20)`);
          return j;
        }),
      'snapshots.jobs': () => rpc(async () => this.jobs.list()),
      'snapshots.cancel': (p) => rpc(async () => ({ cancelled: await this.jobs.cancel(p.job_id) })),
      'snapshots.list': (p) => rpc(() => listSnapshots(p.path)),
      'snapshots.inspect': (p) =>
        rpc(async () => {
          const { plan } = await planRestore(p.path, root, this.o.network, new Date(), { askedBy: this.o.supervised ? 'console' : 'node' });
          if (plan.current_height === null && this.o.tip) plan.current_height = this.o.tip().height;
          return plan;
        }),
      'snapshots.schedule_get': () => rpc(async () => this.sched.state()),
      'snapshots.schedule_set': (p) => rpc(() => this.sched.set(p)),
      'snapshots.schedule_run': () => rpc(async () => ({ job_id: this.sched.runNow().job_id })),
      'snapshots.restore_status': () =>
        rpc(async () => {
          const history = await restoreHistory(root);
          return { last: history[0] ?? null, history: history.slice(0, 50) };
        }),
    };
  }
}
