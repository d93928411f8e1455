/**
 * Helpers for integration tests that run real node and CLI processes: temp data dirs, a node
 * child (`node --import tsx src/node-core/main.ts …` or `bin/contract-cli.mjs node start …`)
 * with an IPC channel whose lifecycle messages are awaited (no sleeps), and CLI runs.
 * Children run in a temp cwd with every TB_* variable removed, so nothing of the developer's
 * environment (.env, config/node.toml, TB_RPC_URL) leaks in.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_V8_FLAGS, nodeEnv } from '../../../src/host/node-flags.js';
import { NODE_ARGS_MARKER } from '../../../src/node-core/entry-args.js';
import type { LifecycleMessage } from '../../../src/node-core/node.js';

export const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const MAIN = path.join(REPO, 'src/node-core/main.ts');
export const BIN = {
  'contract-cli': path.join(REPO, 'bin/contract-cli.mjs'),
  probe: path.join(REPO, 'bin/probe.mjs'),
};
/** tsx's loader as a file URL: `--import` resolves bare names from the cwd, which is a temp dir. */
export const TSX = import.meta.resolve('tsx');

export type Ready = Extract<LifecycleMessage, { type: 'ready' }>;

/** A clean environment: the parent's minus every TB_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TB_')) env[k] = v;
  return { ...env, ...extra };
}

/** A temp dir whose name has a space and non-ASCII characters (DESIGN.md "Hard edges → Paths"). */
export async function tempDir(prefix = 'tb-it'): Promise<string> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  const dir = path.join(base, 'dåta dir ü');
  await fs.mkdir(dir);
  return dir;
}

export async function removeTemp(dir: string): Promise<void> {
  await fs.rm(path.dirname(dir), { recursive: true, force: true });
}

export interface NodeProc {
  child: ChildProcess;
  pid: number;
  /** Every lifecycle message received, in order. */
  messages: LifecycleMessage[];
  /** Resolves on `{type:'ready'}`; rejects when the process exits first (with its stderr). */
  ready: Promise<Ready>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first IPC message matching `pred` (messages already received count). */
  nextMessage(pred: (m: unknown) => boolean): Promise<unknown>;
}

export interface SpawnNodeOptions {
  /** Data directory root. */
  dataDir: string;
  /** Extra flags (RPC and metrics default to 127.0.0.1:0 unless set here or in env). */
  args?: string[];
  env?: Record<string, string>;
  /** Working directory (default: the parent of dataDir). */
  cwd?: string;
  /** Start through `contract-cli node start` instead of main.ts. */
  viaCli?: boolean;
  /**
   * Start the BUILT node (`out/node/node-entry.js`, build it first: test/unit/main/built-output.ts
   * `ensureBuilt`) as the launchers fork it: V8 flags, environment defaults, resources directory.
   */
  built?: boolean;
}

/** Spawns a node with an IPC channel. */
export function spawnNode(o: SpawnNodeOptions): NodeProc {
  const args = o.args ?? [];
  const env = o.env ?? {};
  const flags = ['--data-dir', o.dataDir];
  // Free ports unless the test sets the address itself (flag or env).
  if (!args.includes('--rpc-addr') && env.TB_RPC_ADDR === undefined) flags.push('--rpc-addr', '127.0.0.1:0');
  if (!args.includes('--metrics-addr') && env.TB_METRICS_ADDR === undefined)
    flags.push('--metrics-addr', '127.0.0.1:0');
  flags.push(...args);
  const argv = o.built
    ? [...NODE_V8_FLAGS, path.join(REPO, 'out/node/node-entry.js'), NODE_ARGS_MARKER, ...flags]
    : o.viaCli
      ? [BIN['contract-cli'], 'node', 'start', ...flags]
      : ['--import', TSX, MAIN, ...flags];
  const child = spawn(process.execPath, argv, {
    cwd: o.cwd ?? path.dirname(o.dataDir),
    env: o.built ? nodeEnv(cleanEnv({ TB_RESOURCES_DIR: path.join(REPO, 'resources'), ...o.env })) : cleanEnv(o.env),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const messages: LifecycleMessage[] = [];
  const all: unknown[] = [];
  const waiters: { pred: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  child.on('message', (m: unknown) => {
    all.push(m);
    if (m !== null && typeof m === 'object' && 'type' in m && !('jsonrpc' in m))
      messages.push(m as LifecycleMessage);
    for (const w of waiters.splice(0)) {
      if (w.pred(m)) w.resolve(m);
      else waiters.push(w);
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<Ready>((resolve, reject) => {
    const onMsg = (m: unknown) => {
      if ((m as { type?: string })?.type === 'ready') resolve(m as Ready);
    };
    child.on('message', onMsg);
    void exited.then(({ code, signal }) =>
      reject(new Error(`node exited (code ${code}, signal ${signal}) before ready: ${err.trim()}`)),
    );
  });
  ready.catch(() => {});
  return {
    child,
    pid: child.pid!,
    messages,
    ready,
    exited,
    stdout: () => out,
    stderr: () => err,
    nextMessage(pred) {
      const seen = all.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    },
  };
}

/** Stops a node child with a signal (if still running) and waits for its exit. */
export async function stopNode(n: NodeProc, signal: NodeJS.Signals = 'SIGTERM') {
  if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill(signal);
  return n.exited;
}

/** JSON-RPC over HTTP to a node port; returns the whole response object. */
export async function rpc(
  port: number,
  method: string,
  params: unknown = [],
  headers: Record<string, string> = {},
): Promise<{ result?: any; error?: { code: number; message: string; data?: any } }> {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  return (await res.json()) as { result?: any; error?: { code: number; message: string; data?: any } };
}

/** Like `rpc` but returns the result and throws on a JSON-RPC error. */
export async function call(port: number, method: string, params: unknown = []): Promise<any> {
  const r = await rpc(port, method, params);
  if (r.error) throw new Error(`${method}: ${r.error.message} ${JSON.stringify(r.error.data ?? {})}`);
  return r.result;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `contract-cli` or `probe` as a real process. */
export function runCli(
  bin: keyof typeof BIN,
  args: string[],
  o: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN[bin], ...args], {
      cwd: o.cwd ?? os.tmpdir(),
      env: cleanEnv(o.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command and collects its output (e.g. promtool). */
export function runTool(cmd: string, args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}
