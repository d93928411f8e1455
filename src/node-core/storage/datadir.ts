/**
 * The data directory of one network (DESIGN.md "Data directory"): its layout and its lock.
 *
 * Layout under the absolute `root`: `chain/` (chain DB + genesis.json), `keys/` (0700; key files
 * 0600), `logs/` (node.log), `node.lock`. Paths with spaces and non-ASCII characters are plain
 * strings to every API used here.
 *
 * The lock file `<root>/node.lock` is JSON `{pid, token, proc_start, hostname, started_at_ms}`,
 * created with O_EXCL. A lock whose holder is gone is stale and is taken over with a warning:
 * the pid no longer exists, or it exists but is another process (its start time in
 * `/proc/<pid>/stat` differs from `proc_start`, or where no start time is recorded its
 * `/proc/<pid>/cmdline` is not a Node/Electron process). The chain DB's own LevelDB lock
 * backs this up if two starts race on a stale lock.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from './atomic.js';

/** A second node on the same root. Message: `data directory <root> is in use by pid N`. */
export class DataDirLockedError extends Error {
  constructor(
    readonly root: string,
    readonly pid: number,
  ) {
    super(
      `data directory ${root} is in use by pid ${pid} (stop that node, or choose another root with --data-dir / TB_DATA_DIR)`,
    );
    this.name = 'DataDirLockedError';
  }
}

export interface LockInfo {
  pid: number;
  token: string;
  /** Start time of the holder (field 22 of /proc/<pid>/stat, clock ticks since boot); null off Linux. */
  proc_start: string | null;
  hostname: string;
  started_at_ms: number;
}

export interface DataDir {
  root: string;
  chainDir: string;
  keysDir: string;
  logsDir: string;
  lockFile: string;
  lock: LockInfo;
  /** Removes `node.lock` if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** Roots locked by this process (a second `Node.start` in the same process must fail too). */
const heldHere = new Set<string>();

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

/** Why a lock is stale, or null when its holder still runs. */
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

async function readLock(file: string): Promise<Partial<LockInfo>> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockInfo>;
  } catch {
    return {};
  }
}

/**
 * Creates the layout under `root` and takes `node.lock`.
 * @param root absolute or relative path (resolved against cwd).
 * @param o.warn receives one line when a stale lock is taken over.
 * @throws DataDirLockedError when a live node holds the root; fs errors (EACCES, ENOSPC…) as they are.
 */
export async function openDataDir(root: string, o: { warn?: (msg: string) => void } = {}): Promise<DataDir> {
  root = path.resolve(root);
  const chainDir = path.join(root, 'chain');
  const keysDir = path.join(root, 'keys');
  const logsDir = path.join(root, 'logs');
  const lockFile = path.join(root, 'node.lock');
  await fs.mkdir(root, { recursive: true });
  await fs.mkdir(chainDir, { recursive: true });
  await fs.mkdir(keysDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(logsDir, { recursive: true });
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
    const fh = await fs.open(lockFile, 'wx', 0o644);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const held = await readLock(lockFile);
    const why = staleReason(held);
    if (why === null) throw new DataDirLockedError(root, held.pid as number);
    o.warn?.(`taking over stale lock ${lockFile}: ${why}`);
    await writeFileAtomic(lockFile, body);
    // Two starters may both have judged the same lock stale; the last rename wins, the other backs off.
    const now = await readLock(lockFile);
    if (now.token !== lock.token) throw new DataDirLockedError(root, now.pid ?? 0);
  }
  heldHere.add(root);

  let released = false;
  return {
    root,
    chainDir,
    keysDir,
    logsDir,
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

/**
 * Bytes used by the files under `dir` (recursive; symlinks not followed). Asynchronous and
 * sequential so it never blocks the event loop for long; files vanishing mid-walk are skipped.
 */
export async function dirSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await dirSize(p);
    else if (e.isFile()) {
      try {
        total += (await fs.stat(p)).size;
      } catch {
        /* removed meanwhile (log rotation, compaction) */
      }
    }
  }
  return total;
}
