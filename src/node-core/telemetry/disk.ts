/**
 * Free and total space of the filesystem holding a path (for the `data_dir_filesystem_*` gauges
 * and the "disk low" alert). Uses statfs(2) through node:fs; `avail` counts the blocks an
 * unprivileged process may still use (bavail), like `df`'s "Avail".
 */
import { promises as fs } from 'node:fs';

/** `{avail, size}` in bytes, or undefined when the path cannot be measured (removed, no permission). */
export async function statfsBytes(p: string): Promise<{ avail: number; size: number } | undefined> {
  try {
    const s = await fs.statfs(p);
    return { avail: s.bavail * s.bsize, size: s.blocks * s.bsize };
  } catch {
    return undefined;
  }
}
