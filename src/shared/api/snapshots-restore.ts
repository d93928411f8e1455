/**
 * Restore shapes: the pre-checks and plan of a restore, its phases, the record kept in the data
 * directory's `restore_history` and the progress the console host reports on `app.restore`.
 * Restores are run by the CLI and the console host, not by the node (snapshots.ts).
 */
import { z } from 'zod';
import { JobError, Progress, SnapshotSummary } from './snapshots-shapes.js';

export const RestoreCheck = z.object({
  id: z.enum(['target', 'manifest', 'format', 'version', 'network', 'chain_id', 'free_space', 'checksums']),
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
  /**
   * Wallet keys in the data directory that the snapshot does not hold (names of
   * `keys/wallets/<name>.json`), when the restore replaces the keys folder: made since the
   * snapshot, they are kept only in the pre-restore copy. Absent when the keys are kept.
   */
  wallets_not_in_snapshot: z.array(z.string()).optional(),
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
  /** The phase a failed restore stopped in (the node is started again after it either way). */
  failed_phase: RestorePhase.optional(),
  started_at_ms: z.number().optional(),
  finished_at_ms: z.number().optional(),
});
export type RestoreProgress = z.infer<typeof RestoreProgress>;
