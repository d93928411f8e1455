/**
 * Restore as a state machine (cf. Daedalus mithril): pre-checks → staging → verify → swap, with a
 * journal so an interruption at any instant is rolled back at the next start.
 *
 *   prechecks  restore-plan.ts checks; the data-dir lock is taken (a running node → refused).
 *              Nothing in the data directory has been touched up to here.
 *   staging    journal `<root>.restore.lock` written (phase staging); the snapshot is copied (or
 *              extracted) into `<parent>/.<name>.restore-staging-<time>` — on the same filesystem
 *              as the data directory — hashing every byte in the workers, the chain DB's files
 *              first; each file is fdatasynced (libuv pool) while the next ones are copied.
 *   verifying  hashes compared with the manifest (tampered/missing/truncated → refused, staging
 *              removed); entries the snapshot does not replace are copied from the current data
 *              (keys when the snapshot has none, logs, restore_history…); the staged chain DB is
 *              opened and its head must be the manifest's height, block hash and state root (a
 *              directory snapshot: checked during the copy once every chain file is staged with
 *              its manifest SHA-256; its failure is reported only after the hashes compared
 *              clean); the outcome is recorded in the staged `restore_history`; every staged file
 *              and directory is durable (one fdatasync each, one fsync per directory).
 *   swapping   journal phase swapping; `<root>` → `<root>.pre-restore-<time>` (kept until the
 *              operator removes it), staging → `<root>`, parent dir fsynced; journal removed.
 *
 * {@link recoverInterruptedRestore} (called by Node.start and before every restore) finds a
 * journal whose writer is gone and undoes whatever part of the swap happened, so the data
 * directory is exactly the pre-restore data again; the rollback is recorded in restore_history.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SnapshotReason, type Progress, type RestorePhase, type RestoreRecord, type SnapshotSummary } from '../../shared/api/snapshots.js';
import { fsyncDir, writeFileAtomic } from '../storage/atomic.js';
import { DataDirLockedError, openDataDir, procStartTime, staleReason } from '../storage/datadir.js';
import { openRebuildable, type QuarantineOptions } from '../storage/quarantine.js';
import { names, type SimpleDb } from '../storage/simpledb.js';
import { decodeStoreFile, FILE_NAME } from '../storage/simpledb-engines.js';
import { toSnapshotError } from './create.js';
import { compactTime, SnapshotError } from './manifest.js';
import { PoolClosedError, WorkerPool, WorkerTaskError } from './pool.js';
import { FsyncQueue } from './fsync-queue.js';
import { journalPath } from './journal-path.js';
import { ProgressTracker } from './progress.js';
import { planRestore, replacedEntries } from './restore-plan.js';
import { checkStagedChain, copyTree, filesUnder, fsyncStaged, fsyncTree, listSnapshotFiles } from './restore-stage.js';
import { NEVER_INCLUDED } from './subsystems.js';
import { compareWithManifest, describeProblems, hasTarEnd, type Actual } from './verify.js';

/** The chain DB's directory in a data directory and in a snapshot. */
const CHAIN = 'chain';

interface Journal {
  pid: number;
  proc_start: string | null;
  hostname: string;
  phase: 'staging' | 'swapping';
  root: string;
  staging: string;
  /** null when the data directory did not exist before the restore. */
  pre_restore: string | null;
  from: string;
  snapshot_id: string;
  started_at_ms: number;
}

export { journalPath };

async function writeJournal(j: Journal): Promise<void> {
  await writeFileAtomic(journalPath(j.root), JSON.stringify(j, null, 2) + '\n');
}

async function readJournal(root: string): Promise<Journal | undefined> {
  try {
    return JSON.parse(await fs.readFile(journalPath(root), 'utf8')) as Journal;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // An unreadable journal still means a restore was interrupted (a torn write cannot happen: it is written atomically).
    throw new SnapshotError(SnapshotReason.io_error, `restore journal ${journalPath(root)} cannot be read (${(err as Error).message}); move it aside after checking ${root}`);
  }
}

/** What a damaged restore history is replaced by (storage/quarantine.ts). */
export const RESTORE_HISTORY_REBUILT = 'recreated empty: the history of earlier restores into this directory is in the moved file';

/**
 * Opens `<root>/restore_history` (file-engine SimpleDb); a damaged one is moved aside and
 * recreated empty (it is a record for the operator, not needed to run).
 */
export function openRestoreHistory(root: string, q: QuarantineOptions = {}): Promise<SimpleDb> {
  return openRebuildable(names.RESTORE_HISTORY, path.join(root, 'restore_history'), RESTORE_HISTORY_REBUILT, { ...q, open: { engine: 'file', limitBytes: null } });
}

/** Appends one record to `<root>/restore_history` (file-engine SimpleDb). Best effort for failures. */
export async function recordRestore(root: string, r: RestoreRecord): Promise<void> {
  const db = await openRestoreHistory(root);
  try {
    await db.insertJson(`r/${String(r.at_ms).padStart(15, '0')}-${randomBytes(3).toString('hex')}`, r);
  } finally {
    await db.close();
  }
}

/**
 * Restore records of a data directory, newest first. Reads the store file directly (read-only),
 * so it works while the store is closed and from concurrent callers.
 */
export async function restoreHistory(root: string): Promise<RestoreRecord[]> {
  const file = path.join(root, 'restore_history', FILE_NAME);
  let buf: Buffer;
  try {
    buf = await fs.readFile(file);
  } catch {
    return [];
  }
  const { entries } = decodeStoreFile(file, buf);
  return [...entries.keys()]
    .filter((k) => k.startsWith('r/'))
    .sort()
    .reverse()
    .map((k) => JSON.parse(Buffer.from(entries.get(k)!).toString('utf8')) as RestoreRecord);
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/**
 * Rolls back a restore into `root` that was interrupted (its process is gone). Returns the
 * rollback record (also written to restore_history), or null when there was nothing to do.
 * @throws SnapshotError busy when the restore is still running in a live process.
 */
export async function recoverInterruptedRestore(root: string): Promise<RestoreRecord | null> {
  const abs = path.resolve(root);
  const j = await readJournal(abs);
  if (!j) return null;
  if (staleReason(j) === null)
    throw new SnapshotError(SnapshotReason.busy, `a restore into ${abs} is running (pid ${j.pid}); wait for it to finish`);
  const parent = path.dirname(abs);
  let what: string;
  if (j.phase === 'staging' || (await exists(j.staging))) {
    // The swap had not started (or stopped before moving the staging dir): the data dir is as it was,
    // unless it had just been moved aside.
    if (j.pre_restore && !(await exists(abs)) && (await exists(j.pre_restore))) await fs.rename(j.pre_restore, abs);
    what = 'the data directory was not changed';
  } else if (await exists(abs)) {
    // Swapped but not finished: put the pre-restore data back (the restored copy is discarded).
    const discard = path.join(parent, `.${path.basename(abs)}.restore-discarded-${randomBytes(4).toString('hex')}`);
    await fs.rename(abs, discard);
    if (j.pre_restore && (await exists(j.pre_restore))) await fs.rename(j.pre_restore, abs);
    await fs.rm(discard, { recursive: true, force: true });
    what = j.pre_restore ? 'the pre-restore data was put back' : 'the partly restored data directory was removed';
  } else {
    if (j.pre_restore && (await exists(j.pre_restore))) await fs.rename(j.pre_restore, abs);
    what = 'the pre-restore data was put back';
  }
  await fs.rm(j.staging, { recursive: true, force: true });
  await fsyncDir(parent);
  // The lock of the interrupted restorer may be left inside the data directory.
  const lock = path.join(abs, 'node.lock');
  try {
    const held = JSON.parse(await fs.readFile(lock, 'utf8')) as { pid?: number };
    if (held.pid === j.pid) await fs.rm(lock, { force: true });
  } catch {
    /* no lock */
  }
  const rec: RestoreRecord = {
    at_ms: Date.now(),
    outcome: 'rolled_back',
    snapshot_id: j.snapshot_id,
    from: j.from,
    message: `An interrupted restore of ${j.snapshot_id} (started ${new Date(j.started_at_ms).toISOString()} by pid ${j.pid}) was rolled back: ${what}`,
  };
  if (await exists(abs)) await recordRestore(abs, rec).catch(() => {});
  await fs.rm(journalPath(abs), { force: true });
  await fsyncDir(parent);
  return rec;
}

export interface RestoreOptions {
  /** Snapshot directory or .tar. */
  from: string;
  /** Data directory root to restore into. */
  root: string;
  /** Network the data directory is for (the node's configured network). */
  network: string;
  onProgress?: (p: Progress & { phase: RestorePhase | string }) => void;
  /** Called when each phase starts (the console shows them; tests inject crashes here). */
  onPhase?: (phase: RestorePhase) => Promise<void> | void;
  /** Time that names `<root>.pre-restore-<time>` (default now; pass the pre-check's to keep the name it showed). */
  at?: Date;
  /** Called after the staging copy passed every check, and right after the swap (before the journal is removed): crash-injection points for tests. */
  onStep?: (step: 'staged' | 'swapped') => Promise<void> | void;
  workers?: number;
  /** Restore into a non-empty folder that is not a node's data directory (it is kept aside). */
  force?: boolean;
}

export interface RestoreOutcome {
  snapshot: SnapshotSummary;
  height: number;
  state_root: string;
  /** Where the previous data is kept, or null when the data directory did not exist. */
  pre_restore_path: string | null;
  duration_ms: number;
  /** An earlier interrupted restore rolled back before this one, if any. */
  rolled_back?: RestoreRecord;
}

/**
 * Restores the snapshot `o.from` into `o.root` (the node must be stopped).
 * @throws SnapshotError: node_running, busy, bad_path, invalid_manifest, newer_format,
 *   incompatible_version, wrong_network, no_space, tampered, missing_files, truncated, io_error —
 *   in every case the data directory is as it was (a failure is recorded in its restore_history).
 */
export async function restoreSnapshot(o: RestoreOptions): Promise<RestoreOutcome> {
  const t0 = performance.now();
  const root = path.resolve(o.root);
  const parent = path.dirname(root);
  const progress = new ProgressTracker((p) => o.onProgress?.(p));
  const phase = async (p: RestorePhase, totals?: { bytes?: number; files?: number }) => {
    progress.phase(p, totals);
    await o.onPhase?.(p);
  };
  await phase('prechecks');
  // The workers start (≈ 30 ms each) while the pre-checks run; a refused restore stops them.
  const pool = new WorkerPool(o.workers);
  let rolledBack, existed, at, plan, snapshot, dd;
  try {
    rolledBack = (await recoverInterruptedRestore(root)) ?? undefined;
    existed = existsSync(root);
    at = o.at ?? new Date();
    let failure;
    ({ plan, snapshot, failure } = await planRestore(o.from, root, o.network, at, { force: o.force }));
    if (failure || !snapshot) throw failure ?? new SnapshotError(SnapshotReason.invalid_manifest, 'the snapshot cannot be read');
    try {
      dd = await openDataDir(root);
    } catch (err) {
      if (err instanceof DataDirLockedError)
        throw new SnapshotError(SnapshotReason.node_running, `data directory ${root} is in use by pid ${err.pid}: stop the node before restoring (the console does this for you)`);
      throw toSnapshotError(err, root);
    }
  } catch (err) {
    await pool.close();
    throw err;
  }
  const m = snapshot.manifest;
  const staging = path.join(parent, `.${path.basename(root)}.restore-staging-${compactTime(at)}`);
  const journal: Journal = {
    pid: process.pid,
    proc_start: procStartTime(process.pid),
    hostname: os.hostname(),
    phase: 'staging',
    root,
    staging,
    pre_restore: existed ? plan.pre_restore_path : null,
    from: snapshot.path,
    snapshot_id: m.id,
    started_at_ms: Date.now(),
  };
  // Each staged file is fdatasynced as soon as it is complete, while the workers copy the next
  // ones (fsync-queue.ts); the directories are fsynced once at the end, before the swap.
  const syncs = new FsyncQueue();
  let swapped = false;
  const stagedChain = path.join(staging, CHAIN);
  const inChain = (rel: string) => rel.startsWith(`${CHAIN}/`);
  /**
   * The staged chain DB's check (it opens the DB, which writes there), then its files queued for
   * fdatasync: each chain file is synced once, after the check. Settles to the check's error
   * (reported only once the hashes compared clean), never rejects.
   */
  const checkAndQueue = async (): Promise<unknown> => {
    try {
      await checkStagedChain(stagedChain, m);
      for (const f of await filesUnder(stagedChain)) syncs.add(f);
      return undefined;
    } catch (err) {
      return err;
    }
  };
  let chainCheck: Promise<unknown> | undefined;
  try {
    await writeJournal(journal);
    await fs.rm(staging, { recursive: true, force: true });
    await fs.mkdir(staging, { recursive: true, mode: 0o755 });

    // staging: copy or extract, hashing every byte.
    const found = new Map<string, Actual>();
    if (snapshot.format === 'dir') {
      await phase('staging', { bytes: m.total_bytes, files: m.files.length });
      const onDisk = await listSnapshotFiles(snapshot.path);
      const listed = new Set(m.files.map((f) => f.path));
      for (const rel of onDisk) if (!listed.has(rel)) found.set(rel, { size: -1, sha256: '' }); // unlisted → refused below
      // The kernel copies each file (copy_file_range, or a clone where the file system has
      // them) and the worker hashes the staged copy: the SHA-256 compared below is of exactly the
      // bytes that are swapped in, and the copy costs no user-space read + write (issue 17:
      // 0.9–1.2 CPU s for 521 MB instead of 1.3–2.3 on this machine under load).
      // The chain DB's files first, then the rest, each part largest first, each worker taking
      // the next file itself (pool.runEach): the smallest files finish last, so no worker idles
      // at the tail. A source of the wrong size is not copied (the worker checks it at open) and
      // is refused below. Once every chain file is staged with the manifest's size and SHA-256,
      // the staged chain DB is checked while the other files are still being copied (issue 17).
      const todo = m.files
        .filter((f) => onDisk.has(f.path))
        .sort((a, b) => Number(inChain(b.path)) - Number(inChain(a.path)) || b.size - a.size);
      const dst = (rel: string) => path.join(staging, ...rel.split('/'));
      const chainFiles = m.files.filter((f) => inChain(f.path));
      let chainLeft = chainFiles.every((f) => onDisk.has(f.path)) ? chainFiles.length : -1;
      await pool.runEach(
        todo.map((f) => ({ task: 'copy', src: path.join(snapshot.path, ...f.path.split('/')), dst: dst(f.path), mode: f.mode & 0o777, sync: false, expect: f.size, kernel: true })),
        (i, r) => {
          const f = todo[i];
          found.set(f.path, r);
          progress.file();
          if (!inChain(f.path)) {
            if (r.size === f.size) syncs.add(dst(f.path));
          } else if (r.size !== f.size || r.sha256 !== f.sha256) chainLeft = -1;
          else if (--chainLeft === 0) chainCheck = checkAndQueue();
        },
        (b) => progress.bytes(b),
      );
    } else {
      await phase('staging', { bytes: (await fs.stat(snapshot.path)).size, files: m.files.length });
      try {
        const r = await pool.run({ task: 'tar-scan', src: snapshot.path, extractTo: staging, sync: false }, (b) => progress.bytes(b), (name) => {
          if (!inChain(name)) syncs.add(path.join(staging, ...name.split('/')));
        });
        for (const e of r.entries) found.set(e.name, e);
        // Cut on an entry boundary, the archive reads cleanly but lacks its end (two zero blocks).
        if (found.size < m.files.length && !(await hasTarEnd(snapshot.path)))
          throw new WorkerTaskError(`the archive ends early (truncated): ${m.files.length - found.size} of its ${m.files.length} files are not in it`, 'TRUNCATED');
      } catch (err) {
        if (err instanceof WorkerTaskError && err.code === 'TRUNCATED') throw new SnapshotError(SnapshotReason.truncated, `snapshot ${m.id}: ${err.message}; nothing was restored`);
        if (err instanceof WorkerTaskError && (err.code === 'BAD_ENTRY' || err.code === 'BAD_TAR')) throw new SnapshotError(SnapshotReason.tampered, `snapshot ${m.id}: ${err.message}; nothing was restored`);
        throw err;
      }
    }

    // verifying: hashes, carried-over entries, the staged chain head.
    await phase('verifying');
    const problems = compareWithManifest(m, found);
    if (problems.length > 0) {
      const { reason, message } = describeProblems(m.id, problems);
      throw new SnapshotError(reason, `${message}; nothing was restored`);
    }
    const replaced = await replacedEntries(root, m);
    for (const n of await fs.readdir(root)) {
      if ((NEVER_INCLUDED.has(n) && n !== 'restore_history') || n.startsWith('.') || (replaced.has(n) && n !== 'restore_history')) continue;
      await copyTree(pool, syncs, path.join(root, n), path.join(staging, n));
    }
    // The chain check ran during the copy when every chain file was staged intact; else now.
    const chainError = await (chainCheck ?? (chainCheck = checkAndQueue()));
    if (chainError) throw chainError;
    // The outcome goes into the staged restore_history (written durably while the last staged
    // files' syncs finish): it is in the data directory exactly when the swap happened.
    const duration = Math.round(performance.now() - t0);
    const recorded = recordRestore(staging, {
      at_ms: Date.now(),
      outcome: 'completed',
      snapshot_id: m.id,
      from: snapshot.path,
      height: m.height,
      duration_ms: duration,
      ...(journal.pre_restore ? { pre_restore_path: journal.pre_restore } : {}),
      message: `restored ${m.id} (height ${m.height})${journal.pre_restore ? `; the previous data is in ${journal.pre_restore}` : ''}`,
    });
    const failed = (await Promise.allSettled([syncs.drain(), recorded])).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    // Every staged file and directory is durable before the journal says "swapping": each file
    // by its own fdatasync (those of the chain DB after its check, which wrote there), each
    // directory once.
    await fsyncStaged(staging, syncs);
    await fsyncTree(staging);
    await o.onStep?.('staged');

    // swapping
    journal.phase = 'swapping';
    await writeJournal(journal);
    await phase('swapping');
    if (existed) await fs.rename(root, journal.pre_restore!);
    else await fs.rm(root, { recursive: true, force: true });
    await fs.rename(staging, root);
    swapped = true;
    await fsyncDir(parent);
    await o.onStep?.('swapped');
    if (journal.pre_restore) await fs.rm(path.join(journal.pre_restore, 'node.lock'), { force: true });
    await fs.rm(journalPath(root), { force: true });
    await fsyncDir(parent);
    progress.flush();
    return { snapshot: plan.snapshot!, height: m.height, state_root: m.state_root, pre_restore_path: journal.pre_restore, duration_ms: Math.round(performance.now() - t0), ...(rolledBack ? { rolled_back: rolledBack } : {}) };
  } catch (err) {
    const e = toSnapshotError(err instanceof PoolClosedError ? new SnapshotError(SnapshotReason.cancelled, 'the restore was cancelled') : err, parent);
    // A chain check still running has the staged DB open: it ends before the staging copy is removed.
    await chainCheck;
    await syncs.abandon();
    if (!swapped) {
      // Nothing of the data directory was touched: drop the staging copy and the journal.
      await fs.rm(staging, { recursive: true, force: true }).catch(() => {});
      if (journal.pre_restore && !existsSync(root) && existsSync(journal.pre_restore)) await fs.rename(journal.pre_restore, root).catch(() => {});
      await fs.rm(journalPath(root), { force: true }).catch(() => {});
      if (existed) await recordRestore(root, { at_ms: Date.now(), outcome: 'failed', snapshot_id: m.id, from: snapshot.path, message: e.message }).catch(() => {});
    }
    throw e;
  } finally {
    await pool.close();
    await dd.release();
    if (!existed && !swapped) await fs.rm(root, { recursive: true, force: true }).catch(() => {});
  }
}
