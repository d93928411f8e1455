/**
 * The building blocks of configuration keys (DESIGN.md "Node core → config/"): one `KeySpec` per
 * key (TOML key, `TB_*` env var, flag, zod schema, string parser, default, doc), the value parsers
 * shared by every key, a module's config slice (`defineConfigSlice`, declared in the module's
 * folder) and the key table the loader reads (`keyTable`: the base keys of schema.ts plus every
 * slice). config/ never names a module: the node's table is composed by src/node-core/node-config.ts
 * from the module list, so a module may import config/ without a cycle.
 */
import { z } from 'zod';

export interface KeySpec<K extends string = string> {
  key: K;
  env: string;
  /** Long flag without its value, e.g. `--rpc-addr`; absent = not settable by flag. */
  flag?: string;
  schema: z.ZodType;
  /** Converts an env/flag string to the raw value handed to `schema`. */
  fromString: (s: string) => unknown;
  /** Default (before the other layers); `data_dir`'s depends on the network and is filled by the loader. */
  default?: unknown;
  doc: string;
  /** Never printed (logs, `config show`, errors). */
  secret?: boolean;
}

/** Strings from env/flags, as typed. */
export const str = (s: string): unknown => s;

/** Comma-separated lists from env/flags (blank items dropped). */
export const list = (s: string): unknown =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

/** Booleans from env/flags: 1/0, true/false, yes/no, on/off (case-insensitive). */
export function parseBool(s: string): unknown {
  const v = s.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return s; // left as a string so the schema reports "expected boolean"
}

/**
 * Decimal numbers from env/flags, negative ones too (so `-5` gets the schema's "must be at least
 * N" rather than "must be a number"); anything else stays a string and fails the schema.
 */
export function num(s: string): unknown {
  return /^-?[0-9]+(\.[0-9]+)?$/.test(s.trim()) ? Number(s.trim()) : s;
}

/** An integer between `min` and `max` (inclusive) of the unit `what` (named in every message). */
export const zInt = (min: number, max: number, what: string) =>
  z
    .number({ error: `must be an integer number of ${what}` })
    .int(`must be an integer number of ${what}`)
    .min(min, `must be at least ${min} ${what}`)
    .max(max, `must be at most ${max} ${what}`);

/** A switch: true or false (1/0, on/off, yes/no from env and flags). */
export const zSwitch = () => z.boolean({ error: 'must be true or false (1/0, on/off)' });

/** A non-empty path. */
export const zPath = () => z.string({ error: 'must be a path' }).min(1, 'must be a path');

/**
 * A module's configuration keys (`NodeModule.config`), typed by the fields `C` they fill in the
 * node configuration. `_config` exists only for the compiler (never set).
 */
export interface ConfigSlice<C extends object = object> {
  readonly keys: readonly KeySpec[];
  readonly _config?: C;
}

/**
 * Declares a config slice: one spec for every field of `C`, named by the field (a field without a
 * spec, or a spec for no field, does not compile). Key order = declaration order.
 */
export function defineConfigSlice<C extends object>(specs: { [K in keyof Required<C> & string]: Omit<KeySpec<K>, 'key'> }): ConfigSlice<C> {
  return { keys: Object.entries(specs).map(([key, s]) => ({ key, ...(s as Omit<KeySpec, 'key'>) })) };
}

/** The keys the loader accepts; `C` is the configuration they produce. */
export interface KeyTable<C = unknown> {
  readonly keys: readonly KeySpec[];
  readonly byName: ReadonlyMap<string, KeySpec>;
  readonly byEnv: ReadonlyMap<string, KeySpec>;
  readonly _config?: C;
}

/**
 * The base keys followed by every slice's keys, in order.
 * @throws Error naming both owners when a key, env var or flag is declared twice (a programming error).
 */
export function keyTable<C>(base: readonly KeySpec[], slices: readonly { owner: string; slice: ConfigSlice }[] = []): KeyTable<C> {
  const keys: KeySpec[] = [];
  const owner = new Map<string, string>();
  const add = (k: KeySpec, who: string) => {
    for (const id of [`key ${k.key}`, `env ${k.env}`, ...(k.flag ? [`flag ${k.flag}`] : [])]) {
      const prev = owner.get(id);
      if (prev !== undefined) throw new Error(`config ${id} is declared by ${prev} and by ${who}`);
      owner.set(id, who);
    }
    keys.push(k);
  };
  for (const k of base) add(k, 'the node');
  for (const s of slices) for (const k of s.slice.keys) add(k, `module ${s.owner}`);
  return { keys, byName: new Map(keys.map((k) => [k.key, k])), byEnv: new Map(keys.map((k) => [k.env, k])) };
}

/**
 * `cfg` with the defaults of `slice` filled in where a key is absent (a module started with a
 * config loaded without its slice, e.g. a test module list).
 */
export function withSliceDefaults<C extends object>(cfg: object, slice: ConfigSlice<C> | undefined): C {
  const out: Record<string, unknown> = { ...cfg };
  for (const k of slice?.keys ?? []) if (out[k.key] === undefined && k.default !== undefined) out[k.key] = k.default;
  return out as C;
}
