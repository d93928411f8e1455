/**
 * What a snapshot can include: the operations guide's backup path table mapped onto this node's
 * data directory (DESIGN.md "Data directory"). Each subsystem is a set of paths relative to the
 * data root; the node's own entries are declared in storage/datadir.ts, a module's in its `dataPaths`
 * (modules/types.ts), each once; files at the root that no subsystem claims form
 * "other", so a store added later is still backed up. Never included: `node.lock` (the live lock), `snapshots/` (this module's temp
 * area) and `restore_history/` (the restore log of the data directory itself, kept across restores).
 * Paths moved outside the data directory with env variables (TB_ENERGY_MARKET_DIR, …) are not
 * covered: keep such stores inside the data directory to have them in snapshots.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Subsystem } from '../../shared/api/snapshots.js';
import { dataPathsOf, type AnyNodeModule } from '../modules/index.js';
import { dataLayout, type DataPaths } from '../storage/datadir.js';
import { NODE_MODULES } from '../node-modules.js';

export type SubsystemDef = DataPaths;

/** Subsystems of the operations guide that are not modules yet: each moves into its module's `dataPaths` when it lands. */
const PLANNED: readonly SubsystemDef[] = [
  { id: 'energy_market', label: 'Energy market', paths: ['energy_market'], note: 'energy_market/ (TB_ENERGY_MARKET_DIR)', default_included: true },
];

/** The subsystems of a node running `modules` (its data-dir layout, storage/datadir.ts, in display order). */
export function subsystemsOf(modules: readonly AnyNodeModule[]): SubsystemDef[] {
  return dataLayout(dataPathsOf(modules), PLANNED);
}

/** The subsystems of the node's module list (modules/index.ts). */
export const SUBSYSTEMS: readonly SubsystemDef[] = subsystemsOf(NODE_MODULES);

/** Root entries never copied into a snapshot nor replaced by a restore. */
export const NEVER_INCLUDED = new Set(['node.lock', 'snapshots', 'restore_history', 'finalized_mark.json']);
/** LevelDB files that are not data (the lock and the info logs). */
const LEVEL_SKIP = new Set(['LOCK', 'LOG', 'LOG.old']);

export const OTHER: SubsystemDef = { id: 'other', label: 'Other files', paths: [], note: 'anything else in the data directory', default_included: true };

/** One regular file to include. `rel` is `/`-separated, relative to the data root. */
export interface FileRef {
  rel: string;
  abs: string;
  size: number;
  mode: number;
}

/** A file tree walk result: regular files and the LevelDB directories among them. */
export interface Walk {
  files: FileRef[];
  /** `/`-separated relative paths of directories that hold a LevelDB (CURRENT + MANIFEST-*). */
  levelDirs: string[];
}

export function isLevelDir(names: string[]): boolean {
  return names.includes('CURRENT') && names.some((n) => n.startsWith('MANIFEST-'));
}

/** Walks `rel` under `root` (a file or a directory). Symlinks and special files are skipped; entries vanishing mid-walk are ignored. */
export async function walk(root: string, rel: string, out: Walk = { files: [], levelDirs: [] }): Promise<Walk> {
  const abs = path.join(root, ...rel.split('/'));
  let st;
  try {
    st = await fs.lstat(abs);
  } catch {
    return out;
  }
  if (st.isFile()) {
    out.files.push({ rel, abs, size: st.size, mode: st.mode & 0o7777 });
    return out;
  }
  if (!st.isDirectory()) return out;
  let names: string[];
  try {
    names = (await fs.readdir(abs)).sort();
  } catch {
    return out;
  }
  const level = isLevelDir(names);
  if (level) out.levelDirs.push(rel);
  for (const n of names) {
    if (level && LEVEL_SKIP.has(n)) continue;
    await walk(root, `${rel}/${n}`, out);
  }
  return out;
}

/** Root entries not claimed by any subsystem (the "other" subsystem). */
export async function otherEntries(root: string, catalog: readonly SubsystemDef[] = SUBSYSTEMS): Promise<string[]> {
  const claimed = new Set(catalog.flatMap((s) => s.paths));
  let names: string[] = [];
  try {
    names = await fs.readdir(root);
  } catch {
    return [];
  }
  return names.filter((n) => !claimed.has(n) && !NEVER_INCLUDED.has(n) && !n.startsWith('.')).sort();
}

/** Definitions with the "other" subsystem's paths filled in for `root`. */
export async function definitions(root: string, catalog: readonly SubsystemDef[] = SUBSYSTEMS): Promise<SubsystemDef[]> {
  return [...catalog, { ...OTHER, paths: await otherEntries(root, catalog) }];
}

/** Every subsystem with its size and file count in `root` (for the backup wizard and `snapshots.subsystems`). */
export async function measure(root: string, catalog: readonly SubsystemDef[] = SUBSYSTEMS): Promise<Subsystem[]> {
  const out: Subsystem[] = [];
  for (const d of await definitions(root, catalog)) {
    const w: Walk = { files: [], levelDirs: [] };
    for (const p of d.paths) await walk(root, p, w);
    out.push({
      id: d.id,
      label: d.label,
      paths: d.paths,
      note: d.note,
      present: w.files.length > 0,
      bytes: w.files.reduce((n, f) => n + f.size, 0),
      files: w.files.length,
      required: d.required ?? false,
      default_included: d.default_included,
    });
  }
  return out;
}

/**
 * Resolves the subsystems to include: `include` (ids) or the defaults, plus the required ones.
 * @throws Error naming unknown ids.
 */
export async function resolveIncluded(root: string, include?: string[], catalog: readonly SubsystemDef[] = SUBSYSTEMS): Promise<SubsystemDef[]> {
  const defs = await definitions(root, catalog);
  if (include) {
    const known = new Set(defs.map((d) => d.id));
    const bad = include.filter((i) => !known.has(i));
    if (bad.length > 0) throw new Error(`unknown subsystem ${bad.map((b) => `"${b}"`).join(', ')}; choose from ${[...known].join(', ')}`);
  }
  return defs.filter((d) => d.required || (include ? include.includes(d.id) : d.default_included));
}

/** Which subsystem a snapshot file path belongs to (by its first path segment). */
export function subsystemOf(rel: string): string {
  const top = rel.split('/')[0];
  return SUBSYSTEMS.find((s) => s.paths.includes(top))?.id ?? OTHER.id;
}
