// Snapshot I/O worker (plain ESM so it runs under plain Node, without tsx): copies, hashes and
// packs/unpacks files off the node's main thread, streaming through fixed buffers so memory stays
// flat whatever the store sizes. Protocol (worker_threads messages):
//   in : { id, task: 'copy' | 'hash' | 'each' | 'tar-pack' | 'tar-scan' | 'fsync', ...args }
//   out: { id, type: 'progress', bytes } (bytes processed since the last report)
//        { id, type: 'file', name } (tar-scan with sync: false: an extracted file is complete)
//        { id, type: 'item', index, result } (each: one item of the shared list is done)
//        { id, type: 'done', result } | { id, type: 'error', error: { message, code } }
// Tar reading and writing use tar-stream (never a hand-rolled tar parser).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

/** tar-stream, loaded by the first tar task only: copy/hash workers start without it (issue 17). */
let tarStream;
const tar = async () => (tarStream ??= (await import('tar-stream')).default);

// 256 KiB: measured fastest for read + SHA-256 + write (buffers that stay in the CPU cache; 2 MiB was 35 % slower).
const CHUNK = 256 * 1024;
/** Report progress at most every this many bytes (keeps the message rate low). */
const REPORT = 1024 * 1024;
/** …and at most every this many milliseconds. */
const REPORT_MS = 50;
const buf = Buffer.allocUnsafe(CHUNK);

class TaskError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function reporter(id) {
  let pending = 0;
  let last = performance.now();
  return {
    add(n) {
      pending += n;
      // Every message wakes the main thread, which shares the cores with the workers: at
      // 1 GB/s a report per MiB was ~2,000 wake-ups a second (issue 17); the console shows
      // progress every 250 ms anyway.
      if (pending >= REPORT && performance.now() - last >= REPORT_MS) this.flush();
    },
    flush() {
      if (pending > 0) parentPort.postMessage({ id, type: 'progress', bytes: pending });
      pending = 0;
      last = performance.now();
    },
  };
}

/**
 * Copies `src` to a new file `dst` (exclusive create), hashing what is written; reads exactly the
 * size `src` had at open (a growing log is copied as a prefix). With `expect` (bytes), a source of
 * another size is neither read nor copied: the result is `{ size, sha256: '' }` (the caller reports it).
 */
function copy(t, rep) {
  const inFd = fs.openSync(t.src, 'r');
  let outFd;
  try {
    const size = t.size ?? fs.fstatSync(inFd).size;
    if (t.expect !== undefined && size !== t.expect) return { size, sha256: '' };
    fs.mkdirSync(path.dirname(t.dst), { recursive: true });
    if (t.kernel) return copyInKernel(t, size, rep);
    outFd = fs.openSync(t.dst, 'wx', t.mode ?? 0o644);
    const h = createHash('sha256');
    let done = 0;
    while (done < size) {
      const n = fs.readSync(inFd, buf, 0, Math.min(CHUNK, size - done), done);
      if (n === 0) throw new TaskError('CHANGED', `${t.src} became shorter while it was copied (${done} of ${size} bytes)`);
      const chunk = buf.subarray(0, n);
      h.update(chunk);
      let w = 0;
      while (w < n) w += fs.writeSync(outFd, chunk, w, n - w);
      done += n;
      rep.add(n);
    }
    if (t.mode !== undefined) fs.fchmodSync(outFd, t.mode); // the umask may have narrowed the create mode
    if (t.sync !== false) fs.fdatasyncSync(outFd);
    return { size, sha256: h.digest('hex') };
  } finally {
    fs.closeSync(inFd);
    if (outFd !== undefined) fs.closeSync(outFd);
  }
}

/**
 * `copy` with `kernel: true` (a restore's staging copy of files that do not change): the kernel
 * copies (fs.copyFileSync: copy_file_range on Linux, a clone where the file system can), then the
 * staged copy itself is hashed from the page cache — the SHA-256 is of exactly the bytes that will
 * be swapped in. A copy of another size than `size` is reported as such (`{ size, sha256: '' }`).
 */
function copyInKernel(t, size, rep) {
  fs.copyFileSync(t.src, t.dst, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE);
  const fd = fs.openSync(t.dst, 'r');
  try {
    if (t.mode !== undefined) fs.fchmodSync(fd, t.mode);
    const h = createHash('sha256');
    let done = 0;
    for (let n; (n = fs.readSync(fd, buf, 0, CHUNK, done)) > 0; done += n) {
      h.update(buf.subarray(0, n));
      rep.add(n);
    }
    if (done !== size) return { size: done, sha256: '' };
    if (t.sync !== false) fs.fdatasyncSync(fd);
    return { size, sha256: h.digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
}

/** SHA-256 of `src` (its first `size` bytes when given). With `expect` (bytes), a file of another size is not read: `{ size, sha256: '' }`. */
function hash(t, rep) {
  const fd = fs.openSync(t.src, 'r');
  try {
    if (t.expect !== undefined) {
      const size = fs.fstatSync(fd).size;
      if (size !== t.expect) return { size, sha256: '' };
    }
    const h = createHash('sha256');
    let size = 0;
    const limit = t.size ?? Infinity;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, Math.min(CHUNK, limit - size), size);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      size += n;
      rep.add(n);
      if (size >= limit) break;
    }
    return { size, sha256: h.digest('hex') };
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a tar: `entries` in order, each `{name, mode, content}` (a string) or `{name, mode, src, size, sha256}` (checked while packing). */
async function tarPack(t, rep) {
  const fd = fs.openSync(t.out, 'wx', t.mode ?? 0o644);
  const out = fs.createWriteStream('', { fd, autoClose: false, highWaterMark: CHUNK });
  const pack = (await tar()).pack();
  const piped = new Promise((resolve, reject) => {
    out.on('error', reject);
    pack.on('error', reject);
    out.on('finish', resolve);
  });
  pack.pipe(out);
  try {
    for (const e of t.entries) {
      if (e.content !== undefined) {
        await new Promise((res, rej) => pack.entry({ name: e.name, mode: e.mode, mtime: new Date(t.mtime) }, e.content, (err) => (err ? rej(err) : res())));
        continue;
      }
      const inFd = fs.openSync(e.src, 'r');
      try {
        const h = createHash('sha256');
        let done = 0;
        let finished;
        const entry = pack.entry({ name: e.name, size: e.size, mode: e.mode, mtime: new Date(t.mtime) }, (err) => finished?.(err));
        const ended = new Promise((res, rej) => (finished = (err) => (err ? rej(err) : res())));
        while (done < e.size) {
          // A fresh buffer per chunk: the pack stream keeps references until it has written them.
          const chunk = Buffer.allocUnsafe(Math.min(CHUNK, e.size - done));
          const n = fs.readSync(inFd, chunk, 0, chunk.length, done);
          if (n === 0) throw new TaskError('CHANGED', `${e.src} became shorter while it was packed`);
          const part = n === chunk.length ? chunk : chunk.subarray(0, n);
          h.update(part);
          done += n;
          rep.add(n);
          if (!entry.write(part)) await once(entry, 'drain');
        }
        entry.end();
        await ended;
        if (h.digest('hex') !== e.sha256)
          throw new TaskError('CHANGED', `${e.src} changed while the snapshot was taken; run it again`);
      } finally {
        fs.closeSync(inFd);
      }
    }
    pack.finalize();
    await piped;
    fs.fdatasyncSync(fd);
    return { size: fs.fstatSync(fd).size };
  } finally {
    pack.destroy();
    fs.closeSync(fd);
  }
}

function safeName(name) {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    !name.startsWith('/') &&
    !name.includes('\\') &&
    !name.includes('\0') &&
    name.split('/').every((p) => p !== '' && p !== '.' && p !== '..')
  );
}

/**
 * Reads a tar from start to end with tar-stream: hashes every file entry and, with `extractTo`,
 * writes it there (exclusive create; fdatasynced, or with `sync: false` announced by a `{ type: 'file', name }`
 * message once complete so that the caller syncs it). Entry names are checked before anything is written.
 * Result: `{ manifest: string|null (content of the first entry when named manifest.json), entries: [{name, size, sha256, mode, type}] }`.
 * Errors: TRUNCATED when the archive ends early, BAD_ENTRY for unsafe names or non-file entries.
 */
async function tarScan(t, rep) {
  const extract = (await tar()).extract();
  const input = fs.createReadStream(t.src, { highWaterMark: CHUNK });
  input.on('data', (d) => rep.add(d.length));
  const entries = [];
  let manifest = null;
  let first = true;
  const done = (async () => {
    for await (const entry of extract) {
      const hd = entry.header;
      if (hd.type !== 'file' || !safeName(hd.name)) {
        entry.resume();
        throw new TaskError('BAD_ENTRY', `the archive holds an entry that is not a plain file with a safe relative name: ${JSON.stringify(String(hd.name).slice(0, 200))} (${hd.type})`);
      }
      const h = createHash('sha256');
      let size = 0;
      if (first && hd.name === 'manifest.json') {
        const parts = [];
        for await (const c of entry) {
          parts.push(c);
          h.update(c);
          size += c.length;
          if (size > 64 * 1024 * 1024) throw new TaskError('BAD_ENTRY', 'manifest.json is larger than 64 MiB');
        }
        manifest = Buffer.concat(parts).toString('utf8');
        first = false;
        continue;
      }
      first = false;
      let fd;
      try {
        if (t.extractTo) {
          const dst = path.join(t.extractTo, ...hd.name.split('/'));
          fs.mkdirSync(path.dirname(dst), { recursive: true });
          fd = fs.openSync(dst, 'wx', (hd.mode ?? 0o644) & 0o777);
        }
        for await (const c of entry) {
          h.update(c);
          size += c.length;
          if (fd !== undefined) {
            let w = 0;
            while (w < c.length) w += fs.writeSync(fd, c, w, c.length - w);
          }
        }
        if (fd !== undefined) {
          fs.fchmodSync(fd, (hd.mode ?? 0o644) & 0o777);
          if (t.sync !== false) fs.fdatasyncSync(fd);
        }
      } finally {
        if (fd !== undefined) fs.closeSync(fd);
      }
      if (size !== hd.size) throw new TaskError('TRUNCATED', `the archive ends inside ${hd.name}`);
      // Extracted without fsync: the caller syncs it while the next entries are extracted.
      if (fd !== undefined && t.sync === false) parentPort.postMessage({ id: t.id, type: 'file', name: hd.name });
      entries.push({ name: hd.name, size, sha256: h.digest('hex'), mode: (hd.mode ?? 0o644) & 0o7777 });
    }
  })();
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  try {
    await done;
  } catch (err) {
    input.destroy();
    if (err instanceof TaskError) throw err;
    if (/unexpected end of data/i.test(String(err?.message))) throw new TaskError('TRUNCATED', 'the archive ends early (truncated)');
    if (/invalid tar header|checksum/i.test(String(err?.message))) throw new TaskError('BAD_TAR', `the archive is damaged: ${err.message}`);
    throw err;
  }
  return { manifest, entries };
}

/** fdatasync of files written earlier without it (lets the kernel write back while later files are copied). */
function fsyncFiles(t) {
  for (const f of t.files) {
    const fd = fs.openSync(f, 'r');
    try {
      fs.fdatasyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  return { files: t.files.length };
}

/**
 * Copies or hashes the items of one list shared by every worker of the pool: each worker claims
 * the next item through a shared counter (`counter`, a SharedArrayBuffer of one Int32), so the
 * first to finish takes the next file and no worker waits for the main thread between files
 * (issue 17). Each result is posted as `{ type: 'item', index, result }`. A failing item stops
 * every worker's claiming (the counter jumps to the end) and fails this task.
 */
function each(t, rep) {
  const next = new Int32Array(t.counter);
  let done = 0;
  try {
    for (let i = Atomics.add(next, 0, 1); i < t.items.length; i = Atomics.add(next, 0, 1)) {
      const item = t.items[i];
      const result = item.task === 'copy' ? copy(item, rep) : hash(item, rep);
      parentPort.postMessage({ id: t.id, type: 'item', index: i, result });
      done++;
    }
  } catch (err) {
    Atomics.store(next, 0, t.items.length);
    throw err;
  }
  return { items: done };
}

const TASKS = { copy, hash, each, 'tar-pack': tarPack, 'tar-scan': tarScan, fsync: fsyncFiles };

parentPort.on('message', async (m) => {
  const rep = reporter(m.id);
  try {
    const fn = TASKS[m.task];
    if (!fn) throw new TaskError('BAD_TASK', `unknown task ${m.task}`);
    const result = await fn(m, rep);
    rep.flush();
    parentPort.postMessage({ id: m.id, type: 'done', result });
  } catch (err) {
    rep.flush();
    parentPort.postMessage({ id: m.id, type: 'error', error: { message: String(err?.message ?? err), code: err?.code ?? 'ERROR' } });
  }
});
