/**
 * The node's own configuration keys (base schema), declared once: TOML key, `TB_*` env var,
 * command-line flag, zod schema of the value, how a string (env / flag) becomes a value, default,
 * and doc line. Modules declare theirs as config slices in their own folders (keys.ts
 * `defineConfigSlice`; e.g. governor/config.ts); src/node-core/node-config.ts merges base + slices
 * into the node's key table, which the loader (`load.ts`), the flags (`flags.ts`),
 * `config/node.toml`, `.env.example` and the README's table follow.
 */
import { z } from 'zod';
import { list, num, parseBool, str, zInt, zPath, zSwitch, type KeySpec } from './keys.js';
import { HEADER_TOKEN } from '../../shared/api/desktop.js';

/** pino level names accepted by `log_level`. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/** `host:port` with port 0..65535 (0 = pick a free port, reported in the ready message). */
export const zHostPort = z.string().superRefine((s, ctx) => {
  const m = HOST_PORT.exec(s);
  if (!m) ctx.addIssue({ code: 'custom', message: 'must be host:port (e.g. 127.0.0.1:8545)' });
  else if (Number(m[2]) > 65535) ctx.addIssue({ code: 'custom', message: `port ${Number(m[2])} is out of range: ports are 0–65535 (0 = any free port)` });
});

const zNetwork = z
  .string()
  .refine(
    (v) => /^[a-z0-9][a-z0-9_-]{0,31}$/.test(v) || ((v.includes('/') || v.endsWith('.json')) && v.length <= 4096),
    'must be a network name like dev or testnet (lowercase letters, digits, - and _), or the path of a network file (…/network.json)',
  );
const zPeerList = z.array(
  z.string().regex(/^(\/(ip4|ip6|dns4|dns6)\/\S+|[A-Za-z0-9.-]+:[0-9]{1,5})$/, 'must be a multiaddr (/ip4/127.0.0.1/tcp/30333/p2p/12D3…) or host:port'),
);

/** The node's own settings (modules add theirs: node-config.ts `NodeConfig`). Paths are absolute; durations in ms. */
export interface BaseConfig {
  /** Network name; selects genesis and the default data dir (a network file path given as `network` is resolved to its name). */
  network: string;
  /** Absolute network file (resources/networks/<name>.json or a path given as `network`); derived by the loader, not a key. */
  network_file?: string;
  /** Run the libp2p host (gossip, sync); off = a node alone. */
  p2p: boolean;
  /** QUIC listen address (UDP), port 0 = a free port. */
  p2p_quic_addr: string;
  /** TCP listen address (noise + yamux), port 0 = a free port. */
  p2p_tcp_addr: string;
  /** Extra bootstrap peers (multiaddrs), besides the network file's. */
  p2p_bootstrap: string[];
  /** Peers kept connected (multiaddrs or host:port = TCP), spec TB_MESH_STATIC_PEERS. */
  p2p_static_peers: string[];
  /** Peer store file; undefined = `<data_dir>/overlay/overlay_peers.json`. */
  p2p_overlay_path?: string;
  /** How long a banned peer stays refused (s). */
  p2p_ban_secs: number;
  /** Interval of sync status rounds (ms), spec TB_P2P_CHAIN_SYNC_INTERVAL_MS. */
  p2p_sync_interval_ms: number;
  /** Test hooks (`net.chaos`: message loss, jitter, partitions). Never on in production. */
  p2p_test_hooks: boolean;
  /** Test-only fault injection (`double_sign`). */
  test_fault: 'none' | 'double_sign';
  /** Absolute data directory root (`~/.the_block/<network>` by default, or `<data_parent>/<network>` of the console's first run, config/load.ts). */
  data_dir: string;
  /** JSON-RPC HTTP+WS listen address. */
  rpc_addr: string;
  /** Prometheus `/metrics` listen address (only bound when `telemetry` is on). */
  metrics_addr: string;
  /** Serve `/metrics`. */
  telemetry: boolean;
  /** Bearer token required for mutating RPC methods; never logged. */
  rpc_auth_token?: string;
  /** Per-IP RPC rate (token bucket refill per second). */
  rpc_tokens_per_sec: number;
  /** Extra `Host` header values accepted by the HTTP servers (loopback names are always accepted). */
  rpc_allowed_hosts: string[];
  /** Origins allowed by CORS on the RPC server (none by default). */
  rpc_cors_origins: string[];
  /** Block interval override in ms (dev network); undefined = the genesis value. */
  block_time_ms?: number;
  /** Level for stdout and `logs/node.log` (the `log.line` feed always carries info and above). */
  log_level: LogLevel;
  /** Rotate `logs/node.log` when it reaches this many MiB. */
  log_max_size_mb: number;
  /** Rotated log files kept besides the active one. */
  log_max_files: number;
  /** Default SimpleDb engine for the node's small stores (storage/simpledb.ts). */
  simple_db_engine: 'file' | 'level' | 'memory';
  /** Per-store byte quota of SimpleDb stores; undefined = unlimited. */
  simple_db_limit_bytes?: number;
}

/** A base key name. */
export type ConfigKey = keyof BaseConfig;

/** The node's own keys (module keys come from their slices). */
export const BASE_KEYS: readonly KeySpec[] = [
  {
    key: 'network',
    env: 'TB_NETWORK',
    flag: '--network',
    schema: zNetwork,
    fromString: str,
    default: 'dev',
    doc: 'network name (dev, testnet, …); selects genesis and the default data dir',
  },
  {
    key: 'data_dir',
    env: 'TB_DATA_DIR',
    flag: '--data-dir',
    schema: zPath(),
    fromString: str,
    doc: "data directory root (default ~/.the_block/<network>, or <the console's data folder>/<network> once its first run chose one); `~` is expanded, relative paths are taken from the working directory",
  },
  {
    key: 'rpc_addr',
    env: 'TB_RPC_ADDR',
    flag: '--rpc-addr',
    schema: zHostPort,
    fromString: str,
    default: '127.0.0.1:8545',
    doc: 'JSON-RPC HTTP + WebSocket listen address',
  },
  {
    key: 'metrics_addr',
    env: 'TB_METRICS_ADDR',
    flag: '--metrics-addr',
    schema: zHostPort,
    fromString: str,
    default: '127.0.0.1:26658',
    doc: 'Prometheus /metrics listen address',
  },
  {
    key: 'telemetry',
    env: 'TB_ENABLE_TELEMETRY',
    flag: '--telemetry',
    schema: zSwitch(),
    fromString: parseBool,
    default: true,
    doc: 'serve /metrics (off = no metrics server)',
  },
  {
    key: 'rpc_auth_token',
    env: 'TB_RPC_AUTH_TOKEN',
    // Clients send it in an HTTP header (`Authorization: Bearer …`): printable ASCII only, or curl
    // and our own CLI disagree on its bytes (a non-ASCII token was refused to one, accepted from the other).
    schema: z.string({ error: 'must be a string' }).regex(HEADER_TOKEN.re, HEADER_TOKEN.message),
    fromString: str,
    doc: 'when set, mutating RPC methods need `Authorization: Bearer <token>`',
    secret: true,
  },
  {
    key: 'rpc_tokens_per_sec',
    env: 'TB_RPC_TOKENS_PER_SEC',
    flag: '--rpc-tokens-per-sec',
    schema: z
      .number({ error: 'must be a positive number' })
      .positive('must be a positive number')
      .max(1e6, 'must be at most 1000000'),
    fromString: num,
    default: 100,
    doc: 'per-IP RPC rate limit (requests per second, token bucket)',
  },
  {
    key: 'rpc_allowed_hosts',
    env: 'TB_RPC_ALLOWED_HOSTS',
    schema: z.array(z.string().regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name or address')),
    fromString: list,
    default: [],
    doc: 'extra Host header values accepted by the RPC and metrics servers (comma-separated in env)',
  },
  {
    key: 'rpc_cors_origins',
    env: 'TB_RPC_CORS_ORIGINS',
    schema: z.array(z.string().regex(/^https?:\/\/[^\s/]+$/, 'must be an origin like http://localhost:3000')),
    fromString: list,
    default: [],
    doc: 'origins allowed by CORS on the RPC server (comma-separated in env; none by default)',
  },
  {
    key: 'block_time_ms',
    env: 'TB_BLOCK_TIME_MS',
    flag: '--block-time-ms',
    schema: zInt(50, 600_000, 'ms'),
    fromString: num,
    doc: 'block interval in ms (dev network; default: the genesis value, 1000)',
  },
  {
    key: 'log_level',
    env: 'TB_LOG_LEVEL',
    flag: '--log-level',
    schema: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    fromString: (s) => s.trim().toLowerCase(),
    default: 'info',
    doc: 'log level of stdout and logs/node.log',
  },
  {
    key: 'log_max_size_mb',
    env: 'TB_LOG_MAX_SIZE_MB',
    schema: zInt(1, 10_240, 'MiB'),
    fromString: num,
    default: 10,
    doc: 'rotate logs/node.log at this size (MiB)',
  },
  {
    key: 'log_max_files',
    env: 'TB_LOG_MAX_FILES',
    schema: zInt(1, 1000, 'files'),
    fromString: num,
    default: 5,
    doc: 'rotated log files kept besides the active one',
  },
  {
    key: 'simple_db_engine',
    env: 'TB_SIMPLE_DB_ENGINE',
    schema: z.enum(['file', 'level', 'memory'], { error: 'must be one of file, level, memory' }),
    fromString: (s) => s.trim().toLowerCase(),
    default: 'file',
    doc: 'engine of the SimpleDb stores: file (one file, temp+fsync+rename), level (classic-level) or memory (nothing kept); existing data keeps its engine',
  },
  {
    key: 'simple_db_limit_bytes',
    env: 'TB_SIMPLE_DB_LIMIT_BYTES',
    schema: zInt(1, Number.MAX_SAFE_INTEGER, 'bytes'),
    fromString: num,
    doc: 'quota of each SimpleDb store in bytes (keys + values); a write over it is refused with an error naming this setting (default: unlimited)',
  },
  // Network (issue 6): libp2p host, bootstrap and static peers, test hooks.
  {
    key: 'p2p',
    env: 'TB_P2P_ENABLED',
    schema: zSwitch(),
    fromString: parseBool,
    default: true,
    doc: 'run the libp2p host (gossip and sync with peers); off = a node alone',
  },
  {
    key: 'p2p_quic_addr',
    env: 'TB_P2P_QUIC_ADDR',
    flag: '--p2p-quic-addr',
    schema: zHostPort,
    fromString: str,
    default: '127.0.0.1:0',
    doc: 'QUIC (UDP) listen address for peers; port 0 = a free port',
  },
  {
    key: 'p2p_tcp_addr',
    env: 'TB_P2P_TCP_ADDR',
    flag: '--p2p-tcp-addr',
    schema: zHostPort,
    fromString: str,
    default: '127.0.0.1:0',
    doc: 'TCP listen address for peers (noise + yamux); port 0 = a free port',
  },
  {
    key: 'p2p_bootstrap',
    env: 'TB_BOOTSTRAP_PEERS',
    flag: '--bootstrap',
    schema: zPeerList,
    fromString: list,
    default: [],
    doc: 'extra bootstrap peers, comma-separated multiaddrs (the network file lists its own)',
  },
  {
    key: 'p2p_static_peers',
    env: 'TB_MESH_STATIC_PEERS',
    flag: '--static-peers',
    schema: zPeerList,
    fromString: list,
    default: [],
    doc: 'peers kept connected, comma-separated multiaddrs or host:port (TCP)',
  },
  {
    key: 'p2p_overlay_path',
    env: 'TB_OVERLAY_DB_PATH',
    schema: zPath(),
    fromString: str,
    doc: 'peer store file (default <data dir>/overlay/overlay_peers.json)',
  },
  {
    key: 'p2p_ban_secs',
    env: 'TB_P2P_BAN_SECS',
    schema: zInt(1, 7 * 86_400, 's'),
    fromString: num,
    default: 600,
    doc: 'how long a banned peer is refused (s)',
  },
  {
    key: 'p2p_sync_interval_ms',
    env: 'TB_P2P_CHAIN_SYNC_INTERVAL_MS',
    schema: zInt(50, 60_000, 'ms'),
    fromString: num,
    default: 500,
    doc: 'interval of chain sync rounds with peers (ms)',
  },
  {
    key: 'p2p_test_hooks',
    env: 'TB_P2P_TEST_HOOKS',
    schema: zSwitch(),
    fromString: parseBool,
    default: false,
    doc: 'TEST ONLY: enable net.chaos (message loss, jitter, partitions)',
  },
  {
    key: 'test_fault',
    env: 'TB_TEST_FAULT',
    schema: z.enum(['none', 'double_sign'], { error: 'must be none or double_sign' }),
    fromString: (s) => s.trim(),
    default: 'none',
    doc: 'TEST ONLY: fault injection (double_sign: a validator signs two conflicting votes per height)',
  },
];

/**
 * `TB_*` variables that are legitimate in `.env` / the environment but are not node settings
 * (read by the CLI or by the loader itself). Any other `TB_*` name in `.env` is an error.
 */
export const OTHER_ENV = new Set(['TB_RPC_URL', 'TB_CONFIG', 'TB_RESOURCES_DIR']);
