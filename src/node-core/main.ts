/**
 * The node process entry: `node --import tsx src/node-core/main.ts [flags]` (flags as
 * `contract-cli node start`, see `config/flags.ts`). Also used in-process by `contract-cli node start`.
 *
 * - SIGINT / SIGTERM → ordered stop → exit 0 (a second signal forces exit 1; a stop that hangs
 *   for 30 s exits 1; an uncaught exception after start → ordered stop → exit 1).
 * - Startup errors print one line `error: <message>` on stderr and exit 2 (configuration:
 *   unknown key, bad value, corrupt node.toml, bad flag) or 1 (locked data dir, port in use,
 *   corrupt chain DB, anything else).
 * - With an IPC channel — `child_process.fork` (`process.send`) or Electron `utilityProcess`
 *   (`process.parentPort`) — JSON-RPC is served on it (`rpc/ipc.ts`: requests/responses/
 *   `subscription` notifications, all carrying `jsonrpc`) and lifecycle messages are posted
 *   (`LifecycleMessage` in node.ts):
 *     `{type:'phase', phase, reason?}` on every phase change,
 *     `{type:'ready', pid, version, network, chain_id, data_dir, node_address, rpc_addr, rpc_port, metrics_addr, metrics_port}`
 *     once, right before the `ready` phase's message,
 *     `{type:'exit', code, message?}` right before the process exits.
 *   The parent may send `{type:'stop'}` for a graceful stop (exit 0). When the parent
 *   disconnects (fork channel closed), the node stops gracefully too.
 */
import './polyfills.js';
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { addNodeFlags, ConfigError, flagsToLoadOptions, loadConfig, type LoadOptions } from './node-config.js';
import { Node, type IpcPort, type LifecycleMessage } from './node.js';

const STOP_WATCHDOG_MS = 30_000;

interface ElectronParentPort {
  postMessage(m: unknown): void;
  on(ev: 'message', f: (e: { data: unknown }) => void): void;
  off(ev: 'message', f: (e: { data: unknown }) => void): void;
}

/** The process's message channel to its parent, if it has one. */
export function processIpcPort(): IpcPort | undefined {
  const pp = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (pp) {
    return {
      postMessage: (m) => pp.postMessage(m),
      onMessage(cb) {
        const f = (e: { data: unknown }) => cb(e.data);
        pp.on('message', f);
        return () => pp.off('message', f);
      },
    };
  }
  if (typeof process.send === 'function' && process.connected) {
    return {
      postMessage(m) {
        if (process.connected) process.send!(m, undefined, {}, () => {});
      },
      onMessage(cb) {
        process.on('message', cb);
        return () => process.off('message', cb);
      },
    };
  }
  return undefined;
}

/** One-line message of a startup error, its exit code (2 = configuration) and its stable reason, if any. */
export function describeStartError(err: unknown): { message: string; code: number; reason?: string; data_dir?: string } {
  if (err instanceof ConfigError) return { message: err.message, code: 2 };
  if (err instanceof CommanderError) return { message: err.message.replace(/^error:\s*/, ''), code: 2 };
  const message = err instanceof Error ? err.message : String(err);
  const { reason, root } = (err ?? {}) as { reason?: unknown; root?: unknown };
  return {
    message: message.split('\n')[0],
    code: 1,
    ...(typeof reason === 'string' ? { reason } : {}),
    ...(typeof root === 'string' ? { data_dir: root } : {}),
  };
}

/**
 * Loads the configuration, starts the node and runs it until a signal, a `{type:'stop'}`
 * message or a parent disconnect; then stops it in order.
 * @returns the process exit code (0 clean stop; 1/2 on startup failure, see the module doc).
 */
export async function runNode(
  load: LoadOptions,
  o: { ipc?: IpcPort; stdout?: boolean } = {},
): Promise<number> {
  const ipc = o.ipc;
  const post = (m: LifecycleMessage) => {
    try {
      ipc?.postMessage(m);
    } catch {
      /* parent gone */
    }
  };
  let stopRequested = false;
  let wake: () => void = () => {};
  const stopSignal = new Promise<void>((resolve) => (wake = resolve));
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`received ${sig} again: exiting without a clean stop\n`);
      process.exit(1);
    }
    stopRequested = true;
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const offStop = ipc?.onMessage((m) => {
    if (m !== null && typeof m === 'object' && (m as { type?: unknown }).type === 'stop') {
      stopRequested = true;
      wake();
    }
  });
  const onDisconnect = () => {
    stopRequested = true;
    wake();
  };
  process.on('disconnect', onDisconnect);

  let node: Node | undefined;
  try {
    const loaded = loadConfig(load);
    for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
    node = await Node.start(loaded.config, { ipc, stdout: o.stdout });
    const running = node;
    let fatal = false;
    process.on('uncaughtException', (err) => {
      running.logger?.fatal({ err }, 'uncaught exception: stopping');
      process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
      fatal = true;
      stopRequested = true;
      wake();
    });
    if (!stopRequested) await stopSignal;
    const watchdog = setTimeout(() => {
      process.stderr.write(`error: the node did not stop within ${STOP_WATCHDOG_MS / 1000} s; exiting\n`);
      process.exit(1);
    }, STOP_WATCHDOG_MS);
    watchdog.unref();
    await node.stop();
    clearTimeout(watchdog);
    const code = fatal ? 1 : 0;
    post({ type: 'exit', code });
    return code;
  } catch (err) {
    const { message, code, reason, data_dir } = describeStartError(err);
    process.stderr.write(`error: ${message}\n`);
    post({ type: 'exit', code, message, ...(reason ? { reason } : {}), ...(data_dir ? { data_dir } : {}) });
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('disconnect', onDisconnect);
    offStop?.();
  }
}

/** Builds the `node start` flags on a commander command. */
export function nodeStartCommand(name = 'the-block-node'): Command {
  return addNodeFlags(
    new Command(name).description('Run The Block node (headless).').allowExcessArguments(false),
  );
}

/**
 * The node process's main: parses `argv` (`[exec, script, ...flags]`), runs the node, exits the
 * process with its code. Called below when this file is the entry, and by the built bootstrap
 * (node-entry.ts) in the desktop app.
 */
export async function main(argv: string[] = process.argv): Promise<void> {
  const cmd = nodeStartCommand().exitOverride();
  cmd.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  try {
    cmd.parse(argv);
  } catch (err) {
    if (
      err instanceof CommanderError &&
      (err.code === 'commander.helpDisplayed' || err.code === 'commander.version')
    )
      process.exit(0);
    process.exit(2); // commander already printed its one-line error
  }
  const code = await runNode(flagsToLoadOptions(cmd.opts()), { ipc: processIpcPort() });
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) void main();
