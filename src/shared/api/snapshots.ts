/**
 * Snapshots, backups and restores (issue 5; spec/storage_snapshots.md): shapes, the `snapshots.*`
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

/** Version of the snapshot layout this software writes; a snapshot with a greater one is refused. */
export const SNAPSHOT_FORMAT_VERSION = 1;
export const SNAPSHOT_FORMAT = 'the-block-snapshot';

/** Stable reasons of snapshot and restore errors. */
export const SnapshotReason = {
  /** The path is not usable (missing, not a directory, not writable, not a snapshot). */
  bad_path: 'bad_path',
  /** The manifest is missing, unreadable, or not a manifest of this format. */
  invalid_manifest: 'invalid_manifest',
  /** The snapshot was written by a newer format version. */
  newer_format: 'newer_format',
  /** The snapshot's node version or chain DB layout is not compatible with this node. */
  incompatible_version: 'incompatible_version',
  /** The snapshot is of another network or chain id than the data directory. */
  wrong_network: 'wrong_network',
  /** A file's size or SHA-256 differs from the manifest. */
  tampered: 'tampered',
  /** Files listed in the manifest are missing (or files not listed are present). */
  missing_files: 'missing_files',
  /** The tar archive ends early. */
  truncated: 'truncated',
  /** Not enough free space at the destination. */
  no_space: 'no_space',
  /** Another snapshot job or restore is running. */
  busy: 'busy',
  /** A node holds the data directory (restore needs it stopped). */
  node_running: 'node_running',
  /** The operation was cancelled. */
  cancelled: 'cancelled',
  /** Any other I/O failure (the message says which). */
  io_error: 'io_error',
} as const;
export type SnapshotReason = (typeof SnapshotReason)[keyof typeof SnapshotReason];

const zPath = z.string().min(1, 'give a path').max(4096, 'path is too long');
const zJobId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'job ids are lowercase letters, digits and -');

export const SnapshotFormat = z.enum(['dir', 'tar']);
export type SnapshotFormat = z.infer<typeof SnapshotFormat>;

export const ManifestFile = z.object({
  /** Path relative to the data directory root, `/`-separated, no `..`. */
  path: z.string().min(1).max(1024),
  size: z.number().int().nonnegative(),
  sha256: zHash,
  /** Unix permission bits (e.g. 0o600 = 384 for keys). */
  mode: z.number().int().min(0).max(0o7777),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

/** `manifest.json` of a snapshot (format version 1). */
export const Manifest = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  format_version: z.number().int().positive(),
  id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  network: z.string().min(1).max(64),
  chain_id: z.number().int().nonnegative(),
  genesis_hash: zHash,
  height: z.number().int().nonnegative(),
  block_hash: zHash,
  state_root: zHash,
  node_version: z.string().min(1).max(64),
  /** Chain DB layout version (storage/chaindb.ts SCHEMA_VERSION). */
  chain_schema: z.number().int().nonnegative(),
  /** ISO 8601 UTC. */
  created_at: z.string(),
  created_at_ms: z.number().int(),
  origin: z.enum(['console', 'cli', 'scheduled', 'rpc']),
  /** Subsystem ids included (see `snapshots.subsystems`). */
  subsystems: z.array(z.string()),
  total_bytes: z.number().int().nonnegative(),
  files: z.array(ManifestFile),
});
export type Manifest = z.infer<typeof Manifest>;

/** A snapshot as listed: manifest facts plus where it is and its checksum (SHA-256 of the manifest bytes). */
export const SnapshotSummary = z.object({
  id: z.string(),
  path: z.string(),
  format: SnapshotFormat,
  network: z.string(),
  chain_id: z.number().int(),
  height: z.number().int(),
  state_root: zHash,
  node_version: z.string(),
  format_version: z.number().int(),
  created_at: z.string(),
  created_at_ms: z.number().int(),
  origin: z.string(),
  subsystems: z.array(z.string()),
  total_bytes: z.number().int(),
  files: z.number().int(),
  checksum: zHash,
});
export type SnapshotSummary = z.infer<typeof SnapshotSummary>;

export const Subsystem = z.object({
  id: z.string(),
  label: z.string(),
  /** Paths relative to the data directory. */
  paths: z.array(z.string()),
  /** Where it lives by default and which variable moves it (operations guide backup table). */
  note: z.string(),
  present: z.boolean(),
  bytes: z.number().int(),
  files: z.number().int(),
  /** Always included (the chain: a snapshot is defined by its height and state root). */
  required: z.boolean(),
  /** Pre-selected in the backup wizard. */
  default_included: z.boolean(),
});
export type Subsystem = z.infer<typeof Subsystem>;

export const FreeSpace = z.object({
  /** Absolute path checked. */
  path: z.string(),
  exists: z.boolean(),
  is_dir: z.boolean(),
  writable: z.boolean(),
  /** Bytes available to this user on that filesystem (of the nearest existing parent when `exists` is false). */
  free_bytes: z.number(),
  total_bytes: z.number(),
  /** Why the path cannot be used as a destination, if it cannot. */
  problem: z.string().optional(),
});
export type FreeSpace = z.infer<typeof FreeSpace>;

export const CreateResult = z.object({
  id: z.string(),
  path: z.string(),
  format: SnapshotFormat,
  bytes: z.number().int(),
  files: z.number().int(),
  /** SHA-256 of manifest.json: record it to check the snapshot later (`snapshots verify --checksum`). */
  checksum: zHash,
  height: z.number().int(),
  state_root: zHash,
  network: z.string(),
  subsystems: z.array(z.string()),
  duration_ms: z.number(),
  /** Partial snapshots (`.<id>.partial`) and cut folders left by earlier runs that were killed, removed by this run. */
  removed_leftovers: z.array(z.string()).optional(),
});
export type CreateResult = z.infer<typeof CreateResult>;

export const VerifyProblem = z.object({ path: z.string(), problem: z.string() });
export const VerifyResult = z.object({
  ok: z.boolean(),
  path: z.string(),
  id: z.string().optional(),
  /** Set when the manifest could be read. */
  snapshot: SnapshotSummary.optional(),
  files_checked: z.number().int(),
  bytes_checked: z.number().int(),
  /** Worst problem class found (absent when ok). */
  reason: z.string().optional(),
  /** One line for the operator. */
  message: z.string(),
  problems: z.array(VerifyProblem),
});
export type VerifyResult = z.infer<typeof VerifyResult>;

/** Progress counters shared by jobs and restores. `eta_ms` is null until a rate is known. */
export const Progress = z.object({
  phase: z.string(),
  bytes_done: z.number(),
  bytes_total: z.number(),
  files_done: z.number().int(),
  files_total: z.number().int(),
  eta_ms: z.number().nullable(),
});
export type Progress = z.infer<typeof Progress>;

export const JobError = z.object({ message: z.string(), reason: z.string() });

export const SnapshotJob = Progress.extend({
  job_id: z.string(),
  kind: z.enum(['create', 'verify']),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  /** Destination (create) or snapshot (verify) path. */
  path: z.string(),
  started_at_ms: z.number(),
  finished_at_ms: z.number().optional(),
  error: JobError.optional(),
  create: CreateResult.optional(),
  verify: VerifyResult.optional(),
});
export type SnapshotJob = z.infer<typeof SnapshotJob>;

export const RestoreCheck = z.object({
  id: z.enum(['manifest', 'format', 'version', 'network', 'chain_id', 'free_space', 'checksums']),
  label: z.string(),
  /** null = not checked here (checksums: run `snapshots.verify`). */
  ok: z.boolean().nullable(),
  detail: z.string(),
});
export type RestoreCheck = z.infer<typeof RestoreCheck>;

/** What a restore of a snapshot into this node's data directory would do. */
export const RestorePlan = z.object({
  snapshot: SnapshotSummary.optional(),
  data_dir: z.string(),
  checks: z.array(RestoreCheck),
  /** Subsystems replaced by the snapshot's copy, or kept from the current data. */
  subsystems: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      action: z.enum(['replace', 'keep']),
      current_bytes: z.number().int(),
      snapshot_bytes: z.number().int(),
    }),
  ),
  current_height: z.number().int().nullable(),
  /** Where the current data will be kept: `<data dir>.pre-restore-<time>`. */
  pre_restore_path: z.string(),
  ok: z.boolean(),
});
export type RestorePlan = z.infer<typeof RestorePlan>;

export const RestorePhase = z.enum(['prechecks', 'stopping_node', 'staging', 'verifying', 'swapping', 'starting_node', 'ready', 'rolling_back']);
export type RestorePhase = z.infer<typeof RestorePhase>;

/** One restore, as recorded in the data directory's `restore_history` store and shown by the console. */
export const RestoreRecord = z.object({
  at_ms: z.number(),
  outcome: z.enum(['completed', 'failed', 'rolled_back']),
  snapshot_id: z.string().optional(),
  from: z.string().optional(),
  height: z.number().int().optional(),
  duration_ms: z.number().optional(),
  pre_restore_path: z.string().optional(),
  message: z.string(),
});
export type RestoreRecord = z.infer<typeof RestoreRecord>;

/** A restore in progress (or the last one) as the console host reports it on `app.restore`. */
export const RestoreProgress = Progress.extend({
  state: z.enum(['idle', 'running', 'done', 'failed']),
  phase: RestorePhase.or(z.literal('')),
  from: z.string().optional(),
  snapshot_id: z.string().optional(),
  /** Height of the snapshot (and of the node once restarted). */
  height: z.number().int().optional(),
  pre_restore_path: z.string().optional(),
  message: z.string().optional(),
  error: JobError.optional(),
  started_at_ms: z.number().optional(),
  finished_at_ms: z.number().optional(),
});
export type RestoreProgress = z.infer<typeof RestoreProgress>;

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
  params: z.object({ path: zPath, checksum: zHash.optional() }),
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
  params: z.object({ path: zPath }),
  order: ['path'],
  result: z.object({ path: z.string(), snapshots: z.array(SnapshotSummary), invalid: z.array(VerifyProblem) }),
  mutating: false,
  reasons: [SnapshotReason.bad_path],
});

export const snapshotsInspect = defineMethod({
  name: 'snapshots.inspect',
  summary:
    'Pre-checks of restoring a snapshot into this node\'s data directory (manifest, format, version, network, chain id, free space) and what would be replaced.',
  params: z.object({ path: zPath }),
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
