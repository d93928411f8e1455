/**
 * The node's logger: pino to `<root>/logs/node.log` (JSON lines, size-rotated by pino-roll) and
 * to stdout (pretty on a terminal, JSON lines otherwise), and every line at info and above onto the `log.line` topic of the
 * NodeEvents bus, keeping the last 200 in a ring. The ring is replayed to each new `log.line`
 * subscriber by the dispatcher (`DispatcherOptions.replay['log.line'] = () => ring.snapshot()`,
 * wired in node.ts), right after the subscribe response.
 *
 * Files: pino-roll writes `node.<n>.log` and continues the numbering across restarts;
 * `logs/node.log` is a symlink that always points at the active file (`tail -F logs/node.log`).
 * Secrets (`rpc_auth_token`, `token`, `authorization` fields at any depth ≤ 2) are redacted.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import pino from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLine } from '../shared/api/index.js';
import type { LogLevel } from './config/index.js';
import type { NodeEvents } from './events.js';

type SonicBoom = ReturnType<typeof pino.destination>;
const req = createRequire(import.meta.url);

/**
 * Start-up cost: pino-roll requires the whole of date-fns (≈300 files, ≈140 ms CPU and 17 MB at
 * start) for its time-based rotation and dated file names, which this node never uses (size only).
 * Before pino-roll loads, the `date-fns` module it resolves is registered as stubs that load
 * `date-fns/<name>` on first call, so a size-only node never reads date-fns. Any other code in
 * the process that requires `date-fns` gets the same stubs and still works (each function is
 * the real one, loaded on demand); only non-function exports would be missing, and nothing here
 * uses them.
 */
function lazyDateFnsForPinoRoll(): void {
  const utils = path.join(path.dirname(req.resolve('pino-roll')), 'lib', 'utils.js');
  const rollRequire = createRequire(utils);
  const id = rollRequire.resolve('date-fns');
  if (req.cache[id]) return;
  const loaded = new Map<string, (...a: unknown[]) => unknown>();
  const load = (name: string) => {
    let f = loaded.get(name);
    if (!f) loaded.set(name, (f = (rollRequire(`date-fns/${name}`) as Record<string, (...a: unknown[]) => unknown>)[name]!));
    return f;
  };
  const exports = new Proxy({} as Record<string, unknown>, {
    get: (_t, name) => (typeof name === 'string' ? (...a: unknown[]) => load(name)(...a) : undefined),
  });
  req.cache[id] = { id, filename: id, loaded: true, exports } as unknown as NodeJS.Module;
}

let rollFn: RollFn | undefined;
/** pino-roll, loaded on the first logger (with date-fns deferred, see above). */
function roll(...a: Parameters<RollFn>): ReturnType<RollFn> {
  if (!rollFn) {
    lazyDateFnsForPinoRoll();
    rollFn = req('pino-roll') as RollFn;
  }
  return rollFn(...a);
}

/** pino-roll ships no type declarations; its default export builds a size/time-rotating SonicBoom. */
type RollFn = (o: {
  file: string;
  extension?: string;
  size?: string;
  limit?: { count?: number };
  mkdir?: boolean;
}) => Promise<SonicBoom & { file: string; fd: number; opening?: boolean }>;

/** Lines kept for replay to new `log.line` subscribers. */
export const LOG_RING_SIZE = 200;

/** Bounded buffer of the latest log lines. */
export class LogRing {
  private readonly buf: LogLine[] = [];
  constructor(readonly capacity = LOG_RING_SIZE) {}
  push(line: LogLine): void {
    this.buf.push(line);
    if (this.buf.length > this.capacity) this.buf.shift();
  }
  /** Oldest first. */
  snapshot(): LogLine[] {
    return this.buf.slice();
  }
}

const PINO_META = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/** Converts one pino JSON line to the `log.line` payload; null for unparsable input. */
export function toLogLine(json: string): LogLine | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return null;
  }
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (!PINO_META.has(k)) fields[k] = v;
  const line: LogLine = {
    level: typeof o.level === 'number' ? o.level : 30,
    time: typeof o.time === 'number' ? o.time : Date.now(),
    msg: typeof o.msg === 'string' ? o.msg : '',
  };
  if (Object.keys(fields).length > 0) line.fields = fields;
  return line;
}

export interface NodeLogger {
  logger: pino.Logger;
  /** The rotating file stream (pino-roll's SonicBoom); emits 'ready' when a new file is opened. */
  file: SonicBoom & { file: string };
  /** Flushes and closes the file stream (stdout is flushed, not closed). Idempotent. */
  close(): Promise<void>;
}

export interface LoggerOptions {
  logsDir: string;
  level: LogLevel;
  /** Rotate at this size (MiB). */
  maxSizeMb: number;
  /** Rotated files kept besides the active one. */
  maxFiles: number;
  /** Bus for `log.line` (info and above, whatever `level` is). */
  events?: NodeEvents;
  /** Ring of recent info+ lines to fill (replayed to new subscribers). */
  ring?: LogRing;
  /** Also write to stdout (default true). */
  stdout?: boolean;
}

export const REDACT_PATHS = [
  'rpc_auth_token',
  '*.rpc_auth_token',
  'token',
  '*.token',
  'authToken',
  '*.authToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
];

async function pointSymlink(logsDir: string, target: string): Promise<void> {
  const link = path.join(logsDir, 'node.log');
  const tmp = path.join(logsDir, `.node.log.${process.pid}.tmp`);
  try {
    await fs.rm(tmp, { force: true });
    await fs.symlink(path.basename(target), tmp);
    await fs.rename(tmp, link);
  } catch {
    await fs.rm(tmp, { force: true }).catch(() => {});
  }
}

/**
 * stdout: human-readable lines on a terminal (pino-pretty: `13:04:05.123 INFO: block height=7 …`),
 * JSON lines otherwise (pipes, log shippers, the console's supervisor) or with `TB_LOG_FORMAT=json`.
 */
function stdoutStream(): { write(s: string): void; flushSync(): void } {
  const json = process.env.TB_LOG_FORMAT === 'json' || !process.stdout.isTTY;
  if (json) return pino.destination({ dest: 1, sync: false });
  // Loaded only for a terminal (≈45 ms CPU, 12 MB): the console and log shippers read JSON.
  const pinoPretty = req('pino-pretty') as typeof PinoPretty;
  const pretty = pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true, destination: 1 });
  return { write: (s: string) => void pretty.write(s), flushSync: () => {} };
}

/**
 * Opens the log file and builds the logger.
 * @throws fs errors when `logsDir` cannot be written.
 */
export async function createNodeLogger(o: LoggerOptions): Promise<NodeLogger> {
  await fs.mkdir(o.logsDir, { recursive: true });
  const file = await roll({
    file: path.join(o.logsDir, 'node'),
    extension: '.log',
    size: `${o.maxSizeMb}m`,
    limit: { count: o.maxFiles },
    mkdir: true,
  });
  await new Promise<void>((resolve, reject) => {
    if (file.fd >= 0 && !file.opening) return resolve();
    file.once('ready', () => resolve());
    file.once('error', reject);
  });
  await pointSymlink(o.logsDir, file.file);
  const onReady = () => void pointSymlink(o.logsDir, file.file);
  file.on('ready', onReady);

  const streams: pino.StreamEntry[] = [];
  const quiet = o.level === 'silent';
  if (!quiet) streams.push({ level: o.level as pino.Level, stream: file });
  const stdout = o.stdout === false || quiet ? undefined : stdoutStream();
  if (stdout) streams.push({ level: o.level as pino.Level, stream: stdout });
  if (o.events) {
    const events = o.events;
    const ring = o.ring;
    streams.push({
      level: 'info',
      stream: {
        write(s: string) {
          const line = toLogLine(s);
          if (!line) return;
          ring?.push(line);
          events.emit('log.line', line);
        },
      },
    });
  }
  // The logger itself runs at the lower of the configured level and info (for the bus).
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  const level = order.indexOf(o.level) < order.indexOf('info') ? o.level : 'info';
  const logger = pino(
    { level, base: { pid: process.pid }, redact: { paths: REDACT_PATHS, censor: '<redacted>' } },
    pino.multistream(streams),
  );

  let closed = false;
  return {
    logger,
    file,
    async close() {
      if (closed) return;
      closed = true;
      file.off('ready', onReady);
      try {
        stdout?.flushSync();
      } catch {
        /* stdout closed by the parent */
      }
      await new Promise<void>((resolve) => {
        file.once('close', () => resolve());
        file.once('error', () => resolve());
        file.end();
      });
    },
  };
}
