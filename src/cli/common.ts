/**
 * Shared plumbing of `contract-cli` and `probe`: where the node is (`--rpc` / `TB_RPC_URL`,
 * default `http://127.0.0.1:8545`), the auth token (`TB_RPC_AUTH_TOKEN`, sent as Bearer), output
 * (human by default, `--format json` everywhere) and errors (one line on stderr, non-zero exit).
 *
 * Exit codes: 0 success; 1 failure (node error, unreachable node, failed expectation);
 * 2 usage or configuration error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import dotenv from 'dotenv';
import { createClient, httpTransport, TransportError, type Client } from '../shared/api/client.js';
import { HEADER_TOKEN } from '../shared/api/desktop.js';
import { ErrorCode, RpcError } from '../shared/api/errors.js';
import { parseU64 } from '../shared/api/numbers.js';
import { ConfigError } from '../node-core/config/index.js';

export const DEFAULT_RPC_URL = 'http://127.0.0.1:8545';

/** A usage error of the CLI (bad flag value): exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A failure already explained to the user (e.g. a failed probe expectation): exit 1, message printed by the command. */
export class SilentFailure extends Error {
  constructor(readonly exitCode = 1) {
    super('');
  }
}

/** `TB_*` values for the CLI: process env, else `./.env` (read with dotenv's parse, never applied to process.env). */
export function cliEnv(name: 'TB_RPC_URL' | 'TB_RPC_AUTH_TOKEN' | 'TB_ADVERTISER_TOKEN'): string | undefined {
  const v = process.env[name];
  if (v !== undefined && v !== '') return v;
  const file = path.join(process.cwd(), '.env');
  if (!existsSync(file)) return undefined;
  try {
    const parsed = dotenv.parse(readFileSync(file))[name];
    return parsed === '' ? undefined : parsed;
  } catch {
    return undefined;
  }
}

export type Format = 'human' | 'json';

export interface CommonOpts {
  rpc?: string;
  format: Format;
}

/** Adds `--rpc <url>` and `--format <human|json>` to a command. */
export function withCommon(cmd: Command, o: { rpc?: boolean } = { rpc: true }): Command {
  if (o.rpc !== false)
    cmd.addOption(
      new Option('--rpc <url>', `node JSON-RPC URL (env TB_RPC_URL; default ${DEFAULT_RPC_URL})`),
    );
  cmd.addOption(new Option('--format <format>', 'output format').choices(['human', 'json']).default('human'));
  return cmd;
}

/** Node URL from `--rpc`, `TB_RPC_URL` or the default; validated. */
export function rpcUrl(opts: { rpc?: string }): string {
  const url = opts.rpc ?? cliEnv('TB_RPC_URL') ?? DEFAULT_RPC_URL;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(
      `${opts.rpc !== undefined ? '--rpc' : 'TB_RPC_URL'}: "${url}" is not a URL like ${DEFAULT_RPC_URL}`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(
      `${opts.rpc !== undefined ? '--rpc' : 'TB_RPC_URL'}: only http(s) URLs are supported`,
    );
  return url;
}

/**
 * Typed JSON-RPC client for the node the options point at.
 * @throws UsageError when TB_RPC_AUTH_TOKEN is not printable ASCII (an HTTP header cannot carry it:
 *   the request would fail before any connection, reported as "cannot reach node"; the node refuses
 *   such a token too, node-core/config/schema.ts).
 */
export function clientFor(opts: { rpc?: string }, timeoutMs?: number, headers?: Record<string, string>): { client: Client; url: string } {
  const url = rpcUrl(opts);
  const token = cliEnv('TB_RPC_AUTH_TOKEN');
  if (token !== undefined && !HEADER_TOKEN.re.test(token)) throw new UsageError(`TB_RPC_AUTH_TOKEN: ${HEADER_TOKEN.message}`);
  return { client: createClient(httpTransport(url, { token, timeoutMs, headers })), url };
}

/** Parses an exact u64 flag value (amount, fee, nonce); never rounds. */
export function u64Flag(flag: string, v: string): bigint {
  const r = parseU64(v);
  if (typeof r === 'string') throw new UsageError(`${flag}: ${r}`);
  return r;
}

/** Parses a non-negative safe-integer flag value (heights, counts). */
export function intFlag(flag: string, v: string): number {
  const r = parseU64(v, BigInt(Number.MAX_SAFE_INTEGER));
  if (typeof r === 'string') throw new UsageError(`${flag}: ${r}`);
  return Number(r);
}

/** Parses a positive number of seconds (`--timeout 2`, `--timeout 0.5`). */
export function secondsFlag(flag: string, v: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(v) || Number(v) <= 0 || Number(v) > 86_400)
    throw new UsageError(`${flag}: must be a number of seconds like 2 or 0.5`);
  return Number(v);
}

/**
 * Prints a result: JSON (2-space, as the node sent it) or human lines from `human(result)`.
 */
export function output<T>(format: Format, result: T, human: (r: T) => string | string[]): void {
  if (format === 'json') process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  else {
    const h = human(result);
    process.stdout.write((Array.isArray(h) ? h.join('\n') : h) + '\n');
  }
}

/** Aligned `key  value` lines. */
export function table(rows: [string, unknown][]): string[] {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padEnd(w)}  ${String(v)}`);
}

/**
 * Awaits a local (no node) operation whose invalid-params `RpcError` means the operator typed a bad
 * value (e.g. a wallet name the keystore refuses): rethrown as a `UsageError` (exit 2, as every
 * other bad flag) with the same field-level text. Other errors pass through unchanged.
 */
export async function localInput<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof RpcError && err.code === ErrorCode.InvalidParams) throw new UsageError(errorLine(err).message);
    throw err;
  }
}

/** One line for an error, as the user should read it. */
export function errorLine(err: unknown): { message: string; code: number } {
  if (err instanceof SilentFailure) return { message: '', code: err.exitCode };
  if (err instanceof UsageError || err instanceof ConfigError) return { message: err.message, code: 2 };
  if (err instanceof CommanderError) return { message: err.message.replace(/^error:\s*/, ''), code: 2 };
  if (err instanceof TransportError) return { message: err.message, code: 1 };
  if (err instanceof RpcError) {
    const reason = typeof err.data?.reason === 'string' ? ` (${err.data.reason})` : '';
    const issues =
      err.code === ErrorCode.InvalidParams && Array.isArray(err.data?.issues)
        ? ': ' + err.data.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')
        : '';
    return { message: `${err.message}${issues}${reason}`, code: 1 };
  }
  return { message: err instanceof Error ? err.message.split('\n')[0] : String(err), code: 1 };
}

/**
 * Runs a commander program: usage errors exit 2 (commander prints them), command errors print
 * `error: <one line>` on stderr and exit with their code.
 */
export async function runProgram(program: Command, argv: string[]): Promise<void> {
  program.exitOverride();
  program.showSuggestionAfterError(true);
  for (const c of allCommands(program)) c.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') process.exit(0);
      // `commander.help` with a non-zero code = help printed because a subcommand is missing
      // (`contract-cli`, `contract-cli wallet`): a usage error, not a success.
      if (err.code === 'commander.help') process.exit(err.exitCode === 0 ? 0 : 2);
      process.exit(err.exitCode === 0 ? 0 : 2);
    }
    const { message, code } = errorLine(err);
    if (message) process.stderr.write(`error: ${message}\n`);
    process.exit(code);
  }
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap((s) => allCommands(s))];
}
