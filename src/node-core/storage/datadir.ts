/**
 * The data directory of one network (DESIGN.md "Data directory"): its layout and its lock.
 *
 * Layout under the absolute `root`, declared once here: the node's own entries (`CORE_DATA`:
 * `chain/` chain DB + genesis.json, `keys/` 0700 with key files 0600, `logs/` node.log, peer
 * stores, scheduled-backup settings) and each module's `dataPaths` (modules/types.ts), checked
 * for overlaps when the directory opens. `snapshots.subsystems`, the backup wizard and the README
 * table (`npm run docs:modules`) read the same declarations. Paths with spaces and non-ASCII
 * characters are plain strings to every API used here.
 *
 * The lock file `<root>/node.lock`: see lock.ts (stale locks of this host are taken over; a lock
 * of another host is explained with the way to take it over).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkDirTarget, mkdirLevels } from './dir-target.js';
import { acquireLock, type LockInfo } from './lock.js';

// The lock itself lives in lock.ts; re-exported here for the callers that open a data directory.
export { DataDirLockedError, procStartTime, staleReason, type LockInfo } from './lock.js';

/**
 * Top-level entries of the data root owned by one subsystem (the node's own or a module's). The
 * same record is a row of `snapshots.subsystems` (DESIGN.md "Data directory").
 */
export interface DataPaths {
  /** Subsystem id in snapshots (a module's id for a module). */
  id: string;
  label: string;
  /** Top-level entries under the data root, e.g. `governor_db`, `governor`. */
  paths: string[];
  /** One line for the backup wizard and the README table (env overrides named here). */
  note: string;
  default_included: boolean;
  required?: boolean;
}

export const CHAIN_DIR = 'chain';
export const KEYS_DIR = 'keys';
export const LOGS_DIR = 'logs';

/** The node's own entries: `first` before the modules' in the layout, `last` after them. */
export const CORE_DATA: { readonly first: readonly DataPaths[]; readonly last: readonly DataPaths[] } = {
  first: [
    { id: 'chain', label: 'Chain database', paths: [CHAIN_DIR], note: `${CHAIN_DIR}/ — blocks, accounts, every chain module's state, genesis.json (classic-level)`, required: true, default_included: true },
    { id: 'keys', label: 'Node and wallet keys', paths: [KEYS_DIR], note: `${KEYS_DIR}/ — node key and wallets (0600; protect the backup)`, default_included: true },
  ],
  last: [
    { id: 'peers', label: 'Peer stores', paths: ['overlay', 'peer_db', 'peer_db_quic'], note: 'overlay/overlay_peers.json (TB_OVERLAY_DB_PATH), peer_db/ (TB_PEER_DB_PATH)', default_included: true },
    { id: 'settings', label: 'Console settings', paths: ['snapshot_schedule'], note: 'snapshot_schedule/ — scheduled backups', default_included: true },
    { id: 'logs', label: 'Logs', paths: [LOGS_DIR], note: `${LOGS_DIR}/node.log and rotated logs`, default_included: false },
  ],
};

/**
 * The layout of a data root: the node's entries, then `modules` (in list order), then `extra`
 * (entries of subsystems that are not modules yet), then the node's last entries.
 * @throws Error when two subsystems claim one id or one top-level entry (a programming error).
 */
export function dataLayout(modules: readonly DataPaths[], extra: readonly DataPaths[] = []): DataPaths[] {
  const ids = new Set(modules.map((d) => d.id));
  const all = [...CORE_DATA.first, ...modules, ...extra.filter((d) => !ids.has(d.id)), ...CORE_DATA.last];
  const owner = new Map<string, string>();
  for (const d of all) {
    if (owner.has(`#${d.id}`)) throw new Error(`data subsystem ${d.id} is declared twice`);
    owner.set(`#${d.id}`, d.id);
    for (const p of d.paths) {
      const top = p.split('/')[0];
      const prev = owner.get(top);
      if (prev !== undefined) throw new Error(`data path ${top}/ is claimed by ${prev} and by ${d.id}`);
      owner.set(top, d.id);
    }
  }
  return all;
}

export interface DataDir {
  root: string;
  /** The declared layout (dataLayout of the node's modules). */
  layout: DataPaths[];
  chainDir: string;
  keysDir: string;
  logsDir: string;
  lockFile: string;
  lock: LockInfo;
  /** Removes `node.lock` if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** A data directory that cannot be a writable folder on a disk. Message: `data directory <root> cannot be used (<code>): <why>`. */
export class DataDirUnusableError extends Error {
  /** Stable reason (lifecycle `exit.reason`). */
  readonly reason = 'data_dir_unusable';
  constructor(
    readonly root: string,
    readonly code: string,
    problem: string,
  ) {
    super(`data directory ${root} cannot be used (${code}): ${problem}`);
    this.name = 'DataDirUnusableError';
  }
}

/**
 * Creates the node's directories under `root` and takes `node.lock` (module entries are created by
 * their stores when first written).
 * @param root absolute or relative path (resolved against cwd).
 * @param o.warn receives one line when a stale lock is taken over.
 * @param o.modules the modules' declared data paths (checked against the node's and each other).
 * @throws DataDirLockedError when a live node holds the root; DataDirUnusableError when the root
 *   cannot be a writable folder on a disk (a pseudo file system such as /proc, a file in its path,
 *   no write permission); fs errors (ENOSPC…) as they are.
 */
export async function openDataDir(root: string, o: { warn?: (msg: string) => void; modules?: readonly DataPaths[] } = {}): Promise<DataDir> {
  root = path.resolve(root);
  const layout = dataLayout(o.modules ?? []);
  const chainDir = path.join(root, CHAIN_DIR);
  const keysDir = path.join(root, KEYS_DIR);
  const logsDir = path.join(root, LOGS_DIR);
  // Read-only check first, then the missing levels one by one: a recursive mkdir under /proc never
  // settled on Node 22 (the node hung at start, burning a core, deaf to SIGTERM; dir-target.ts).
  const target = await checkDirTarget(root);
  if (!target.ok) throw new DataDirUnusableError(root, target.code ?? 'EIO', target.problem ?? 'unusable');
  await mkdirLevels(root);
  await fs.mkdir(chainDir, { recursive: true });
  await fs.mkdir(keysDir, { recursive: true, mode: 0o700 });
  await fs.mkdir(logsDir, { recursive: true });
  const held = await acquireLock(root, o);
  return {
    root,
    layout,
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
