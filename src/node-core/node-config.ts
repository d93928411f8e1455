/**
 * The node's configuration: the base keys (config/schema.ts) merged with the config slice of every
 * module of the node's list (node-module-list.ts: each module's metadata, no module code — the
 * console and the CLI load this file to know the node's flags), and the loader, flags and
 * redaction bound to that table. Nothing here names a module: a module's keys arrive with its list
 * line. Modules import config/ (the base), never this file, so config/ ↔ module imports stay acyclic.
 */
import type { Command } from 'commander';
import {
  addConfigFlags,
  BASE_KEYS,
  flagsToLoadOptionsFor,
  keyTable,
  loadConfigFrom,
  redactConfigWith,
  type BaseConfig,
  type KeySpec,
  type KeyTable,
  type LoadedConfig,
  type LoadOptions,
} from './config/index.js';
import type { ConfigOfModule, ModuleMeta } from './modules/index.js';
import { NODE_MODULE_META } from './node-module-list.js';

export { ConfigError, dataDirGiven, type LoadOptions, type LoadedConfig } from './config/index.js';

type Intersect<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** Parsed and validated node configuration: the base settings and every module's. Paths are absolute; durations in ms. */
export type NodeConfig = BaseConfig & Intersect<ConfigOfModule<(typeof NODE_MODULE_META)[number]>>;
export type ConfigKey = keyof NodeConfig & string;

/** The key table of a module list (base keys first, then each module's slice in list order); modules or their metadata. */
export function nodeKeyTable(modules: readonly Pick<ModuleMeta, 'id' | 'config'>[] = NODE_MODULE_META): KeyTable<NodeConfig> {
  return keyTable<NodeConfig>(BASE_KEYS, modules.flatMap((m) => (m.config ? [{ owner: m.id, slice: m.config }] : [])));
}

/** The node's key table. */
export const NODE_KEYS: KeyTable<NodeConfig> = nodeKeyTable();
/** Every key of the node, in table order (config/node.toml, .env.example and the README table follow it). */
export const KEYS: readonly KeySpec[] = NODE_KEYS.keys;

/**
 * Loads the node configuration (config/load.ts over the node's key table).
 * @throws ConfigError (exitCode 2) on an unknown key, a bad value, an unreadable or corrupt file.
 */
export function loadConfig(o: LoadOptions = {}): LoadedConfig<NodeConfig> {
  return loadConfigFrom(NODE_KEYS, o);
}

/** Adds the node's flags to a commander command (config/flags.ts). */
export function addNodeFlags(cmd: Command): Command {
  return addConfigFlags(cmd, NODE_KEYS);
}

/** Maps commander's parsed options (camelCase) onto loader options. */
export function flagsToLoadOptions(opts: Record<string, unknown>): LoadOptions {
  return flagsToLoadOptionsFor(NODE_KEYS, opts);
}

/** The config with secrets replaced, for logs and `node status`. */
export function redactConfig(c: NodeConfig): Record<string, unknown> {
  return redactConfigWith(NODE_KEYS, c);
}
