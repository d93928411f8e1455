/**
 * The data directory of one network (DESIGN.md "Data directory"): its layout and its lock.
 *
 * Layout under the absolute `root`: `chain/` (chain DB + genesis.json), `keys/` (0700; key files
 * 0600), `logs/` (node.log), `node.lock`. Paths with spaces and non-ASCII characters are plain
 * strings to every API used here.
 *
 * The lock file `<root>/node.lock`: see lock.ts (stale locks of this host are taken over; a lock
 * of another host is explained with the way to take it over).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { acquireLock, type LockInfo } from './lock.js';

// The lock itself lives in lock.ts; re-exported here for the callers that open a data directory.
export { DataDirLockedError, procStartTime, staleReason, type LockInfo } from './lock.js';

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
  await fs.mkdir(root, { recursive: true });
  await fs.mkdir(chainDir, { recursive: true });
  await fs.mkdir(keysDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(logsDir, { recursive: true });
  const held = await acquireLock(root, o);
  return {
    root,
    chainDir,
    keysDir,
    logsDir,
    lockFile: held.lockFile,
    lock: held.lock,
    release: () => held.release(),
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
