/**
 * How the supervisor starts the node process. One supervisor, two launchers: Electron's
 * `utilityProcess` (injected by src/main, since src/host never imports electron) and
 * `child_process.fork` (console server mode, tests, anywhere Electron is absent). Both give the
 * child a message channel that the node serves JSON-RPC on (`serveIpc`: `process.send` /
 * `process.parentPort`).
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { NODE_ARGS_MARKER } from '../node-core/entry-args.js';
import type { NodeCommand } from '../node-core/net/localnet.js';
import { RESOURCES_ENV } from '../node-core/resources.js';
import { lineSplitter } from './lines.js';
import { NODE_V8_FLAGS, nodeEnv } from './node-flags.js';
import { takePrewarmed } from './prewarm.js';

export { NODE_V8_FLAGS, nodeEnv };

/** What to run: the node entry module, its CLI args (the `node start` flags), environment, cwd. */
export interface NodeSpec {
  /** Absolute path of the entry module (`src/node-core/main.ts`, run through tsx when `.ts`). */
  entry: string;
  args: string[];
  /** Arguments placed before `args` and never changed by the supervisor (the built entry's `--tb-node` marker). */
  leadArgs?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface ChildExit {
  /** Exit code, or null when the process was ended by a signal. */
  code: number | null;
  /** Signal name (`SIGKILL`), or null. */
  signal: string | null;
}

/** A running node process as the supervisor sees it. */
export interface NodeChild {
  readonly pid: number | undefined;
  /** Sends one JSON-serialisable message over the channel; false when the channel is closed. */
  send(msg: unknown): boolean;
  onMessage(cb: (msg: unknown) => void): void;
  /** Each line the child writes to stdout or stderr. */
  onLine(cb: (line: string, stream: 'stdout' | 'stderr') => void): void;
  /** Called once, when the process has exited. */
  onExit(cb: (e: ChildExit) => void): void;
  /** Signals the process (SIGTERM starts the node's ordered stop; SIGKILL ends it at once). */
  kill(signal: 'SIGTERM' | 'SIGKILL'): void;
}

export interface Launcher {
  readonly kind: 'utility' | 'fork';
  launch(spec: NodeSpec): NodeChild;
}

/**
 * `child_process.fork` launcher. A `.ts` entry runs through `--import tsx` (the project runs
 * TypeScript directly, see common tooling). The channel uses JSON serialization, the same wire
 * format as the node's other front doors.
 */
export function forkLauncher(
  o: { echo?: (line: string, stream: 'stdout' | 'stderr') => void } = {},
): Launcher {
  return {
    kind: 'fork',
    launch(spec) {
      // The node bin/start.mjs forked ahead (prewarm.ts), when it can run this spec; else a fork.
      const cp =
        takePrewarmed(spec) ??
        fork(spec.entry, [...(spec.leadArgs ?? []), ...spec.args], {
          cwd: spec.cwd,
          env: nodeEnv(spec.env ?? process.env),
          execArgv: [...NODE_V8_FLAGS, ...(spec.entry.endsWith('.ts') ? ['--import', 'tsx'] : [])],
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
          serialization: 'json',
        });
      const lineCbs: ((line: string, stream: 'stdout' | 'stderr') => void)[] = [];
      if (o.echo) lineCbs.push(o.echo);
      const emit = (stream: 'stdout' | 'stderr') => (line: string) =>
        lineCbs.forEach((cb) => cb(line, stream));
      cp.stdout?.on('data', lineSplitter(emit('stdout')));
      cp.stderr?.on('data', lineSplitter(emit('stderr')));
      // A send on a channel that just closed emits 'error' on the child; the exit handler reports it.
      cp.on('error', () => {});
      return {
        get pid() {
          return cp.pid;
        },
        send(msg) {
          if (!cp.connected) return false;
          try {
            return cp.send(msg as object);
          } catch {
            return false;
          }
        },
        onMessage(cb) {
          cp.on('message', cb);
        },
        onLine(cb) {
          lineCbs.push(cb);
        },
        onExit(cb) {
          // 'close' fires after the stdio streams ended, so the last stderr lines are already in.
          cp.once('close', (code, signal) => cb({ code, signal }));
        },
        kill(signal) {
          if (cp.exitCode === null && cp.signalCode === null) cp.kill(signal);
        },
      };
    },
  };
}

/**
 * How a node outside the supervisor runs the same code as `spec` (a practice testnet validator:
 * detached, so it may outlive the console). A `.ts` entry runs from source through tsx, from the
 * package root. A built entry (`out/node/node-entry.js`) runs with the `--tb-node` marker and the
 * resources directory; under Electron its own binary runs as plain Node (ELECTRON_RUN_AS_NODE),
 * since an installed app has no Node binary, no src/ and no tsx.
 */
export function detachedNodeCommand(spec: NodeSpec): NodeCommand {
  if (spec.entry.endsWith('.ts'))
    return { execPath: process.execPath, argv: [...NODE_V8_FLAGS, '--import', 'tsx', spec.entry], cwd: path.resolve(path.dirname(spec.entry), '..', '..') };
  const env: Record<string, string> = {};
  const resources = spec.env?.[RESOURCES_ENV];
  if (resources) env[RESOURCES_ENV] = resources;
  if (process.versions.electron) env.ELECTRON_RUN_AS_NODE = '1';
  return { execPath: process.execPath, argv: [...NODE_V8_FLAGS, spec.entry, NODE_ARGS_MARKER], env };
}
