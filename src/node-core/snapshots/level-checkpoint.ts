/**
 * Crash-consistent checkpoint of a LevelDB directory that a live process may be writing
 * (the chain DB, level-engine SimpleDbs), without pausing the writer.
 *
 * Why it is consistent: LevelDB table files (`*.ldb`, `*.sst`) are immutable once written and are
 * only deleted after a version edit has been appended to the MANIFEST; `CURRENT` names the
 * MANIFEST; writes go to the `*.log` write-ahead log. So:
 *   1. read CURRENT, note the MANIFEST's size, list the logs;
 *   2. read the MANIFEST up to that size and replay its edits (level-manifest.ts): the live tables;
 *   3. hard-link exactly those tables (a link freezes a file: later compactions only unlink names;
 *      tables not referenced — e.g. a compaction's output still being written — are never linked);
 *   4. copy the live logs (whatever has been appended so far), then the MANIFEST bytes and CURRENT;
 *   5. a table or log that vanished before it was linked or copied (ENOENT: a compaction or flush
 *      finished meanwhile), or a MANIFEST whose current log is not in the listing (a flush finished
 *      between the two reads), starts the attempt again (bounded), as does CURRENT naming another
 *      MANIFEST.
 * When step 5 passes, every table the copied MANIFEST references was linked in step 3, and the
 * copied logs hold every write batch the DB acknowledged before step 4 — a possibly torn last
 * record at the end of a log is exactly what LevelDB recovers from after a crash (it drops the
 * incomplete batch). Opening the copy therefore yields the DB as of a write-batch boundary; the
 * chain writes each block as one batch, so the copy is exactly the DB after some block.
 * Where hard links are not possible (EPERM, EXDEV), tables are copied instead (slower; same checks).
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { parseManifest, tableNames } from './level-manifest.js';

const LOG = /^[0-9]+\.log$/;

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

async function state(dir: string): Promise<{ current: string; manifest: string; manifestSize: number; logs: string }> {
  const current = await fs.readFile(path.join(dir, 'CURRENT'), 'utf8');
  const manifest = current.trim();
  if (!/^MANIFEST-[0-9]+$/.test(manifest)) throw new CheckpointError(`${dir}/CURRENT does not name a MANIFEST`);
  const manifestSize = (await fs.stat(path.join(dir, manifest))).size;
  const logs = (await fs.readdir(dir)).filter((n) => LOG.test(n)).sort().join(',');
  return { current, manifest, manifestSize, logs };
}

/** Copies the first `size` bytes of `src` into a new file `dst`. */
async function copyPrefix(src: string, dst: string, size?: number): Promise<void> {
  const inp = await fs.open(src, 'r');
  const out = await fs.open(dst, 'wx', 0o644);
  try {
    const len = size ?? (await inp.stat()).size;
    const buf = Buffer.allocUnsafe(Math.min(len, 4 * 1024 * 1024) || 1);
    let done = 0;
    while (done < len) {
      const { bytesRead } = await inp.read(buf, 0, Math.min(buf.length, len - done), done);
      if (bytesRead === 0) break;
      await out.write(buf, 0, bytesRead, done);
      done += bytesRead;
    }
  } finally {
    await inp.close();
    await out.close();
  }
}

/**
 * Checkpoints LevelDB `src` into the new directory `dst` (same filesystem for hard links).
 * @returns how many attempts it took and whether tables were linked or copied.
 * @throws CheckpointError when the DB kept changing for `attempts` tries or is not a LevelDB;
 *   ManifestParseError for a MANIFEST this code cannot read; fs errors (ENOSPC…).
 */
export async function checkpointLevelDb(src: string, dst: string, o: { attempts?: number } = {}): Promise<{ attempts: number; linked: boolean }> {
  const max = o.attempts ?? 8;
  let linked = true;
  for (let attempt = 1; attempt <= max; attempt++) {
    await fs.rm(dst, { recursive: true, force: true });
    await fs.mkdir(dst, { recursive: true });
    const before = await state(src);
    try {
      const whole = await fs.readFile(path.join(src, before.manifest));
      if (whole.length < before.manifestSize) continue; // replaced meanwhile
      const manifest = whole.subarray(0, before.manifestSize);
      const live = parseManifest(manifest);
      // Only the tables the manifest references: see level-manifest.ts for why never others.
      for (const n of live.tables.keys()) {
        const [ldb, sst] = tableNames(n);
        const name = existsSync(path.join(src, ldb)) ? ldb : sst;
        const from = path.join(src, name);
        const to = path.join(dst, name);
        try {
          if (linked) await fs.link(from, to);
          else await copyPrefix(from, to);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (linked && (code === 'EPERM' || code === 'EXDEV' || code === 'ENOTSUP' || code === 'EMLINK')) {
            linked = false;
            await copyPrefix(from, to);
          } else throw err;
        }
      }
      // The log the copied MANIFEST names as current holds writes not yet in any table. If the
      // listing (taken after the MANIFEST's size) lacks it, a flush finished in between and put
      // those writes into a table our MANIFEST prefix does not know: start again.
      const listed = before.logs ? before.logs.split(',') : [];
      if (live.logNumber > 0 && !listed.includes(`${String(live.logNumber).padStart(6, '0')}.log`)) continue;
      const minLog = live.prevLogNumber > 0 ? Math.min(live.prevLogNumber, live.logNumber) : live.logNumber;
      for (const n of listed) {
        if (Number(n.slice(0, -4)) < minLog) continue; // already flushed into tables
        await copyPrefix(path.join(src, n), path.join(dst, n));
      }
      await fs.writeFile(path.join(dst, before.manifest), manifest.subarray(0, live.validLength));
      await fs.writeFile(path.join(dst, 'CURRENT'), before.current);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // a file went away: something changed, start again
      throw err;
    }
    // Linked tables are ours whatever compactions do next, and MANIFEST growth after the read is
    // outside the copy. Logs are consistent as copied: a log in the listing that is not the newest
    // one was complete when it was listed (the switch to the next log came before the listing),
    // and logs created after the listing are not copied, so no later write is in the copy without
    // every earlier one. Only CURRENT moving to another MANIFEST (never while the DB stays open)
    // makes the attempt void.
    const after = await state(src);
    if (after.current === before.current) return { attempts: attempt, linked };
  }
  throw new CheckpointError(`${src} kept changing (flushes/compactions) during ${max} checkpoint attempts; try again`);
}
