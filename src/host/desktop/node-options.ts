/**
 * Console settings → the node's start options. Node options are set where the node reads them:
 * flags for what has a flag (`--rpc-addr`, `--metrics-addr`, `--p2p-tcp-addr`, `--telemetry`,
 * `--log-level`, `--data-dir`), `TB_*` environment variables for the rest (governor options and
 * the RPC token, which must never appear in a process list). A `null` setting means the launch
 * value: the flag as the console was launched with it, or no flag if it was not given.
 */
import type { ConsoleSettings } from '../../shared/api/desktop.js';
import { flagValue, withFlag } from '../network-switch.js';

/** Removes every form of a boolean flag (`--x`, `--no-x`). */
function withoutBool(args: string[], name: string): string[] {
  return args.filter((a) => a !== `--${name}` && a !== `--no-${name}`);
}

/** The network the node args name (`--network`), else `TB_NETWORK`, else dev. */
export function networkOfArgs(args: string[], env: NodeJS.ProcessEnv = process.env): string {
  return flagValue(args, '--network') ?? env.TB_NETWORK ?? 'dev';
}

/** Removes every `--flag value` / `--flag=value` form of a flag. */
function withoutFlag(args: string[], flag: string): string[] {
  return withFlag(args, flag, '').slice(0, -2);
}

/**
 * Node flags with the settings applied.
 * @param only top-level settings keys to apply (default: all); the data directory is applied only
 *   when `data_dir_network` names the network of these args.
 * @param launch the flags the console was launched with: a `null` setting among `only` puts the
 *   launch value back (`args` may hold an earlier saved value: a port cleared in Settings is the
 *   port the node was launched with, not the one saved before). Without it, `null` keeps `args`.
 */
export function applyToArgs(
  args: string[],
  s: ConsoleSettings,
  only?: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  launch?: readonly string[],
): string[] {
  const want = (k: string) => !only || only.includes(k);
  let a = [...args];
  /** `flag` set to `value`, or for null its launch value (no flag if it had none). */
  const set = (flag: string, value: string | null) => {
    if (value !== null) return withFlag(a, flag, value);
    if (!launch) return a;
    const v = flagValue(launch, flag);
    return v !== undefined ? withFlag(a, flag, v) : withoutFlag(a, flag);
  };
  if (want('data_dir') && s.data_dir && (s.data_dir_network ?? 'dev') === baseName(networkOfArgs(a, env)))
    a = withFlag(a, '--data-dir', s.data_dir);
  if (want('rpc_port')) a = set('--rpc-addr', s.rpc_port !== null ? `127.0.0.1:${s.rpc_port}` : null);
  if (want('metrics_port')) a = set('--metrics-addr', s.metrics_port !== null ? `127.0.0.1:${s.metrics_port}` : null);
  if (want('p2p_port')) a = set('--p2p-tcp-addr', s.p2p_port !== null ? `0.0.0.0:${s.p2p_port}` : null);
  if (want('log_level')) a = set('--log-level', s.log_level);
  if (want('telemetry') && s.telemetry !== null)
    a = [...withoutBool(a, 'telemetry'), s.telemetry ? '--telemetry' : '--no-telemetry'];
  else if (want('telemetry') && launch) {
    const given = launch.filter((x) => x === '--telemetry' || x === '--no-telemetry').pop();
    a = [...withoutBool(a, 'telemetry'), ...(given ? [given] : [])];
  }
  return a;
}

/** The flags Settings can set, each with the setting that owns it. */
const SETTINGS_FLAGS: readonly (readonly [flag: string, setting: string])[] = [
  ['--data-dir', 'data directory'],
  ['--rpc-addr', 'JSON-RPC port'],
  ['--metrics-addr', 'metrics port'],
  ['--p2p-tcp-addr', 'peer-to-peer port'],
  ['--log-level', 'log level'],
];

/** A flag given at launch that a saved setting replaced (`applyToArgs`): what was asked, what is used. */
export interface LaunchOverride {
  flag: string;
  setting: string;
  launch: string;
  used: string;
}

/**
 * The launch flags the console's saved settings replaced, so the terminal can say so (an operator
 * who starts with `--data-dir A` after moving the data to B in the console gets B, and is told).
 */
export function launchOverrides(launchArgs: readonly string[], appliedArgs: readonly string[]): LaunchOverride[] {
  const out: LaunchOverride[] = [];
  for (const [flag, setting] of SETTINGS_FLAGS) {
    const launch = flagValue(launchArgs, flag);
    const used = flagValue(appliedArgs, flag);
    if (launch !== undefined && used !== undefined && launch !== used) out.push({ flag, setting, launch, used });
  }
  return out;
}

/** A network file path names its network by its base name (`…/testnet.json` → testnet). */
function baseName(network: string): string {
  return network.includes('/') || network.endsWith('.json')
    ? (network.split('/').pop() ?? network).replace(/\.json$/, '')
    : network;
}

/** Environment variables the settings own (governor options, RPC token). */
export const SETTINGS_ENV_KEYS = [
  'TB_GOVERNOR_ENABLED',
  'TB_GOVERNOR_SHADOW_ONLY',
  'TB_GOVERNOR_WINDOW_SECS',
  'TB_RPC_AUTH_TOKEN',
] as const;

/**
 * The settings' environment variables, for `Supervisor.setEnv` (which merges; `undefined`
 * removes): each owned key gets its setting, else its value in `launch` (the environment the
 * console was launched with), else is removed. `token`: the RPC token in force (Settings' token,
 * which the first run sets, else the launch one), or undefined for none.
 */
export function envPatch(
  launch: NodeJS.ProcessEnv,
  s: ConsoleSettings,
  token: string | undefined,
): Record<(typeof SETTINGS_ENV_KEYS)[number], string | undefined> {
  const b = (v: boolean) => (v ? '1' : '0');
  return {
    TB_GOVERNOR_ENABLED: s.governor.enabled !== null ? b(s.governor.enabled) : launch.TB_GOVERNOR_ENABLED,
    TB_GOVERNOR_SHADOW_ONLY:
      s.governor.shadow_only !== null ? b(s.governor.shadow_only) : launch.TB_GOVERNOR_SHADOW_ONLY,
    TB_GOVERNOR_WINDOW_SECS:
      s.governor.window_secs !== null ? String(s.governor.window_secs) : launch.TB_GOVERNOR_WINDOW_SECS,
    TB_RPC_AUTH_TOKEN: token || undefined,
  };
}

/** Node environment with the settings applied (governor options, RPC token). */
export function applyToEnv(
  env: NodeJS.ProcessEnv,
  s: ConsoleSettings,
  token: string | undefined,
  tokenManaged: boolean,
): NodeJS.ProcessEnv {
  const e = { ...env };
  const p: Record<string, string | undefined> = envPatch(env, s, token);
  if (!token && !tokenManaged) p.TB_RPC_AUTH_TOKEN = env.TB_RPC_AUTH_TOKEN;
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined) delete e[k];
    else e[k] = v;
  }
  return e;
}
