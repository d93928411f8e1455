/**
 * Leftovers of snapshot runs that were killed mid-way (issue 12 item 7; DESIGN.md "snapshots are
 * built under a temp name and renamed last, and leftovers are cleaned"): `.<id>.partial` /
 * `.<id>.tar.partial` in a backup destination, and consistent-cut folders `.cut-*` under
 * `<root>/snapshots/`. A run writes `<partial>.owner` (`{pid, proc_start, hostname,
 * started_at_ms}`) beside its partial output; the next run into the same destination removes
 * every partial whose owner is gone (or that has no owner file: left by an older version), and
 * keeps those of a live process — of this host, or of another host, which cannot be checked.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileAtomic } from '../storage/atomic.js';
import { procStartTime, staleReason, type LockInfo } from '../storage/lock.js';
import { PARTIAL_SUFFIX } from './manifest.js';

const OWNER_SUFFIX = '.owner';
/** Partial outputs and cuts being written by this process (never cleaned). */
const active = new Set<string>();

/** Marks `p` (a partial output or a cut folder) as being written by this process; returns the release function. */
export async function claimTemp(p: string, o: { owner?: boolean } = {}): Promise<() => Promise<void>> {
  active.add(p);
  if (o.owner) {
    const owner = { pid: process.pid, proc_start: procStartTime(process.pid), hostname: os.hostname(), started_at_ms: Date.now() };
    await writeFileAtomic(p + OWNER_SUFFIX, JSON.stringify(owner) + '\n', { mode: 0o644 });
  }
  return async () => {
    active.delete(p);
    if (o.owner) await fs.rm(p + OWNER_SUFFIX, { force: true }).catch(() => {});
  };
}

async function ownerOf(p: string): Promise<Partial<LockInfo> | undefined> {
  try {
    return JSON.parse(await fs.readFile(p + OWNER_SUFFIX, 'utf8')) as Partial<LockInfo>;
  } catch {
    return undefined;
  }
}

/**
 * Removes the partial snapshots in `dest` whose writer is gone, and the cut folders under
 * `<root>/snapshots/` not in use by this process (only this process, which holds the data-dir
 * lock, takes cuts of `root`).
 * @returns the paths removed (for the log and the job result). Errors removing one are skipped.
 */
export async function cleanLeftovers(dest: string, root?: string): Promise<string[]> {
  const removed: string[] = [];
  const names = await fs.readdir(dest).catch(() => [] as string[]);
  for (const n of names) {
    if (!n.startsWith('.') || !n.endsWith(PARTIAL_SUFFIX)) continue;
    const p = path.join(dest, n);
    if (active.has(p)) continue;
    const owner = await ownerOf(p);
    if (owner && staleReason(owner) === null) continue; // still being written (here or on another host)
    try {
      await fs.rm(p, { recursive: true, force: true });
      await fs.rm(p + OWNER_SUFFIX, { force: true });
      removed.push(p);
    } catch {
      /* left for the next run */
    }
  }
  // Owner files whose partial is already gone.
  for (const n of names) {
    if (!n.startsWith('.') || !n.endsWith(PARTIAL_SUFFIX + OWNER_SUFFIX)) continue;
    const p = path.join(dest, n.slice(0, -OWNER_SUFFIX.length));
    if (!active.has(p) && !names.includes(path.basename(p))) await fs.rm(path.join(dest, n), { force: true }).catch(() => {});
  }
  if (root) {
    const cuts = path.join(root, 'snapshots');
    for (const n of await fs.readdir(cuts).catch(() => [] as string[])) {
      const p = path.join(cuts, n);
      if (!n.startsWith('.cut-') || active.has(p)) continue;
      try {
        await fs.rm(p, { recursive: true, force: true });
        removed.push(p);
      } catch {
        /* left for the next run */
      }
    }
  }
  return removed;
}
