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
import { addNodeFlags, flagsToLoadOptions, KEYS, loadConfig } from '../node-core/config/index.js';
import { isLoopbackHost, runConsole, stopOnSignals } from '../host/console-main.js';
import { UsageError } from './common.js';

export interface ConsoleCommandOptions extends Record<string, unknown> {
  host: string;
  port: string;
  allowRemote?: boolean;
  allowedHost?: string[];
  open: boolean;
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
    .allowExcessArguments(false);
  addNodeFlags(cmd);
  cmd.action(async (opts: ConsoleCommandOptions) => {
    const port = portOf(opts.port);
    if (!isLoopbackHost(opts.host) && !opts.allowRemote)
      throw new UsageError(`--host ${opts.host} is not a loopback address: add --allow-remote to serve the console to other machines`);
    // Configuration errors are reported here, once, instead of as a crash loop of the node process.
    const { config } = loadConfig(flagsToLoadOptions(opts));
    const c = await runConsole({
      host: opts.host,
      port,
      allowRemote: opts.allowRemote,
      allowedHosts: opts.allowedHost,
      open: opts.open,
      nodeArgs: nodeArgsOf(opts),
      dataDir: config.data_dir,
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
