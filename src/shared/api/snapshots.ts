/**
 * Snapshots, backups and restores (issue 5; spec/storage_snapshots.md): the `snapshots.*`
 * methods (spread into METHODS) and topics (spread into Topics). Long work (create, verify) runs
 * as a job: the method returns `{job_id}` at once, progress is pushed on `snapshots.progress`
 * and `snapshots.job` answers the current state (for clients without subscriptions).
 * Restores replace the data directory of a stopped node, so they are not node methods: the CLI
 * (`contract-cli snapshots restore`) and the console host (`app.restoreSnapshot`) run them.
 *
 * Reasons (`error.data.reason`) are listed in {@link SnapshotReason}.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';
import { zHash } from './numbers.js';
import { FreeSpace, SnapshotFormat, SnapshotJob, SnapshotReason, SnapshotSummary, Subsystem, VerifyProblem } from './snapshots-shapes.js';
import { RestorePlan, RestoreRecord } from './snapshots-restore.js';

export * from './snapshots-shapes.js';
export * from './snapshots-restore.js';

const zPath = z.string().min(1, 'give a path').max(4096, 'path is too long');
/**
 * A snapshot to read: a full path on the node's machine. A relative one would be resolved against
 * the node's working directory, which the caller neither knows nor chose; NUL never names a file.
 */
export const zSnapshotPath = zPath
  .refine((p) => /^(\/|[A-Za-z]:[\\/]|\\\\)/.test(p), 'give a full path (a relative path would be resolved against the node\'s working directory)')
  .refine((p) => !p.includes('\0'), 'a path cannot contain NUL');
const zJobId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'job ids are lowercase letters, digits and -');

export const Schedule = z.object({
  enabled: z.boolean(),
  frequency: z.enum(['daily', 'weekly']),
  /** UTC time of day `HH:MM`. */
  time_utc: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, 'must be HH:MM (UTC, 24 h)'),
  /** Weekly: day of week, 0 = Sunday … 6 = Saturday (UTC). */
  weekday: z.number().int().min(0).max(6),
  /** Keep the newest N scheduled snapshots in `path`, remove older ones. */
  keep_last: z.number().int().min(1).max(365),
  path: z.string().max(4096),
  include: z.array(z.string()).max(32),
  format: SnapshotFormat,
});
export type Schedule = z.infer<typeof Schedule>;

export const ScheduleRun = z.object({
  at_ms: z.number(),
  ok: z.boolean(),
  job_id: z.string().optional(),
  snapshot_id: z.string().optional(),
  error: z.string().optional(),
  /** Scheduled snapshots removed by keep_last after this run. */
  pruned: z.array(z.string()).optional(),
});
export type ScheduleRun = z.infer<typeof ScheduleRun>;

export const ScheduleState = Schedule.extend({
  next_run_at_ms: z.number().nullable(),
  last_run: ScheduleRun.nullable(),
  /** The last run that failed (stays until a run succeeds), for the failure notification. */
  last_failure: ScheduleRun.nullable(),
});
export type ScheduleState = z.infer<typeof ScheduleState>;

const jobStarted = z.object({ job_id: z.string() });

export const snapshotsSubsystems = defineMethod({
  name: 'snapshots.subsystems',
  summary: 'What a snapshot can include (the backup path table): id, label, paths, size in bytes and file count in this data directory.',
  params: z.object({}),
  order: [],
  result: z.object({ data_dir: z.string(), subsystems: z.array(Subsystem) }),
  mutating: false,
});

export const snapshotsFreeSpace = defineMethod({
  name: 'snapshots.free_space',
  summary: 'Free and total bytes of the filesystem holding a path, and whether it can be a snapshot destination.',
  params: z.object({ path: zPath }),
  order: ['path'],
  result: FreeSpace,
  mutating: false,
});

export const snapshotsCreate = defineMethod({
  name: 'snapshots.create',
  summary:
    'Start a snapshot of the running node into a destination folder (format dir, or tar = one .tar file); returns a job id, progress on snapshots.progress.',
  params: z.object({
    path: zPath,
    include: z.array(z.string().max(64)).max(32).optional(),
    format: SnapshotFormat.optional(),
    origin: z.enum(['console', 'cli', 'rpc']).optional(),
  }),
  order: ['path', 'include', 'format'],
  result: jobStarted,
  mutating: true,
  reasons: [SnapshotReason.bad_path, SnapshotReason.no_space, SnapshotReason.busy],
});

export const snapshotsVerify = defineMethod({
  name: 'snapshots.verify',
  summary: 'Start checking a snapshot (manifest, every file size and SHA-256, optional expected checksum); returns a job id.',
  params: z.object({ path: zSnapshotPath, checksum: zHash.optional() }),
  order: ['path', 'checksum'],
  result: jobStarted,
  mutating: true,
  reasons: [SnapshotReason.bad_path, SnapshotReason.busy],
});

export const snapshotsJob = defineMethod({
  name: 'snapshots.job',
  summary: 'State of a snapshot job (progress, result or error). Unknown id → −32010.',
  params: z.object({ job_id: zJobId }),
  order: ['job_id'],
  result: SnapshotJob,
  mutating: false,
});

export const snapshotsJobs = defineMethod({
  name: 'snapshots.jobs',
  summary: 'Recent snapshot jobs of this node, newest first (running ones included).',
  params: z.object({}),
  order: [],
  result: z.array(SnapshotJob),
  mutating: false,
});

export const snapshotsCancel = defineMethod({
  name: 'snapshots.cancel',
  summary: 'Cancel a running snapshot job; a cancelled create leaves no partial snapshot.',
  params: z.object({ job_id: zJobId }),
  order: ['job_id'],
  result: z.object({ cancelled: z.boolean() }),
  mutating: true,
});

export const snapshotsList = defineMethod({
  name: 'snapshots.list',
  summary: 'Complete snapshots in a folder (newest first), plus entries that are not valid snapshots; partial ones are never listed.',
  params: z.object({ path: zSnapshotPath }),
  order: ['path'],
  result: z.object({ path: z.string(), snapshots: z.array(SnapshotSummary), invalid: z.array(VerifyProblem) }),
  mutating: false,
  reasons: [SnapshotReason.bad_path],
});

export const snapshotsInspect = defineMethod({
  name: 'snapshots.inspect',
  summary:
    'Pre-checks of restoring a snapshot into this node\'s data directory (manifest, format, version, network, chain id, free space) and what would be replaced.',
  params: z.object({ path: zSnapshotPath }),
  order: ['path'],
  result: RestorePlan,
  mutating: false,
});

export const snapshotsScheduleGet = defineMethod({
  name: 'snapshots.schedule_get',
  summary: 'Scheduled backups: settings, next run (ms since epoch), last run and last failure.',
  params: z.object({}),
  order: [],
  result: ScheduleState,
  mutating: false,
});

export const snapshotsScheduleSet = defineMethod({
  name: 'snapshots.schedule_set',
  summary: 'Save the scheduled-backup settings (daily/weekly at a UTC time, keep last N, destination, subsystems).',
  params: Schedule,
  order: ['enabled', 'frequency', 'time_utc', 'weekday', 'keep_last', 'path', 'include', 'format'],
  result: ScheduleState,
  mutating: true,
  reasons: [SnapshotReason.bad_path],
});

export const snapshotsScheduleRun = defineMethod({
  name: 'snapshots.schedule_run',
  summary: 'Run the scheduled backup now (same destination, subsystems and pruning); returns the job id.',
  params: z.object({}),
  order: [],
  result: jobStarted,
  mutating: true,
  reasons: [SnapshotReason.bad_path, SnapshotReason.busy],
});

export const snapshotsRestoreStatus = defineMethod({
  name: 'snapshots.restore_status',
  summary: 'Restores recorded in this data directory (newest first), including interrupted restores rolled back at start.',
  params: z.object({}),
  order: [],
  result: z.object({ last: RestoreRecord.nullable(), history: z.array(RestoreRecord) }),
  mutating: false,
});

export const SNAPSHOT_METHODS = [
  snapshotsSubsystems, snapshotsFreeSpace, snapshotsCreate, snapshotsVerify, snapshotsJob, snapshotsJobs, snapshotsCancel,
  snapshotsList, snapshotsInspect, snapshotsScheduleGet, snapshotsScheduleSet, snapshotsScheduleRun, snapshotsRestoreStatus,
] as const;

export const SnapshotTopics = {
  /** A snapshot job progressed, finished, failed or was cancelled (at most every 250 ms while running). */
  'snapshots.progress': SnapshotJob,
  /** A scheduled backup ran (ok or failed: the console notifies on failure). */
  'snapshots.scheduled': ScheduleRun,
} as const;
