/**
 * The three storage engines behind {@link SimpleDb} (spec/storage_snapshots.md §1, DESIGN.md
 * "storage/"). Each engine only stores: the facade in simpledb.ts orders writes, evaluates
 * conditions and enforces the byte quota, then hands one list of operations per commit round.
 *
 * - `file`: the whole store is one file `<dir>/simpledb.bin`, rewritten on every commit round with
 *   {@link writeFileAtomic} (temp file → fsync → rename → fsync dir), so after a crash at any
 *   instant the file holds the old or the new content, never a mix. Layout: 8-byte magic
 *   `TBSIMPDB`, u8 format version (1), 3 zero bytes, 32-byte SHA-256 of the payload, payload =
 *   CBOR `[name, [[key, value], …]]` with keys sorted. A failed check at open is reported, never
 *   repaired silently.
 * - `level`: classic-level (LevelDB) in `<dir>`; each commit round is one write batch (fsynced
 *   unless opened with `sync: false`).
 * - `memory`: a Map; nothing survives the process.
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { decode, encode } from 'cborg';
import { writeFileAtomic } from './atomic.js';

export type EngineKind = 'file' | 'level' | 'memory';
export const ENGINE_KINDS: readonly EngineKind[] = ['file', 'level', 'memory'];

export type Op = { type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string };

/** What the facade needs from an engine. Keys are non-empty strings, values bytes. */
export interface Engine {
  readonly kind: EngineKind;
  get(key: string): Promise<Uint8Array | undefined>;
  /** Entries whose key starts with `prefix`, sorted by key (UTF-16 code unit order, as JS sorts). */
  scan(prefix: string): Promise<[string, Uint8Array][]>;
  /** Logical bytes stored: Σ (UTF-8 key bytes + value bytes). */
  logicalSize(): Promise<number>;
  /** Applies `ops` atomically and durably (all or nothing). */
  commit(ops: Op[]): Promise<void>;
  /** Makes every committed write durable (engines that commit durably: no-op). */
  flushWal(): Promise<void>;
  close(): Promise<void>;
}

/** A store file that fails its checks at open. The message names the file and the ways out. */
export class SimpleDbCorruptError extends Error {
  constructor(
    readonly file: string,
    /** What is wrong, in a few words (e.g. "it is not a SimpleDb file (bad magic)"). */
    readonly detail: string,
  ) {
    super(
      `SimpleDb file ${file} cannot be used: ${detail}. Ways out: restore it from a snapshot ` +
        `(contract-cli snapshots restore), or move it aside to start this store empty. Nothing was changed.`,
    );
    this.name = 'SimpleDbCorruptError';
  }
}

export const FILE_NAME = 'simpledb.bin';
const MAGIC = Buffer.from('TBSIMPDB', 'ascii');
const VERSION = 1;
const HEADER = MAGIC.length + 4 + 32;

export const keyBytes = (k: string): number => Buffer.byteLength(k, 'utf8');
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Encodes a file-engine store (exported for tests and for the snapshot verifier). */
export function encodeStoreFile(name: string, entries: Map<string, Uint8Array>): Buffer {
  const sorted = [...entries.keys()].sort(cmp).map((k) => [k, entries.get(k)!]);
  const payload = encode([name, sorted]);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header[MAGIC.length] = VERSION;
  createHash('sha256').update(payload).digest().copy(header, MAGIC.length + 4);
  return Buffer.concat([header, payload]);
}

/** Decodes a file-engine store. @throws SimpleDbCorruptError on any mismatch. */
export function decodeStoreFile(file: string, buf: Uint8Array): { name: string; entries: Map<string, Uint8Array> } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER || !b.subarray(0, MAGIC.length).equals(MAGIC))
    throw new SimpleDbCorruptError(file, 'it is not a SimpleDb file (bad magic)');
  if (b[MAGIC.length] !== VERSION)
    throw new SimpleDbCorruptError(file, `format version ${b[MAGIC.length]} is not ${VERSION} (written by a newer node?)`);
  const payload = b.subarray(HEADER);
  const want = b.subarray(MAGIC.length + 4, HEADER);
  if (!createHash('sha256').update(payload).digest().equals(want))
    throw new SimpleDbCorruptError(file, 'its checksum does not match its content');
  let v: unknown;
  try {
    v = decode(payload);
  } catch (err) {
    throw new SimpleDbCorruptError(file, `its content does not decode (${(err as Error).message})`);
  }
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string' || !Array.isArray(v[1]))
    throw new SimpleDbCorruptError(file, 'its content has an unexpected shape');
  const entries = new Map<string, Uint8Array>();
  for (const e of v[1] as unknown[]) {
    if (!Array.isArray(e) || typeof e[0] !== 'string' || !(e[1] instanceof Uint8Array))
      throw new SimpleDbCorruptError(file, 'an entry has an unexpected shape');
    entries.set(e[0], e[1]);
  }
  return { name: v[0], entries };
}

function applyOps(map: Map<string, Uint8Array>, ops: Op[]): void {
  for (const op of ops) {
    if (op.type === 'put') map.set(op.key, op.value);
    else map.delete(op.key);
  }
}

function scanMap(map: Map<string, Uint8Array>, prefix: string): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const [k, v] of map) if (k.startsWith(prefix)) out.push([k, v]);
  return out.sort((a, b) => cmp(a[0], b[0]));
}

function sizeOfMap(map: Map<string, Uint8Array>): number {
  let n = 0;
  for (const [k, v] of map) n += keyBytes(k) + v.byteLength;
  return n;
}

export class MemoryEngine implements Engine {
  readonly kind: EngineKind = 'memory';
  protected map = new Map<string, Uint8Array>();
  async get(key: string) {
    return this.map.get(key);
  }
  async scan(prefix: string) {
    return scanMap(this.map, prefix);
  }
  async logicalSize() {
    return sizeOfMap(this.map);
  }
  async commit(ops: Op[]) {
    applyOps(this.map, ops);
  }
  async flushWal() {}
  async close() {}
}

export class FileEngine extends MemoryEngine {
  override readonly kind: EngineKind = 'file';
  private constructor(
    private readonly name: string,
    readonly file: string,
    private readonly mode: number,
  ) {
    super();
  }

  /**
   * Opens `<dir>/simpledb.bin` (absent = empty store) and removes temp files left by a crash.
   * @throws SimpleDbCorruptError when the file fails its checks.
   */
  static async open(name: string, dir: string, o: { mode?: number } = {}): Promise<FileEngine> {
    await fs.mkdir(dir, { recursive: true });
    const e = new FileEngine(name, path.join(dir, FILE_NAME), o.mode ?? 0o644);
    for (const f of await fs.readdir(dir)) {
      // writeFileAtomic's temp names: `.<base>.<12 hex>.tmp`; a crash mid-write leaves one behind.
      if (f.startsWith(`.${FILE_NAME}.`) && f.endsWith('.tmp')) await fs.rm(path.join(dir, f), { force: true });
    }
    let buf: Buffer | undefined;
    try {
      buf = await fs.readFile(e.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (buf) e.map = decodeStoreFile(e.file, buf).entries;
    return e;
  }

  override async commit(ops: Op[]) {
    const next = new Map(this.map);
    applyOps(next, ops);
    await writeFileAtomic(this.file, encodeStoreFile(this.name, next), { mode: this.mode });
    this.map = next; // only once the new file is durable: memory never runs ahead of disk
  }
}

/** classic-level's 'view' encoding hands out Buffers; every engine returns plain Uint8Arrays. */
const plain = (v: Uint8Array): Uint8Array => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** Reserved key written by `flushWal` on the level engine (never visible: user keys cannot start with NUL). */
const WAL_KEY = '\u0000wal';

export class LevelEngine implements Engine {
  readonly kind: EngineKind = 'level';
  private constructor(
    readonly dir: string,
    private readonly db: ClassicLevel<string, Uint8Array>,
    private readonly sync: boolean,
  ) {}

  /** @throws Error with code LEVEL_LOCKED (another process holds it) or LEVEL_CORRUPTION, as classic-level reports. */
  static async open(dir: string, o: { sync?: boolean } = {}): Promise<LevelEngine> {
    await fs.mkdir(dir, { recursive: true });
    const db = new ClassicLevel<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.open();
    return new LevelEngine(dir, db, o.sync ?? true);
  }

  async get(key: string) {
    const v = await this.db.get(key);
    return v === undefined ? undefined : plain(v);
  }
  async scan(prefix: string) {
    const out: [string, Uint8Array][] = [];
    // Keys are UTF-8 in LevelDB (byte order); sort again to give the same order as the other engines.
    // Keys with a common prefix are contiguous in LevelDB's byte order: stop at the first that lacks it.
    for await (const [k, v] of this.db.iterator({ gte: prefix })) {
      if (!k.startsWith(prefix)) break;
      if (k !== WAL_KEY) out.push([k, plain(v)]);
    }
    return out.sort((a, b) => cmp(a[0], b[0]));
  }
  async logicalSize() {
    let n = 0;
    for await (const [k, v] of this.db.iterator()) if (k !== WAL_KEY) n += keyBytes(k) + v.byteLength;
    return n;
  }
  async commit(ops: Op[]) {
    await this.db.batch(
      ops.map((o) => (o.type === 'put' ? { type: 'put' as const, key: o.key, value: o.value } : { type: 'del' as const, key: o.key })),
      { sync: this.sync },
    );
  }
  async flushWal() {
    // A synced write makes LevelDB fsync its log, which holds every earlier unsynced write too.
    await this.db.batch([{ type: 'del', key: WAL_KEY }], { sync: true });
  }
  async close() {
    await this.db.close();
  }
}

/** Which engine already holds data in `dir` (a LevelDB has `CURRENT`), if any. */
export function engineOnDisk(dir: string): EngineKind | undefined {
  if (existsSync(path.join(dir, 'CURRENT'))) return 'level';
  if (existsSync(path.join(dir, FILE_NAME))) return 'file';
  return undefined;
}
