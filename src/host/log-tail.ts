/** Reads the last lines of a log file without loading the whole file (logs rotate at tens of MB). */
import { open } from 'node:fs/promises';

/**
 * Last `lines` lines of `file` (UTF-8), reading at most `maxBytes` from its end.
 * A missing file gives `[]`; other fs errors are thrown.
 */
export async function readTail(file: string, lines: number, maxBytes = 256 * 1024): Promise<string[]> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    const all = buf.toString('utf8').split('\n');
    if (len < size) all.shift(); // first line is cut
    if (all.length && all[all.length - 1] === '') all.pop();
    return all.slice(-lines);
  } finally {
    await fh.close();
  }
}
