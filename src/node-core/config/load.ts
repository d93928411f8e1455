/**
 * Loads a configuration over a key table (keys.ts; the node's is node-config.ts) with precedence
 * defaults < `config/node.toml` < `.env` < `TB_*` env < flags (DESIGN.md "Node core → config/"). The TOML file is parsed with smol-toml, `.env` with
 * dotenv's `parse` (process.env is never mutated). Every value is validated against its key's
 * zod schema; the first problem throws a `ConfigError` naming the source (file, env var or flag)
 * and the key, never the value (values can be secrets).
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { parse as parseToml, TomlError } from 'smol-toml';
import { FirstRunSettings } from '../../shared/api/first-run.js';
import { NetworkFileError, resolveNetwork } from '../net/network-file.js';
import type { KeySpec, KeyTable } from './keys.js';
import { OTHER_ENV, type BaseConfig } from './schema.js';

/** A configuration problem; the message starts with the source: `config/node.toml: unknown key "rpc_adr"`. */
export class ConfigError extends Error {
  /** Process exit code for configuration errors (main.ts, CLI). */
  readonly exitCode = 2;
  constructor(
    readonly source: string,
    readonly detail: string,
    readonly key?: string,
  ) {
    super(`${source}: ${detail}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Values given as flags, by config key (strings as typed, booleans for switches). */
  flags?: Partial<Record<string, unknown>>;
  /** Explicit TOML file (`--config`); a missing explicit file is an error. Default: `TB_CONFIG`, else `<cwd>/config/node.toml` when it exists. */
  configFile?: string;
  /** Explicit dotenv file (`--env-file`); a missing explicit file is an error. Default: `<cwd>/.env` when it exists. */
  envFile?: string;
  /** Environment to read `TB_*` from (default `process.env`; never written). */
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths (default `process.cwd()`). */
  cwd?: string;
  /** Home directory for `~` (default `os.homedir()`). */
  home?: string;
}

export interface LoadedConfig<C = BaseConfig> {
  config: C;
  /** Where each value came from: `default`, a file path, an env var name or a flag. */
  sources: Record<string, string>;
  /** Absolute paths of the files actually read. */
  configFile?: string;
  envFile?: string;
  /** Non-fatal findings (unknown `TB_*` variables in the process environment). */
  warnings: string[];
}

/** Shows a path as the operator would type it: relative to cwd when inside it. */
function display(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function validate(spec: KeySpec, raw: unknown, source: string, label: string): unknown {
  const r = spec.schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const at = issue.path.length > 0 ? `[${issue.path.join('.')}]` : '';
  throw new ConfigError(
    source,
    label === source ? `${issue.message}` : `${label}${at}: ${issue.message}`,
    spec.key,
  );
}

/** Expands `~` and makes a path absolute against `cwd`. */
export function resolvePath(p: string, cwd: string, home: string): string {
  const expanded = p === '~' ? home : p.startsWith('~/') ? path.join(home, p.slice(2)) : p;
  return path.resolve(cwd, expanded);
}

function readToml(file: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      shown,
      `cannot read config file (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split('\n')[0].replace(/^Invalid TOML document:\s*/, '');
      throw new ConfigError(`${shown}:${err.line}:${err.column}`, `invalid TOML (${first})`);
    }
    throw new ConfigError(shown, 'invalid TOML');
  }
}

/** Source of a data_dir that follows the console's first run (see {@link consoleDataParent}). */
const CONSOLE_FIRST_RUN = "the console's first run";

/** Whether the operator chose the data directory (flag, env, config file), not a default (`~/.the_block`, or the console's first run). */
export function dataDirGiven(sources: Record<string, string>): boolean {
  const s = sources.data_dir ?? 'default';
  return s !== 'default' && !s.startsWith(CONSOLE_FIRST_RUN);
}

/**
 * The folder of data roots the console's first run chose (`data_parent` of
 * `~/.the_block/console.json`, schema src/shared/api/first-run.ts), when that file names an
 * absolute one; else undefined. It replaces `~/.the_block` as the default folder, so the CLI and a
 * headless node use the data (chain, wallet keys) the console uses, not a second copy beside it.
 */
function consoleDataParent(home: string): { parent: string; file: string } | undefined {
  const file = path.join(home, '.the_block', 'console.json');
  if (!existsSync(file)) return undefined;
  try {
    const r = FirstRunSettings.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return r.success && path.isAbsolute(r.data.data_parent) ? { parent: r.data.data_parent, file } : undefined;
  } catch {
    return undefined; // unreadable: the console offers its first run again; the default applies
  }
}

function readDotenv(file: string, shown: string): Record<string, string> {
  try {
    return dotenv.parse(readFileSync(file));
  } catch (err) {
    throw new ConfigError(shown, `cannot read env file (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Builds a configuration from all layers; a key outside `table` is an error naming the file and key.
 * @throws ConfigError (exitCode 2) on an unknown key, a bad value, an unreadable or corrupt file.
 */
export function loadConfigFrom<C extends BaseConfig>(table: KeyTable<C>, o: LoadOptions = {}): LoadedConfig<C> {
  const { keys: KEYS, byName: KEY_BY_NAME, byEnv: KEY_BY_ENV } = table;
  const cwd = o.cwd ?? process.cwd();
  const home = o.home ?? os.homedir();
  const env = o.env ?? process.env;
  const values = new Map<string, unknown>();
  const sources: Record<string, string> = {};
  const warnings: string[] = [];
  const suggest = (name: string) => suggestKey(name, table);
  const set = (k: string, v: unknown, src: string) => {
    values.set(k, v);
    sources[k] = src;
  };

  for (const k of KEYS) if (k.default !== undefined) set(k.key, k.default, 'default');

  // 1. TOML file.
  const explicitToml = o.configFile ?? (env.TB_CONFIG ? env.TB_CONFIG : undefined);
  const tomlPath =
    explicitToml !== undefined ? resolvePath(explicitToml, cwd, home) : path.join(cwd, 'config', 'node.toml');
  let configFile: string | undefined;
  if (explicitToml !== undefined || existsSync(tomlPath)) {
    const shown = explicitToml ?? display(tomlPath, cwd);
    if (!existsSync(tomlPath)) throw new ConfigError(shown, 'config file not found');
    const doc = readToml(tomlPath, shown);
    for (const [name, raw] of Object.entries(doc)) {
      const spec = KEY_BY_NAME.get(name);
      if (!spec) throw new ConfigError(shown, `unknown key "${name}"${suggest(name)}`, name);
      set(spec.key, validate(spec, raw, shown, name), shown);
    }
    configFile = tomlPath;
  }

  // 2. .env (only TB_* names matter; an unknown TB_* name is most likely a typo).
  const envPath = o.envFile !== undefined ? resolvePath(o.envFile, cwd, home) : path.join(cwd, '.env');
  let envFile: string | undefined;
  if (o.envFile !== undefined || existsSync(envPath)) {
    const shown = o.envFile ?? display(envPath, cwd);
    if (!existsSync(envPath)) throw new ConfigError(shown, 'env file not found');
    for (const [name, rawStr] of Object.entries(readDotenv(envPath, shown))) {
      if (!name.startsWith('TB_') || OTHER_ENV.has(name)) continue;
      const spec = KEY_BY_ENV.get(name);
      if (!spec) throw new ConfigError(shown, `unknown key "${name}"${suggest(name)}`, name);
      if (rawStr === '') continue;
      set(spec.key, validate(spec, spec.fromString(rawStr), shown, name), shown);
    }
    envFile = envPath;
  }

  // 3. Process environment (other tools share the TB_ prefix, so unknown names only warn).
  for (const [name, rawStr] of Object.entries(env)) {
    if (!name.startsWith('TB_') || rawStr === undefined || OTHER_ENV.has(name)) continue;
    const spec = KEY_BY_ENV.get(name);
    if (!spec) {
      warnings.push(`ignoring unknown environment variable ${name}${suggest(name)}`);
      continue;
    }
    if (rawStr === '') continue;
    set(spec.key, validate(spec, spec.fromString(rawStr), name, name), name);
  }

  // 4. Flags.
  for (const [key, raw] of Object.entries(o.flags ?? {})) {
    if (raw === undefined) continue;
    const spec = KEY_BY_NAME.get(key);
    if (!spec?.flag) throw new ConfigError('flags', `unknown option for key "${key}"`, key);
    const v = typeof raw === 'string' ? spec.fromString(raw) : raw;
    set(spec.key, validate(spec, v, spec.flag, spec.flag), spec.flag);
  }

  // A network file path (or a name of resources/networks/) gives the network name and its file.
  let net: { name: string; file?: string };
  try {
    net = resolveNetwork(values.get('network') as string, cwd);
  } catch (err) {
    if (err instanceof NetworkFileError) throw new ConfigError(sources.network, err.message, 'network');
    throw err;
  }
  values.set('network', net.name);
  if (net.file) values.set('network_file', net.file);
  const network = net.name;
  if (!values.has('data_dir')) {
    const chosen = consoleDataParent(home);
    if (chosen) set('data_dir', path.join(chosen.parent, network), `${CONSOLE_FIRST_RUN} (${chosen.file})`);
    else set('data_dir', path.join(home, '.the_block', network), 'default');
  }
  values.set('data_dir', resolvePath(values.get('data_dir') as string, cwd, home));

  const config = Object.fromEntries(values) as unknown as C;
  return { config, sources, configFile, envFile, warnings };
}

/** The config with the secrets of `table` replaced, for logs and `node status`. */
export function redactConfigWith(table: KeyTable, c: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  for (const k of table.keys) if (k.secret && out[k.key] !== undefined) out[k.key] = '<redacted>';
  return out;
}

/** ` (did you mean "rpc_addr"?)` for near-miss key names. */
function suggestKey(name: string, table: KeyTable): string {
  const pool = name.startsWith('TB_') ? [...table.byEnv.keys(), ...OTHER_ENV] : [...table.byName.keys()];
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of pool) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best !== undefined && bestD <= 2 ? ` (did you mean "${best}"?)` : '';
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}
