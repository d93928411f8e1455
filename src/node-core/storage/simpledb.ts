/**
 * SimpleDb: the node's small named key-value stores (spec/storage_snapshots.md §1; the reference's
 * `SimpleDb::open_named(name, path)` is `SimpleDb.openNamed(name, path)` here, `flush_wal` is
 * `flushWal`, `try_insert` is `tryInsert`, `scan_prefix` / `keys_with_prefix` are `scanPrefix` /
 * `keysWithPrefix`). Engines (`simpledb-engines.ts`): `file` (default; one file rewritten by
 * temp file → fsync → rename → fsync dir), `level` (classic-level), `memory`.
 *
 * Semantics, the same on every engine:
 * - keys are non-empty strings (≤ 1024 UTF-8 bytes, not starting with NUL); values are bytes
 *   (strings are stored as UTF-8; `*Json` helpers store JSON text);
 * - a write resolves once it is durable (file: renamed + dir fsynced; level: synced batch);
 *   concurrent writes are grouped into one commit round (group commit), in call order;
 * - a batch is all-or-nothing; a failed commit (ENOSPC…) leaves the store as it was;
 * - quota: `TB_SIMPLE_DB_LIMIT_BYTES` (or `limitBytes`) caps the logical size of ONE store
 *   (Σ UTF-8 key bytes + value bytes). A write that would exceed it is refused with
 *   {@link SimpleDbQuotaError} and nothing of it is written; deletes are always allowed.
 *   Unlike the reference's `set_byte_limit` (a memtable threshold), this is a real cap.
 */
import path from 'node:path';
import { SimpleDbCorruptError, engineOnDisk, ENGINE_KINDS, FileEngine, keyBytes, LevelEngine, MemoryEngine, type Engine, type EngineKind, type Op } from './simpledb-engines.js';

export { SimpleDbCorruptError, ENGINE_KINDS, type EngineKind };

/** Store names (the reference's `simple_db::names`, plus this console's own stores). */
export const names = {
  DEFAULT: 'default',
  LAUNCH_GOVERNOR: 'launch_governor',
  ENERGY_MARKET: 'energy_market',
  GATEWAY_DNS: 'gateway_dns',
  BRIDGE: 'bridge',
  NET_PEER_CHUNKS: 'net_peer_chunks',
  NET_BANS: 'net_bans',
  STORAGE_REPAIR: 'storage_repair',
  /** Scheduled-backup settings and last results (snapshots/scheduler.ts). */
  SNAPSHOT_SCHEDULE: 'snapshot_schedule',
  /** Outcome of every restore into this data directory (snapshots/restore.ts). */
  RESTORE_HISTORY: 'restore_history',
} as const;

export const MAX_KEY_BYTES = 1024;

/** A write refused because the store would exceed its byte quota. Nothing of the write was applied. */
export class SimpleDbQuotaError extends Error {
  /** Stable reason for RPC errors. */
  readonly reason = 'storage_quota_exceeded';
  constructor(
    readonly store: string,
    readonly dir: string,
    readonly limitBytes: number,
    readonly usedBytes: number,
    readonly wouldBeBytes: number,
  ) {
    super(
      `SimpleDb store "${store}" (${dir}) is limited to ${limitBytes} bytes by TB_SIMPLE_DB_LIMIT_BYTES; ` +
        `this write would bring it from ${usedBytes} to ${wouldBeBytes} bytes, so nothing was written. ` +
        `Raise TB_SIMPLE_DB_LIMIT_BYTES or remove entries from the store.`,
    );
    this.name = 'SimpleDbQuotaError';
  }
}

/** Process-wide engine choice (the reference's `EngineConfig`): a default engine, per-name overrides, a quota. */
export interface EngineConfig {
  default_engine: EngineKind;
  overrides: Record<string, EngineKind>;
  /** Per-store cap in bytes; null = unlimited. */
  limit_bytes: number | null;
}

let configured: Partial<EngineConfig> = {};

/**
 * Sets the engine choice for `openNamed` (the node calls this from its config). Unset fields fall
 * back to `TB_SIMPLE_DB_ENGINE` / `TB_SIMPLE_DB_LIMIT_BYTES` in the environment, then to
 * `file` / unlimited.
 */
export function configureSimpleDb(c: Partial<EngineConfig>): void {
  configured = { ...configured, ...c };
}

/** The effective engine config. @throws Error for a bad `TB_SIMPLE_DB_ENGINE` / `TB_SIMPLE_DB_LIMIT_BYTES` value. */
export function engineConfig(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  let def = configured.default_engine;
  if (!def && env.TB_SIMPLE_DB_ENGINE) {
    if (!ENGINE_KINDS.includes(env.TB_SIMPLE_DB_ENGINE as EngineKind))
      throw new Error(`TB_SIMPLE_DB_ENGINE: "${env.TB_SIMPLE_DB_ENGINE}" is not one of ${ENGINE_KINDS.join(', ')}`);
    def = env.TB_SIMPLE_DB_ENGINE as EngineKind;
  }
  let limit = configured.limit_bytes;
  if (limit === undefined) limit = parseLimit(env.TB_SIMPLE_DB_LIMIT_BYTES);
  return { default_engine: def ?? 'file', overrides: configured.overrides ?? {}, limit_bytes: limit };
}

/** Parses a byte limit (a positive decimal integer); empty/undefined = unlimited. */
export function parseLimit(v: string | undefined): number | null {
  if (v === undefined || v.trim() === '') return null;
  if (!/^[0-9]+$/.test(v.trim()) || Number(v) <= 0 || !Number.isSafeInteger(Number(v)))
    throw new Error(`TB_SIMPLE_DB_LIMIT_BYTES: "${v}" must be a positive whole number of bytes`);
  return Number(v);
}

export interface OpenOptions {
  engine?: EngineKind;
  /** Per-store byte cap (default: the engine config's `limit_bytes`); null = unlimited. */
  limitBytes?: number | null;
  /** File engine: mode of the store file (0600 for secrets). */
  fileMode?: number;
  /** Level engine: fsync every commit (default true). */
  sync?: boolean;
}

type Group = { ops: Op[]; ifAbsent: boolean; resolve: (r: (Uint8Array | undefined)[] | false) => void; reject: (e: unknown) => void };

/** Open stores of this process, by absolute directory (the snapshot cut freezes them). */
const open = new Map<string, SimpleDb>();

export class SimpleDb {
  private queue: Group[] = [];
  private running: Promise<void> | undefined;
  private gate: Promise<void> | undefined;
  private closed = false;

  private constructor(
    readonly name: string,
    /** Absolute directory of the store. */
    readonly dir: string,
    private readonly engine: Engine,
    readonly limitBytes: number | null,
    private size: number,
  ) {}

  /**
   * Opens the store `name` in directory `dir` with the engine the process config chooses for
   * `name` (overrides > default). Data already on disk in another engine's layout is opened with
   * that engine, so switching the default never hides existing data.
   * @throws SimpleDbCorruptError (file), classic-level open errors (level: locked, corrupt), fs errors.
   */
  static openNamed(name: string, dir: string, o: Omit<OpenOptions, 'engine'> = {}): Promise<SimpleDb> {
    const cfg = engineConfig();
    return SimpleDb.open(name, dir, { engine: cfg.overrides[name] ?? cfg.default_engine, ...o });
  }

  /** Opens a store with an explicit engine (see {@link SimpleDb.openNamed}). */
  static async open(name: string, dir: string, o: OpenOptions = {}): Promise<SimpleDb> {
    const abs = path.resolve(dir);
    if (open.has(abs)) throw new Error(`SimpleDb ${abs} is already open in this process`);
    let kind = o.engine ?? engineConfig().default_engine;
    if (kind !== 'memory') kind = engineOnDisk(abs) ?? kind;
    const engine: Engine =
      kind === 'memory' ? new MemoryEngine() : kind === 'level' ? await LevelEngine.open(abs, { sync: o.sync }) : await FileEngine.open(name, abs, { mode: o.fileMode });
    const limit = o.limitBytes !== undefined ? o.limitBytes : engineConfig().limit_bytes;
    const db = new SimpleDb(name, abs, engine, limit, await engine.logicalSize());
    if (kind !== 'memory') open.set(abs, db);
    return db;
  }

  /** Stores open in this process whose directory is `root` or below it. */
  static openUnder(root: string): SimpleDb[] {
    const r = path.resolve(root) + path.sep;
    return [...open.values()].filter((d) => (d.dir + path.sep).startsWith(r));
  }

  get engineKind(): EngineKind {
    return this.engine.kind;
  }

  /** Logical bytes stored (Σ UTF-8 key bytes + value bytes) — what the quota counts. */
  sizeBytes(): number {
    return this.size;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    return this.engine.get(key);
  }
  async getString(key: string): Promise<string | undefined> {
    const v = await this.get(key);
    return v === undefined ? undefined : Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('utf8');
  }
  /** JSON value stored by {@link insertJson}. @throws SyntaxError when the stored bytes are not JSON. */
  async getJson<T = unknown>(key: string): Promise<T | undefined> {
    const s = await this.getString(key);
    return s === undefined ? undefined : (JSON.parse(s) as T);
  }
  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /** Entries whose key starts with `prefix`, sorted by key. */
  async scanPrefix(prefix: string): Promise<[string, Uint8Array][]> {
    return this.engine.scan(prefix);
  }
  async keysWithPrefix(prefix: string): Promise<string[]> {
    return (await this.engine.scan(prefix)).map(([k]) => k);
  }

  /** Sets `key`; resolves with the previous value once durable. @throws SimpleDbQuotaError, fs/engine errors. */
  async insert(key: string, value: Uint8Array | string): Promise<Uint8Array | undefined> {
    checkKey(key);
    const r = await this.submit([{ type: 'put', key, value: toBytes(value) }], false);
    return (r as (Uint8Array | undefined)[])[0];
  }
  /** {@link insert} of `JSON.stringify(value)`. */
  insertJson(key: string, value: unknown): Promise<Uint8Array | undefined> {
    return this.insert(key, JSON.stringify(value));
  }
  /** Sets `key` only if absent; resolves true when written. */
  async tryInsert(key: string, value: Uint8Array | string): Promise<boolean> {
    checkKey(key);
    return (await this.submit([{ type: 'put', key, value: toBytes(value) }], true)) !== false;
  }
  /** Deletes `key`; resolves with the previous value. (`delete` in the reference.) */
  async remove(key: string): Promise<Uint8Array | undefined> {
    checkKey(key);
    const r = await this.submit([{ type: 'del', key }], false);
    return (r as (Uint8Array | undefined)[])[0];
  }

  /** An all-or-nothing group of writes: `db.batch().insert(…).remove(…).write()`. */
  batch(): SimpleDbBatch {
    const ops: Op[] = [];
    const b: SimpleDbBatch = {
      insert: (key, value) => (checkKey(key), ops.push({ type: 'put', key, value: toBytes(value) }), b),
      insertJson: (key, value) => b.insert(key, JSON.stringify(value)),
      remove: (key) => (checkKey(key), ops.push({ type: 'del', key }), b),
      write: async () => {
        if (ops.length > 0) await this.submit(ops.splice(0), false);
      },
    };
    return b;
  }

  /** Makes every write so far durable (the reference's `flush_wal`; writes here are already durable when they resolve, so this mostly waits for queued writes). */
  async flushWal(): Promise<void> {
    await this.idle();
    await this.engine.flushWal();
  }

  /**
   * Runs `fn` while no write is being committed and none starts (used by the snapshot cut to
   * copy or link the store's files). Writes submitted meanwhile wait and run afterwards.
   */
  async withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    while (this.gate) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((r) => (open = r));
    try {
      await this.idle(true);
      return await fn();
    } finally {
      this.gate = undefined;
      open();
      this.kick();
    }
  }

  /** Waits for queued writes, then closes the engine. Later calls fail. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.idle();
    this.closed = true;
    open.delete(this.dir);
    await this.engine.close();
  }

  /** Waits until no commit round runs and (unless `onlyRunning`) no write is queued. */
  private async idle(onlyRunning = false): Promise<void> {
    for (;;) {
      if (this.running) await this.running.catch(() => {});
      else if (!onlyRunning && this.queue.length > 0) {
        if (this.gate) await this.gate;
        else this.kick();
      } else return;
    }
  }

  private submit(ops: Op[], ifAbsent: boolean): Promise<(Uint8Array | undefined)[] | false> {
    if (this.closed) return Promise.reject(new Error(`SimpleDb "${this.name}" (${this.dir}) is closed`));
    return new Promise((resolve, reject) => {
      this.queue.push({ ops, ifAbsent, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.running || this.gate || this.queue.length === 0) return;
    this.running = this.round().finally(() => {
      this.running = undefined;
      this.kick();
    });
  }

  /** One commit round: every queued group, evaluated in order, committed together. */
  private async round(): Promise<void> {
    const groups = this.queue.splice(0);
    const view = new Map<string, Uint8Array | null>(); // null = deleted in this round
    const current = async (k: string) => (view.has(k) ? (view.get(k) ?? undefined) : await this.engine.get(k));
    let size = this.size;
    const accepted: { g: Group; result: (Uint8Array | undefined)[] | false }[] = [];
    const ops: Op[] = [];
    for (const g of groups) {
      try {
        const local = new Map<string, Uint8Array | null>();
        const prevs: (Uint8Array | undefined)[] = [];
        let delta = 0;
        let skip = false;
        for (const op of g.ops) {
          const prev = local.has(op.key) ? (local.get(op.key) ?? undefined) : await current(op.key);
          prevs.push(prev);
          if (g.ifAbsent && prev !== undefined) {
            skip = true;
            break;
          }
          const before = prev === undefined ? 0 : keyBytes(op.key) + prev.byteLength;
          const after = op.type === 'put' ? keyBytes(op.key) + op.value.byteLength : 0;
          delta += after - before;
          local.set(op.key, op.type === 'put' ? op.value : null);
        }
        if (skip) {
          accepted.push({ g, result: false });
          continue;
        }
        if (this.limitBytes !== null && delta > 0 && size + delta > this.limitBytes) {
          g.reject(new SimpleDbQuotaError(this.name, this.dir, this.limitBytes, size, size + delta));
          continue;
        }
        size += delta;
        for (const [k, v] of local) view.set(k, v);
        ops.push(...g.ops);
        accepted.push({ g, result: prevs });
      } catch (err) {
        g.reject(err);
      }
    }
    try {
      if (ops.length > 0) await this.engine.commit(ops);
    } catch (err) {
      for (const a of accepted) a.g.reject(err);
      return;
    }
    this.size = size;
    for (const a of accepted) a.g.resolve(a.result);
  }
}

export interface SimpleDbBatch {
  insert(key: string, value: Uint8Array | string): SimpleDbBatch;
  insertJson(key: string, value: unknown): SimpleDbBatch;
  remove(key: string): SimpleDbBatch;
  /** Commits the batch atomically. @throws SimpleDbQuotaError, fs/engine errors (then nothing was written). */
  write(): Promise<void>;
}

function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new TypeError('SimpleDb keys are non-empty strings');
  if (key.charCodeAt(0) === 0) throw new TypeError('SimpleDb keys must not start with NUL (reserved)');
  if (keyBytes(key) > MAX_KEY_BYTES) throw new TypeError(`SimpleDb keys are at most ${MAX_KEY_BYTES} UTF-8 bytes`);
}

function toBytes(v: Uint8Array | string): Uint8Array {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return v;
  throw new TypeError('SimpleDb values are bytes (Uint8Array) or strings');
}
