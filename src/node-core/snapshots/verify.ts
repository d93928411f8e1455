/**
 * Verifying a snapshot: the manifest parses (format, version, safe paths), every listed file is
 * present with its size and SHA-256, nothing unlisted is present, a tar is complete, and — when
 * the operator recorded it — the manifest's own checksum matches. Hashing streams through the
 * worker pool (memory stays flat); nothing is written.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SnapshotReason, type Manifest, type Progress, type VerifyResult } from '../../shared/api/snapshots.js';
import { locate, MANIFEST_NAME, SnapshotError, summary, type LocatedSnapshot } from './manifest.js';
import { PoolClosedError, WorkerPool, WorkerTaskError } from './pool.js';
import { ProgressTracker } from './progress.js';

export interface Actual {
  size: number;
  sha256: string;
}
export interface Problem {
  path: string;
  problem: string;
  reason: SnapshotReason;
}

const RANK: SnapshotReason[] = [SnapshotReason.truncated, SnapshotReason.missing_files, SnapshotReason.tampered];

/** Compares what was found (path → size/hash; absent = missing) with the manifest. Pure. */
export function compareWithManifest(m: Manifest, found: Map<string, Actual>): Problem[] {
  const problems: Problem[] = [];
  const listed = new Set<string>();
  for (const f of m.files) {
    listed.add(f.path);
    const a = found.get(f.path);
    if (!a) problems.push({ path: f.path, problem: 'missing', reason: SnapshotReason.missing_files });
    else if (a.size !== f.size) problems.push({ path: f.path, problem: `size is ${a.size} bytes, the manifest says ${f.size}`, reason: SnapshotReason.tampered });
    else if (a.sha256 !== f.sha256)
      problems.push({ path: f.path, problem: `SHA-256 is ${a.sha256.slice(0, 16)}…, the manifest says ${f.sha256.slice(0, 16)}…`, reason: SnapshotReason.tampered });
  }
  for (const p of found.keys()) if (!listed.has(p)) problems.push({ path: p, problem: 'not listed in the manifest', reason: SnapshotReason.tampered });
  return problems;
}

/** The worst reason among problems, and one line for the operator. */
export function describeProblems(id: string, problems: Problem[]): { reason: SnapshotReason; message: string } {
  const reason = RANK.find((r) => problems.some((p) => p.reason === r)) ?? problems[0].reason;
  const first = problems.find((p) => p.reason === reason)!;
  const what =
    reason === SnapshotReason.missing_files
      ? `files are missing (${problems.filter((p) => p.reason === reason).length}, e.g. ${first.path})`
      : reason === SnapshotReason.truncated
        ? `the archive is truncated (${first.problem})`
        : `it was modified or damaged: ${first.path}: ${first.problem}`;
  const more = problems.length > 1 ? ` (${problems.length} problems in all)` : '';
  return { reason, message: `snapshot ${id} failed verification: ${what}${more}` };
}

/** Regular files under `dir` (relative `/` paths) except the manifest. */
async function listFiles(dir: string, rel = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await fs.readdir(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of await listFiles(dir, r)) out.set(k, v);
    else if (r !== MANIFEST_NAME) out.set(r, path.join(dir, ...r.split('/')));
  }
  return out;
}

export interface VerifyOptions {
  /** Expected SHA-256 of manifest.json (as printed when the snapshot was made). */
  checksum?: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  workers?: number;
}

/**
 * Verifies the snapshot at `p` (directory or .tar).
 * @returns a VerifyResult: `ok`, or the worst `reason` (invalid_manifest, newer_format, truncated,
 *   missing_files, tampered, bad_path) with a one-line message and up to 50 problems.
 * @throws SnapshotError cancelled; unexpected I/O errors as they are.
 */
export async function verifySnapshot(p: string, o: VerifyOptions = {}): Promise<VerifyResult> {
  const abs = path.resolve(p);
  // The workers start (≈ 30 ms each) while the manifest is read and the files listed.
  const pool = new WorkerPool(o.workers);
  let s: LocatedSnapshot;
  try {
    s = await locate(abs);
  } catch (err) {
    await pool.close({ wait: false });
    if (err instanceof SnapshotError) return { ok: false, path: abs, files_checked: 0, bytes_checked: 0, reason: err.reason, message: err.message, problems: [] };
    throw err;
  }
  const base = { path: s.path, id: s.manifest.id, snapshot: summary(s) };
  if (o.checksum && o.checksum !== s.checksum) {
    await pool.close({ wait: false });
    return {
      ...base,
      ok: false,
      files_checked: 0,
      bytes_checked: 0,
      reason: SnapshotReason.tampered,
      message: `snapshot ${s.manifest.id}: manifest checksum is ${s.checksum}, expected ${o.checksum} — the manifest was changed or this is another snapshot`,
      problems: [{ path: MANIFEST_NAME, problem: 'checksum differs from the expected one' }],
    };
  }
  const progress = new ProgressTracker(o.onProgress);
  const onAbort = () => void pool.close();
  o.signal?.addEventListener('abort', onAbort);
  const found = new Map<string, Actual>();
  let bytes = 0;
  try {
    progress.phase('verifying', { bytes: s.manifest.total_bytes, files: s.manifest.files.length });
    if (s.format === 'dir') {
      const onDisk = await listFiles(s.path);
      // Largest first, each worker taking the next file itself (pool.runEach): the last ones to
      // finish are the smallest and no worker idles at the tail (issue 17). A file of the wrong
      // size is reported without reading it (the worker checks the size at open); a file the
      // manifest does not list is refused whatever it holds, so it is not read either.
      const listed = new Set(s.manifest.files.map((f) => f.path));
      for (const rel of onDisk.keys()) if (!listed.has(rel)) found.set(rel, { size: 0, sha256: '' });
      const todo = s.manifest.files.filter((f) => onDisk.has(f.path)).sort((a, b) => b.size - a.size);
      await pool.runEach(
        todo.map((f) => ({ task: 'hash', src: onDisk.get(f.path)!, expect: f.size })),
        (i, r) => {
          found.set(todo[i].path, r);
          bytes += r.size;
          progress.file();
        },
        (b) => progress.bytes(b),
      );
    } else {
      const st = await fs.stat(s.path);
      progress.phase('verifying', { bytes: st.size });
      try {
        const r = await pool.run({ task: 'tar-scan', src: s.path }, (b) => progress.bytes(b));
        for (const e of r.entries) {
          found.set(e.name, e);
          bytes += e.size;
        }
        if (found.size < s.manifest.files.length && !(await hasTarEnd(s.path)))
          throw new WorkerTaskError(`the archive ends early (truncated): ${s.manifest.files.length - found.size} of its ${s.manifest.files.length} files are not in it`, 'TRUNCATED');
      } catch (err) {
        if (err instanceof WorkerTaskError && ['TRUNCATED', 'BAD_ENTRY', 'BAD_TAR'].includes(err.code)) {
          const reason = err.code === 'TRUNCATED' ? SnapshotReason.truncated : SnapshotReason.tampered;
          return { ...base, ok: false, files_checked: found.size, bytes_checked: bytes, reason, message: `snapshot ${s.manifest.id} failed verification: ${err.message}`, problems: [{ path: s.path, problem: err.message }] };
        }
        throw err;
      }
    }
  } catch (err) {
    if (err instanceof PoolClosedError || o.signal?.aborted) throw new SnapshotError(SnapshotReason.cancelled, 'verification was cancelled');
    throw err;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // The workers only read: the result does not wait for them to exit.
    await pool.close({ wait: false });
    progress.flush();
  }
  const problems = compareWithManifest(s.manifest, found);
  if (problems.length === 0)
    return {
      ...base,
      ok: true,
      files_checked: found.size,
      bytes_checked: bytes,
      message: `snapshot ${s.manifest.id} is intact: ${found.size} files, ${bytes} bytes, every SHA-256 matches the manifest (checksum ${s.checksum})`,
      problems: [],
    };
  const { reason, message } = describeProblems(s.manifest.id, problems);
  return { ...base, ok: false, files_checked: found.size, bytes_checked: bytes, reason, message, problems: problems.slice(0, 50).map(({ path, problem }) => ({ path, problem })) };
}

/**
 * Whether a tar file ends with its end-of-archive marker (two 512-byte zero blocks): an
 * archive cut on an entry boundary reads cleanly but lacks it.
 */
export async function hasTarEnd(file: string): Promise<boolean> {
  const h = await fs.open(file, 'r');
  try {
    const { size } = await h.stat();
    if (size < 1024 || size % 512 !== 0) return false;
    const b = Buffer.alloc(1024);
    await h.read(b, 0, 1024, size - 1024);
    return b.every((x) => x === 0);
  } finally {
    await h.close();
  }
}
