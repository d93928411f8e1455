/**
 * Damaged stores that can be rebuilt are moved aside and recreated empty instead of stopping the
 * node (DESIGN.md "Hard edges → Storage"; issue 12 item 2). Essential stores keep their clear
 * refusal with the ways out (SimpleDbCorruptError, ChainDbError, KeyFileError).
 *
 * Rebuildable (the node runs correctly without their content; what is lost is said per store):
 * | store | path | rebuilt as |
 * |---|---|---|
 * | `snapshot_schedule` | `snapshot_schedule/` | backup schedule back to its defaults (off); last results forgotten — set it again |
 * | `restore_history` | `restore_history/` | empty history of restores into this directory |
 * | `net_peer_chunks`, `net_bans` | `<name>/` | empty (peers are re-learned, bans re-earned) |
 * | overlay peer list | `overlay/overlay_peers.json` | empty: the node reseeds from its bootstrap peers |
 * | peer ban list | `peer_db/net_bans.json` | empty: no bans until peers misbehave again |
 * Console settings are the browser's own (localStorage: the last backup folder), not a node file.
 * Essential (refuse with ways out): `keys/` (node key, wallets — a damaged wallet is listed as
 * unreadable instead), `chain/` (blocks and state), module stores such as `launch_governor`
 * (governor decisions and signals are consensus inputs).
 *
 * "Moved aside" = renamed to `<path>.corrupt-<UTC yyyymmddThhmmssZ>` in the same folder (kept for
 * inspection; nothing is deleted), logged at warn, and reported as a `node.notice`.
 */
import { promises as fs } from 'node:fs';
import type { Logger } from 'pino';
import type { NodeNotice } from '../../shared/api/types.js';
import { names, SimpleDb, SimpleDbCorruptError, type OpenOptions } from './simpledb.js';

/** SimpleDb store names that may be quarantined and recreated empty (see the table above). */
export const REBUILDABLE_STORES: readonly string[] = [names.SNAPSHOT_SCHEDULE, names.RESTORE_HISTORY, names.NET_PEER_CHUNKS, names.NET_BANS];

export interface QuarantineOptions {
  logger?: Logger;
  /** Receives the notice (the node emits it as `node.notice`). */
  notify?: (n: NodeNotice) => void;
  /** Clock for the time stamp (tests). */
  now?: () => Date;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Renames `p` (file or folder) to `<p>.corrupt-<time>` and reports it.
 * @param what the store's name for the message (e.g. "backup schedule (snapshot_schedule)").
 * @param why what was wrong (the open error's message).
 * @param rebuilt what the node does instead (e.g. "recreated empty: scheduled backups are off until set again").
 * @returns the new path.
 */
export async function quarantine(p: string, what: string, why: string, rebuilt: string, o: QuarantineOptions = {}): Promise<string> {
  const at = (o.now ?? (() => new Date()))();
  let moved = `${p}.corrupt-${stamp(at)}`;
  for (let i = 1; await fs.lstat(moved).then(() => true, () => false); i++) moved = `${p}.corrupt-${stamp(at)}-${i}`;
  await fs.rename(p, moved);
  const message = `${what} at ${p} was damaged (${why}); it was moved aside to ${moved} and ${rebuilt}`;
  o.logger?.warn({ path: p, moved_to: moved, store: what }, message);
  o.notify?.({ at_ms: at.getTime(), level: 'warn', kind: 'store_quarantined', store: what, path: p, moved_to: moved, message });
  return moved;
}

function isCorrupt(err: unknown): boolean {
  // A newer format version is not damage: never move a newer node's data aside.
  if (err instanceof SimpleDbCorruptError) return !/^format version/.test(err.detail);
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  return code === 'LEVEL_CORRUPTION' || /corrupt/i.test(e?.cause?.message ?? '');
}

/**
 * Opens a rebuildable SimpleDb store (one of {@link REBUILDABLE_STORES}); a store that fails its
 * checks at open (bad magic, checksum, truncated, LevelDB corruption) is quarantined and a new
 * empty one opened in its place.
 * @param engine explicit engine, or undefined for the configured one (`openNamed`).
 * @throws Error for a name that is not rebuildable (a programming error); other open errors
 *   (locked, EACCES…) as they are.
 */
export async function openRebuildable(
  name: string,
  dir: string,
  rebuilt: string,
  o: QuarantineOptions & { open?: OpenOptions } = {},
): Promise<SimpleDb> {
  if (!REBUILDABLE_STORES.includes(name)) throw new Error(`SimpleDb store "${name}" is essential: it is never quarantined`);
  const open = () => (o.open?.engine ? SimpleDb.open(name, dir, o.open) : SimpleDb.openNamed(name, dir, o.open));
  try {
    return await open();
  } catch (err) {
    if (!isCorrupt(err)) throw err;
    const detail = err instanceof SimpleDbCorruptError ? err.detail : ((err as Error).message ?? String(err));
    await quarantine(dir, name, detail, rebuilt, o);
    return open();
  }
}
