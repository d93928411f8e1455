/**
 * Snapshot shapes (spec/storage_snapshots.md): the format version, the stable reasons, the manifest,
 * a listed snapshot, subsystems and free space, create/verify results and the progress of a job.
 * Part of the snapshots contract slice (snapshots.ts re-exports it).
 */
import { z } from 'zod';
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
