/**
 * Checking a folder an operator typed (a data directory, a snapshot destination) before anything
 * is created in it, and creating it safely afterwards.
 *
 * Why not `fs.mkdir(p, { recursive: true })` on a typed path: on Node 22 a recursive mkdir under a
 * pseudo file system (`/proc/nope/x`) never settles — it loops on ENOENT, holds a libuv thread and
 * burns a CPU core. So {@link checkDirTarget} only reads (stat / statfs / access on the nearest
 * existing ancestor, nothing created), refuses pseudo file systems and non-directories with a
 * reason an operator can act on, and {@link mkdirLevels} creates the missing levels one by one,
 * non-recursively, after such a check.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * statfs `type` magic numbers of kernel pseudo file systems (linux/magic.h): proc, sysfs, devpts,
 * cgroup, cgroup2, debugfs, securityfs, tracefs, bpf, pstore, configfs, efivarfs, fusectl.
 */
const PSEUDO_FS = new Set([0x9fa0, 0x62656572, 0x1cd1, 0x27e0eb, 0x63677270, 0x64626720, 0x73636673, 0x74726163, 0xcafe4a11, 0x6165676c, 0x62656570, 0xde5e81e4, 0x65735543]);

export interface DirTarget {
  /** The absolute path checked. */
  path: string;
  /** Whether the path itself exists (as a directory when `ok`). */
  exists: boolean;
  /** The nearest existing ancestor (the path itself when it exists). */
  existing: string;
  /** Bytes free for this user / total on the file system of `existing` (0 when unknown). */
  free_bytes: number;
  total_bytes: number;
  /** Usable: `existing` is a writable directory on a real (non-pseudo) file system. */
  ok: boolean;
  /** Why not (operator-facing), when !ok. */
  problem?: string;
  /** errno-like code of the refusal: ENOTDIR, EACCES, EROFS, EPSEUDOFS, … */
  code?: string;
}

/**
 * Checks that `p` is (or could be created as) a writable folder, without creating anything.
 * @param p absolute or relative path (resolved against the cwd).
 */
export async function checkDirTarget(p: string): Promise<DirTarget> {
  const abs = path.resolve(p);
  const out: DirTarget = { path: abs, exists: false, existing: abs, free_bytes: 0, total_bytes: 0, ok: false };
  let cur = abs;
  for (;;) {
    try {
      const st = await fs.stat(cur);
      out.existing = cur;
      out.exists = cur === abs;
      if (!st.isDirectory()) {
        out.code = 'ENOTDIR';
        out.problem = cur === abs ? `${abs} is a file, not a folder` : `${cur} is a file, so ${abs} cannot be a folder`;
        return out;
      }
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const up = path.dirname(cur);
      if (code === 'ENOTDIR') {
        cur = up; // a file in the middle: found on the next turn
        continue;
      }
      if (code !== 'ENOENT' || up === cur) {
        out.code = code ?? 'EIO';
        out.problem = `${cur} cannot be read (${out.code})`;
        return out;
      }
      cur = up;
    }
  }
  try {
    const s = await fs.statfs(out.existing);
    out.free_bytes = Number(s.bavail) * Number(s.bsize);
    out.total_bytes = Number(s.blocks) * Number(s.bsize);
    if (PSEUDO_FS.has(Number(s.type)) || out.total_bytes === 0) {
      out.code = 'EPSEUDOFS';
      out.problem = `${out.existing} is not on a real disk (a system pseudo file system with 0 bytes of space); choose a folder on a disk`;
      return out;
    }
  } catch (err) {
    out.code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    out.problem = `the disk of ${out.existing} cannot be read (${out.code})`;
    return out;
  }
  try {
    await fs.access(out.existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    out.code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    out.problem = `${out.existing} is not writable by this user (${out.code})`;
    return out;
  }
  out.ok = true;
  return out;
}

/**
 * Creates `p` and its missing parents one level at a time (non-recursive mkdir each), after a
 * {@link checkDirTarget} that passed. An existing directory is fine.
 * @throws the errno error of the first level that cannot be created.
 */
export async function mkdirLevels(p: string, mode?: number): Promise<void> {
  const abs = path.resolve(p);
  const missing: string[] = [];
  let cur = abs;
  for (;;) {
    const st = await fs.stat(cur).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw e;
    });
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`ENOTDIR: ${cur} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(cur);
    const up = path.dirname(cur);
    if (up === cur) break;
    cur = up;
  }
  for (const dir of missing.reverse()) {
    await fs.mkdir(dir, mode === undefined ? undefined : { mode }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'EEXIST' && (await fs.stat(dir)).isDirectory()) return;
      throw e;
    });
  }
}
