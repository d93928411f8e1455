/**
 * The data-directory lock `<root>/node.lock` (DESIGN.md "Data directory", "Hard edges → Storage").
 *
 * The file is JSON `{pid, token, proc_start, hostname, started_at_ms}`, created with O_EXCL. On
 * this host a lock whose holder is gone is stale and is taken over with a warning: the pid no
 * longer exists, or it exists but is another process (its start time in `/proc/<pid>/stat`
 * differs from `proc_start`, or where no start time is recorded its `/proc/<pid>/cmdline` is not
 * a Node/Electron process). A lock written on ANOTHER host cannot be checked (its pids are not
 * ours): it is never taken over silently; the refusal names the host, pid and start time, and
 * the way to take it over once the operator has checked — `contract-cli node unlock` (with a
 * confirmation) or the console's "Take over the lock" — see {@link unlockDataDir}, which never
 * removes the lock of a live node of this host. The chain DB's own LevelDB lock backs this up if
 * two starts race on a stale lock.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

export const LOCK_FILE = 'node.lock';

export interface LockInfo {
  pid: number;
  token: string;
  /** Start time of the holder (field 22 of /proc/<pid>/stat, clock ticks since boot); null off Linux. */
  proc_start: string | null;
  hostname: string;
  started_at_ms: number;
}

/** Stable reason of {@link DataDirLockedError} when the holder is on another host (lifecycle `exit.reason`). */
export const LOCKED_ELSEWHERE = 'data_dir_locked_elsewhere';

function describeHolder(h: Partial<LockInfo>): string {
  const started = typeof h.started_at_ms === 'number' ? `, started ${new Date(h.started_at_ms).toISOString()}` : '';
  return `pid ${h.pid}${started}`;
}

/**
 * A data directory held by a node. Messages:
 * - this host: `data directory <root> is in use by pid N (started …) — stop that node, or …`;
 * - another host: names the host, pid and start time and the exact takeover command.
 */
export class DataDirLockedError extends Error {
  /** `data_dir_locked_elsewhere` when the holder is on another host, else `data_dir_locked`. */
  readonly reason: string;
  readonly elsewhere: boolean;
  constructor(
    readonly root: string,
    readonly pid: number,
    readonly holder: Partial<LockInfo> = {},
  ) {
    const elsewhere = holder.hostname !== undefined && holder.hostname !== os.hostname();
    super(
      elsewhere
        ? `data directory ${root} is locked by ${describeHolder({ pid, ...holder })} on host "${holder.hostname}", which this host ` +
            `("${os.hostname()}") cannot check. If no node on "${holder.hostname}" uses this directory any more (a re-created ` +
            `container, a renamed machine, a disk moved here), take the lock over with: contract-cli node unlock --data-dir "${root}" ` +
            `(or "Take over the lock" in the console)`
        : `data directory ${root} is in use by ${describeHolder({ pid, ...holder })} (stop that node, or choose another root with --data-dir / TB_DATA_DIR)`,
    );
    this.name = 'DataDirLockedError';
    this.elsewhere = elsewhere;
    this.reason = elsewhere ? LOCKED_ELSEWHERE : 'data_dir_locked';
  }
}

/** Roots locked by this process (a second `Node.start` in the same process must fail too). */
const heldHere = new Set<string>();

/** Does this process hold the lock of `root` (a node running in this very process)? */
export function heldByThisProcess(root: string): boolean {
  return heldHere.has(path.resolve(root));
}

/** Start time of a process from /proc (Linux), or null where unavailable. */
export function procStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null; // field 22 overall = index 19 after pid, comm, state… (state is fields[0])
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a lock is stale, or null when its holder still runs (or runs on another host, which cannot be checked). */
export function staleReason(info: Partial<LockInfo>): string | null {
  if (typeof info.pid !== 'number' || !Number.isInteger(info.pid) || info.pid <= 0)
    return 'lock file is unreadable';
  if (info.hostname !== undefined && info.hostname !== os.hostname()) return null; // cannot check another host's pids
  if (info.pid === process.pid) return `pid ${info.pid} is this process (left by an earlier run)`;
  if (!pidAlive(info.pid)) return `pid ${info.pid} is not running`;
  const start = procStartTime(info.pid);
  if (start !== null && info.proc_start) {
    return start === info.proc_start ? null : `pid ${info.pid} was reused by another process`;
  }
  try {
    const cmd = readFileSync(`/proc/${info.pid}/cmdline`, 'utf8').split('\0').join(' ');
    if (!/node|electron|contract-cli|the-block/i.test(cmd))
      return `pid ${info.pid} is not a node process (${cmd.slice(0, 60)})`;
  } catch {
    /* no /proc: trust that a live pid is the holder */
  }
  return null;
}

/** The lock file's content; `{}` when absent or unreadable. */
export async function readLock(file: string): Promise<Partial<LockInfo>> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockInfo>;
  } catch {
    return {};
  }
}

export interface HeldLock {
  lockFile: string;
  lock: LockInfo;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/**
 * Takes `<root>/node.lock` (root must exist and be absolute).
 * @param o.warn receives one line when a stale lock of this host is taken over.
 * @throws DataDirLockedError when a live node of this host holds it, or a node of another host
 *   (never taken over silently); fs errors as they are.
 */
export async function acquireLock(root: string, o: { warn?: (msg: string) => void } = {}): Promise<HeldLock> {
  const lockFile = path.join(root, LOCK_FILE);
  if (heldHere.has(root)) throw new DataDirLockedError(root, process.pid);
  const lock: LockInfo = {
    pid: process.pid,
    token: randomBytes(16).toString('hex'),
    proc_start: procStartTime(process.pid),
    hostname: os.hostname(),
    started_at_ms: Date.now(),
  };
  const body = JSON.stringify(lock) + '\n';
  try {
    // Not fsynced: O_EXCL makes the claim, and after a power loss the holder is gone anyway (a lock
    // lost or left empty by the crash is stale either way), so a sync only delayed every start.
    const fh = await fs.open(lockFile, 'wx', 0o644);
    try {
      await fh.writeFile(body);
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const held = await readLock(lockFile);
    const why = staleReason(held);
    if (why === null) throw new DataDirLockedError(root, held.pid as number, held);
    o.warn?.(`taking over stale lock ${lockFile}: ${why}`);
    await writeFileAtomic(lockFile, body);
    // Two starters may both have judged the same lock stale; the last rename wins, the other backs off.
    const now = await readLock(lockFile);
    if (now.token !== lock.token) throw new DataDirLockedError(root, now.pid ?? 0, now);
  }
  heldHere.add(root);
  let released = false;
  return {
    lockFile,
    lock,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(root);
      const now = await readLock(lockFile);
      if (now.token === lock.token) await fs.rm(lockFile, { force: true });
    },
  };
}

/** What {@link unlockDataDir} found and did. */
export interface UnlockResult {
  lock_file: string;
  /** False when there was no lock file. */
  removed: boolean;
  /** The holder named by the removed lock (absent when there was none). */
  holder?: Partial<LockInfo>;
  /** Why it could be removed: "held on another host …" or the stale reason on this host. */
  why?: string;
}

/**
 * Removes `<root>/node.lock` so the next start can take the directory: for a lock of another host
 * (which the operator has checked) or a stale lock of this host. Only the lock that was inspected
 * is removed (its token is compared again just before).
 * @param o.expectPid when set, the lock must still name this pid (what the operator confirmed).
 * @throws DataDirLockedError when the holder is a live node of THIS host (never removed); Error
 *   when the lock changed since it was inspected.
 */
export async function unlockDataDir(root: string, o: { expectPid?: number } = {}): Promise<UnlockResult> {
  const abs = path.resolve(root);
  const lockFile = path.join(abs, LOCK_FILE);
  let text: string;
  try {
    text = await fs.readFile(lockFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lock_file: lockFile, removed: false };
    throw err;
  }
  const holder = await readLock(lockFile);
  const elsewhere = holder.hostname !== undefined && holder.hostname !== os.hostname();
  const why = elsewhere ? `held on another host ("${holder.hostname}"), taken over on the operator's word` : staleReason(holder);
  if (why === null || heldHere.has(abs)) throw new DataDirLockedError(abs, holder.pid ?? process.pid, holder);
  if (o.expectPid !== undefined && holder.pid !== o.expectPid)
    throw new Error(`the lock of ${abs} now names pid ${holder.pid ?? '?'}, not ${o.expectPid}: nothing was removed; check again`);
  if ((await fs.readFile(lockFile, 'utf8').catch(() => '')) !== text)
    throw new Error(`the lock of ${abs} changed while it was being inspected: nothing was removed; check again`);
  await fs.rm(lockFile, { force: true });
  return { lock_file: lockFile, removed: true, holder, why };
}
