/**
 * `contract-cli console`: console server mode on a server or laptop — the node in a child
 * process, the console UI served on 127.0.0.1 with a per-start token, the URL printed and opened
 * in Chromium `--app` when one is found (src/host/console-main.ts). Takes the node flags of
 * `node start` (generated from the config key table, so they never drift).
 *
 * Exit codes: 0 after a clean stop (Ctrl-C); 2 for usage/configuration errors (checked before
 * anything starts); 1 when the console cannot start (port in use, UI not built).
 */
import { Command, Option } from 'commander';
import { addNodeFlags, dataDirGiven as dataDirWasGiven, flagsToLoadOptions, KEYS, loadConfig } from '../node-core/node-config.js';
import { isLoopbackHost, runConsole, stopOnSignals } from '../host/console-main.js';
import { UsageError } from './common.js';
import path from 'node:path';
import { readSettings } from '../host/first-run.js';

export interface ConsoleCommandOptions extends Record<string, unknown> {
  host: string;
  port: string;
  allowRemote?: boolean;
  allowedHost?: string[];
  open: boolean;
  firstRun?: boolean;
  minFreeSpace?: string;
}

/** Rebuilds the `node start` flags the operator gave, for the node process. */
export function nodeArgsOf(opts: Record<string, unknown>): string[] {
  const args: string[] = [];
  if (typeof opts.config === 'string') args.push('--config', opts.config);
  if (typeof opts.envFile === 'string') args.push('--env-file', opts.envFile);
  for (const k of KEYS) {
    if (!k.flag) continue;
    const camel = k.flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = opts[camel];
    if (v === undefined) continue;
    if (typeof v === 'boolean') args.push(v ? k.flag : `--no-${k.flag.slice(2)}`);
    else args.push(k.flag, String(v));
  }
  return args;
}

function portOf(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new UsageError(`--port must be a port number 0-65535 (0 = any free port), got "${v}"`);
  return Number(v);
}

/** The `console` command (registered by contract-cli.ts). */
export function consoleCommand(): Command {
  const cmd = new Command('console')
    .description('serve the operator console (UI + embedded node) on this machine and open it in Chromium')
    .addOption(new Option('--host <addr>', 'console listen address (loopback only unless --allow-remote)').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'console listen port (0 = any free port)').default('0'))
    .addOption(new Option('--allow-remote', 'allow a non-loopback --host (the token is the only protection; prefer an SSH tunnel)'))
    .addOption(new Option('--allowed-host <name...>', 'extra host names accepted in the Host header (e.g. the server name with --host 0.0.0.0)'))
    .addOption(new Option('--no-open', 'print the URL only; do not open Chromium'))
    .addOption(new Option('--first-run', 'show the first-run setup (data folder, network, preflight) even when settings or data exist'))
    .addOption(new Option('--min-free-space <MiB>', 'free disk space the preflight asks for, in MiB (default: 256 for dev, 2048 for a testnet)'))
    .allowExcessArguments(false);
  addNodeFlags(cmd);
  cmd.action(async (opts: ConsoleCommandOptions) => {
    const port = portOf(opts.port);
    if (!isLoopbackHost(opts.host) && !opts.allowRemote)
      throw new UsageError(`--host ${opts.host} is not a loopback address: add --allow-remote to serve the console to other machines`);
    // Configuration errors are reported here, once, instead of as a crash loop of the node process.
    const { config, sources } = loadConfig(flagsToLoadOptions(opts));
    const minFree = opts.minFreeSpace === undefined ? undefined : /^\d{1,9}$/.test(opts.minFreeSpace) ? Number(opts.minFreeSpace) * 2 ** 20 : undefined;
    if (opts.minFreeSpace !== undefined && minFree === undefined) throw new UsageError(`--min-free-space must be a whole number of MiB, got "${opts.minFreeSpace}"`);
    // Settings of an earlier first run choose the data root and network unless the command line did.
    const dataDirGiven = dataDirWasGiven(sources);
    const settings = readSettings();
    const nodeArgs = nodeArgsOf(opts);
    let dataDir = config.data_dir;
    if (settings && !dataDirGiven && !opts.firstRun) {
      dataDir = path.join(settings.data_parent, settings.network);
      nodeArgs.push('--data-dir', dataDir);
      if (sources.network === 'default') nodeArgs.push('--network', settings.network);
    }
    const c = await runConsole({
      host: opts.host,
      port,
      allowRemote: opts.allowRemote,
      allowedHosts: opts.allowedHost,
      open: opts.open,
      nodeArgs,
      dataDir,
      firstRun: { forced: !!opts.firstRun, dataDirGiven, neededBytes: minFree },
    });
    stopOnSignals(c);
  });
  return cmd;
}

/** Registers `console` on a commander program (same as `program.addCommand(consoleCommand())`). */
export function registerConsoleCommand(program: Command): Command {
  return program.addCommand(consoleCommand());
}

export default consoleCommand;
