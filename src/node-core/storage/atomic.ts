/**
 * Atomic file replacement: write a temp file in the same directory, fsync it, rename over the
 * target, fsync the directory. A crash at any instant leaves either the old or the new content.
 * @throws the underlying fs error (ENOSPC, EACCES…) after removing the temp file; the target is untouched.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  opts: { mode?: number } = {},
): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(tmp, 'wx', opts.mode ?? 0o644);
    await fh.writeFile(data);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fs.rename(tmp, file);
  } catch (err) {
    await fh?.close().catch(() => {});
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
  await fsyncDir(dir);
}

/** fsync a directory so a rename inside it is durable (no-op where directories cannot be opened, e.g. Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  let dh: fs.FileHandle | undefined;
  try {
    dh = await fs.open(dir, 'r');
    await dh.sync();
  } catch {
    /* platform without directory fsync */
  } finally {
    await dh?.close().catch(() => {});
  }
}
