/**
 * The snapshot manifest and how snapshots sit on disk.
 *
 * Layout: a directory `<dest>/<id>/` holding `manifest.json` and the files under their data-dir
 * relative paths (`chain/…`, `keys/…`), or one tar file `<dest>/<id>.tar` whose FIRST entry is
 * `manifest.json` followed by the files. Both are built under a temp name (`.<id>.partial`,
 * `.<id>.tar.partial`) and renamed when complete, so a partial snapshot never looks complete.
 * The snapshot's checksum is the SHA-256 of the manifest bytes (the manifest holds every file's
 * size and SHA-256, so the checksum covers the whole snapshot).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import tar from 'tar-stream';
import { Manifest, SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, SnapshotReason, type SnapshotFormat, type SnapshotSummary } from '../../shared/api/snapshots.js';

export const MANIFEST_NAME = 'manifest.json';
export const PARTIAL_SUFFIX = '.partial';

/** An operator-facing snapshot/restore error with a stable reason (maps to RpcError `data.reason`). */
export class SnapshotError extends Error {
  constructor(
    readonly reason: SnapshotReason,
    message: string,
  ) {
    super(message);
    this.name = 'SnapshotError';
  }
}

/** A relative manifest path that cannot escape the root: `/`-separated, no empty, `.` or `..` parts, no backslash or NUL. */
export function safeRelPath(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.includes('\\') && !p.includes('\0') && p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** `tb-<network>-<height>-<YYYYMMDDTHHMMSSZ>`, e.g. `tb-dev-1234-20260101T120000Z`. */
export function snapshotId(network: string, height: number, at: Date): string {
  return `tb-${network}-${height}-${compactTime(at)}`;
}

/** `YYYYMMDDTHHMMSSZ` (no colons: valid in file names everywhere). */
export function compactTime(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export function sha256Hex(b: Uint8Array | string): string {
  return createHash('sha256').update(b).digest('hex');
}

/**
 * Parses manifest bytes: the format and its version first (so a newer format is reported as
 * such, not as "invalid"), then the full schema and every path.
 * @throws SnapshotError invalid_manifest | newer_format.
 */
export function parseManifest(text: string, where: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new SnapshotError(SnapshotReason.invalid_manifest, `${where}: manifest.json is not JSON (${(err as Error).message})`);
  }
  const head = raw as { format?: unknown; format_version?: unknown };
  if (!raw || typeof raw !== 'object' || head.format !== SNAPSHOT_FORMAT)
    throw new SnapshotError(SnapshotReason.invalid_manifest, `${where}: manifest.json is not a manifest of a The Block snapshot`);
  if (typeof head.format_version === 'number' && head.format_version > SNAPSHOT_FORMAT_VERSION)
    throw new SnapshotError(
      SnapshotReason.newer_format,
      `${where}: snapshot format version ${head.format_version} is newer than this node understands (${SNAPSHOT_FORMAT_VERSION}); upgrade the node to use it`,
    );
  const r = Manifest.safeParse(raw);
  if (!r.success)
    throw new SnapshotError(
      SnapshotReason.invalid_manifest,
      `${where}: manifest.json is invalid (${r.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`)
        .join('; ')})`,
    );
  const seen = new Set<string>();
  for (const f of r.data.files) {
    if (!safeRelPath(f.path) || f.path === MANIFEST_NAME)
      throw new SnapshotError(SnapshotReason.invalid_manifest, `${where}: manifest.json lists an unsafe path ${JSON.stringify(f.path)}`);
    if (seen.has(f.path)) throw new SnapshotError(SnapshotReason.invalid_manifest, `${where}: manifest.json lists ${f.path} twice`);
    seen.add(f.path);
  }
  return r.data;
}

export interface LocatedSnapshot {
  /** Absolute path of the snapshot directory or tar file. */
  path: string;
  format: SnapshotFormat;
  manifest: Manifest;
  manifestText: string;
  checksum: string;
}

/**
 * Whether a file starts like one of our tar archives: a POSIX/ustar header (magic "ustar" at byte
 * 257) or, cut shorter than that, the name of its first entry. Anything else (a text file, a gzip,
 * a random file) is not a snapshot at all — tar-stream reports a short one as "unexpected end of
 * data", which read as a truncated archive.
 * @returns null when it looks like a tar, else what it looks like instead.
 */
async function notTar(file: string): Promise<string | null> {
  const fh = await fs.open(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    head = buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (head.length === 0) return 'the file is empty';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return null;
  if (head.length < 262 && head.subarray(0, MANIFEST_NAME.length + 1).equals(Buffer.from(`${MANIFEST_NAME}\0`))) return null;
  if (head[0] === 0x1f && head[1] === 0x8b) return 'it is gzip-compressed: gunzip it first';
  const text = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b !== 0x7f));
  return text ? 'it is a text file, with no tar header' : 'it has no tar header';
}

/** Reads the first entry of a tar (must be manifest.json) without reading the rest. */
async function tarManifest(file: string): Promise<string> {
  const not = await notTar(file);
  if (not) throw new SnapshotError(SnapshotReason.bad_path, `${file}: not a snapshot archive (${not})`);
  const extract = tar.extract();
  const input = (await fs.open(file, 'r')).createReadStream();
  input.pipe(extract);
  try {
    for await (const entry of extract) {
      if (entry.header.name !== MANIFEST_NAME || entry.header.type !== 'file') {
        entry.resume();
        throw new SnapshotError(SnapshotReason.invalid_manifest, `${file}: the first entry of the archive is not manifest.json`);
      }
      const parts: Buffer[] = [];
      let n = 0;
      for await (const c of entry as AsyncIterable<Buffer>) {
        n += c.length;
        if (n > 64 * 1024 * 1024) throw new SnapshotError(SnapshotReason.invalid_manifest, `${file}: manifest.json is larger than 64 MiB`);
        parts.push(c);
      }
      return Buffer.concat(parts).toString('utf8');
    }
    throw new SnapshotError(SnapshotReason.truncated, `${file}: the archive is empty`);
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    if (/unexpected end of data/i.test((err as Error).message))
      throw new SnapshotError(SnapshotReason.truncated, `${file}: the archive ends early (truncated)`);
    throw new SnapshotError(SnapshotReason.invalid_manifest, `${file}: not a readable tar archive (${(err as Error).message})`);
  } finally {
    input.destroy();
  }
}

/**
 * Opens a snapshot (a directory with manifest.json, or a .tar) and parses its manifest.
 * @throws SnapshotError bad_path (missing / partial / not a snapshot) | invalid_manifest | newer_format | truncated.
 */
export async function locate(p: string): Promise<LocatedSnapshot> {
  const abs = path.resolve(p);
  if (path.basename(abs).endsWith(PARTIAL_SUFFIX))
    throw new SnapshotError(SnapshotReason.bad_path, `${abs} is an incomplete snapshot (still being written, or left by a failed run)`);
  let st;
  try {
    st = await fs.stat(abs);
  } catch {
    throw new SnapshotError(SnapshotReason.bad_path, `${abs} does not exist`);
  }
  let text: string;
  let format: SnapshotFormat;
  if (st.isDirectory()) {
    format = 'dir';
    try {
      text = await fs.readFile(path.join(abs, MANIFEST_NAME), 'utf8');
    } catch {
      throw new SnapshotError(SnapshotReason.invalid_manifest, `${abs} is not a snapshot: it has no ${MANIFEST_NAME}`);
    }
  } else if (st.isFile()) {
    format = 'tar';
    text = await tarManifest(abs);
  } else throw new SnapshotError(SnapshotReason.bad_path, `${abs} is neither a snapshot directory nor a .tar file`);
  const manifest = parseManifest(text, abs);
  return { path: abs, format, manifest, manifestText: text, checksum: sha256Hex(text) };
}

export function summary(s: LocatedSnapshot): SnapshotSummary {
  const m = s.manifest;
  return {
    id: m.id,
    path: s.path,
    format: s.format,
    network: m.network,
    chain_id: m.chain_id,
    height: m.height,
    state_root: m.state_root,
    node_version: m.node_version,
    format_version: m.format_version,
    created_at: m.created_at,
    created_at_ms: m.created_at_ms,
    origin: m.origin,
    subsystems: m.subsystems,
    total_bytes: m.total_bytes,
    files: m.files.length,
    checksum: s.checksum,
  };
}

/**
 * Complete snapshots directly inside `dir`, newest first; entries that look like snapshots but
 * cannot be read are returned in `invalid`; partial ones (`*.partial`) and other files are skipped.
 * @throws SnapshotError bad_path when `dir` is not a readable directory.
 */
export async function listSnapshots(dir: string): Promise<{ path: string; snapshots: SnapshotSummary[]; invalid: { path: string; problem: string }[] }> {
  const abs = path.resolve(dir);
  let names: string[];
  try {
    names = await fs.readdir(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SnapshotError(SnapshotReason.bad_path, code === 'ENOTDIR' ? `${abs} is not a directory` : `${abs} cannot be read (${code ?? (err as Error).message})`);
  }
  const snapshots: SnapshotSummary[] = [];
  const invalid: { path: string; problem: string }[] = [];
  for (const n of names.sort()) {
    if (n.startsWith('.') || n.endsWith(PARTIAL_SUFFIX)) continue;
    const p = path.join(abs, n);
    let st;
    try {
      st = await fs.stat(p);
    } catch {
      continue;
    }
    const candidate = st.isDirectory() ? await fs.stat(path.join(p, MANIFEST_NAME)).then(() => true, () => false) : st.isFile() && n.endsWith('.tar');
    if (!candidate) continue;
    try {
      snapshots.push(summary(await locate(p)));
    } catch (err) {
      invalid.push({ path: p, problem: (err as Error).message });
    }
  }
  snapshots.sort((a, b) => b.created_at_ms - a.created_at_ms || b.height - a.height);
  return { path: abs, snapshots, invalid };
}
