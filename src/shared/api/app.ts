/**
 * App-only methods (`app.*`) and the supervisor topic, declared in the same contract style as the
 * node's methods (DESIGN.md "One API": "App-only actions … are `app.*` methods handled in main with
 * the same contract style"). They are answered by the host (Electron main or the console server),
 * never by the node, and are not part of the node's `rpc.discover`.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';
import { RestoreProgress, SnapshotReason } from './snapshots.js';
import { PhaseInfo } from './types.js';

/** Where the console runs: the Electron window, or console server mode (browser over WebSocket). */
export const AppMode = z.enum(['electron', 'server']);
export type AppMode = z.infer<typeof AppMode>;

/**
 * State of the node's supervisor (cf. Daedalus node states: starting / running / stopping /
 * crashed / unrecoverable).
 * - `starting`: child spawned, not yet answering on the IPC channel;
 * - `running`: child answers JSON-RPC (its own lifecycle is in `node_phase`);
 * - `backoff`: child crashed, restart scheduled at `next_restart_at_ms`;
 * - `crash_loop`: 3 crashes within a minute; no automatic restart until `app.restartNode`;
 * - `start_failed`: the node exited before it was ready and said why (port in use, data dir
 *   locked, bad config — its `exit` lifecycle message, in `start_error`); restarting would only
 *   fail again, so none follows until `app.restartNode`;
 * - `stopping` / `stopped`: ordered stop (quit, or before a manual restart).
 */
export const SupervisorStateName = z.enum(['starting', 'running', 'backoff', 'crash_loop', 'start_failed', 'stopping', 'stopped']);
export type SupervisorStateName = z.infer<typeof SupervisorStateName>;

export const CrashInfo = z.object({
  /** Wall-clock time of the exit (ms since epoch). */
  at_ms: z.number(),
  /** Exit code, or null when killed by a signal. */
  code: z.number().int().nullable(),
  /** Signal name (e.g. `SIGKILL`), or null. */
  signal: z.string().nullable(),
  /** Human summary, e.g. "killed by SIGKILL" or "exited with code 1: data directory … is in use by pid 42". */
  reason: z.string(),
  /** Last lines the child wrote to stderr/stdout before exiting (untrusted text). */
  last_lines: z.array(z.string()),
});
export type CrashInfo = z.infer<typeof CrashInfo>;

export const SupervisorState = z.object({
  state: SupervisorStateName,
  /** Launcher in use: Electron `utilityProcess` or `child_process.fork`. */
  launcher: z.enum(['utility', 'fork']),
  /** pid of the current node process (absent while none runs). */
  pid: z.number().int().optional(),
  /** Last phase the node reported (`node.phase`), or null before the first report. */
  node_phase: PhaseInfo.nullable(),
  /** Automatic restarts since the console started (manual restarts reset the crash window, not this count). */
  restarts: z.number().int(),
  last_crash: CrashInfo.nullable(),
  crash_loop: z.boolean(),
  /** The node's own one-line reason, in state `start_failed` (e.g. "port 8545 is already in use …"). */
  start_error: z.string().optional(),
  /** Stable reason of the start failure when the node gave one, e.g. `data_dir_locked_elsewhere` (the console then offers "Take over the lock"). */
  start_error_reason: z.string().optional(),
  /** When the next automatic restart happens (ms since epoch), in state `backoff`. */
  next_restart_at_ms: z.number().optional(),
});
export type SupervisorState = z.infer<typeof SupervisorState>;

export const appInfo = defineMethod({
  name: 'app.info',
  summary: 'Console mode (electron | server), console version and the node supervisor state.',
  params: z.object({}),
  order: [],
  result: z.object({
    mode: AppMode,
    version: z.string(),
    supervisor: SupervisorState,
    /** Where the node lives, as far as known: data directory, JSON-RPC address and port, metrics port (null when telemetry is off). */
    node: z.object({
      data_dir: z.string().optional(),
      rpc_addr: z.string().optional(),
      rpc_port: z.number().int().optional(),
      metrics_port: z.number().int().nullable().optional(),
    }),
  }),
  mutating: false,
});

export const appRestartNode = defineMethod({
  name: 'app.restartNode',
  summary: 'Ordered stop of the node process (if running), then start it again; clears the crash loop.',
  params: z.object({}),
  order: [],
  result: z.object({ restarted: z.literal(true) }),
  mutating: true,
});

export const appOpenDataDir = defineMethod({
  name: 'app.openDataDir',
  summary: 'Open the node data directory in the desktop file manager (server mode: only return its path).',
  params: z.object({}),
  order: [],
  result: z.object({ path: z.string(), opened: z.boolean() }),
  mutating: false,
});

export const appOpenLogs = defineMethod({
  name: 'app.openLogs',
  summary: 'Open the node log file (desktop), and return its path plus the last lines (server mode: path and tail only).',
  params: z.object({ lines: z.number().int().min(1).max(500).optional() }),
  order: ['lines'],
  result: z.object({ path: z.string(), opened: z.boolean(), tail: z.array(z.string()) }),
  mutating: false,
});

export const appPickFolder = defineMethod({
  name: 'app.pickFolder',
  summary: 'Desktop: a native folder dialog (e.g. a backup destination); `supported` is false in server mode, where the UI asks for a path instead.',
  params: z.object({ title: z.string().max(200).optional() }),
  order: ['title'],
  result: z.object({ supported: z.boolean(), path: z.string().nullable() }),
  mutating: false,
});

export const appRestoreSnapshot = defineMethod({
  name: 'app.restoreSnapshot',
  summary:
    'Restore a snapshot into the node\'s data directory: pre-checks, stop the node, restore into staging, verify, swap (old data kept as <data dir>.pre-restore-<time>), restart; progress on app.restore.',
  params: z.object({ path: z.string().min(1).max(4096) }),
  order: ['path'],
  result: z.object({ started: z.literal(true) }),
  mutating: true,
  reasons: [SnapshotReason.busy, SnapshotReason.wrong_network, SnapshotReason.invalid_manifest, SnapshotReason.newer_format, SnapshotReason.incompatible_version, SnapshotReason.no_space],
});

export const appRestoreStatus = defineMethod({
  name: 'app.restoreStatus',
  summary: 'The restore in progress, or the last one since the console started (state idle when none).',
  params: z.object({}),
  order: [],
  result: RestoreProgress,
  mutating: false,
});

export const appUnlockDataDir = defineMethod({
  name: 'app.unlockDataDir',
  summary:
    'Take over the data-directory lock left by a node of another host (or a stale one of this host), after the operator checked that no node uses the directory; then start the node. Never removes the lock of a live node of this host.',
  params: z.object({
    /** The pid the operator saw in the refusal: the lock must still name it. */
    expect_pid: z.number().int().positive().optional(),
  }),
  order: ['expect_pid'],
  result: z.object({
    lock_file: z.string(),
    removed: z.boolean(),
    holder_pid: z.number().int().nullable(),
    holder_host: z.string().nullable(),
    restarted: z.boolean(),
  }),
  mutating: true,
  reasons: ['not_ready', 'data_dir_locked', 'lock_changed'],
});

/** A network the console can join (src/host/network-switch.ts). */
export const NetworkChoice = z.object({
  name: z.string(),
  /** Network file (absent for dev). */
  file: z.string().optional(),
  chain_id: z.number().int(),
  validators: z.number().int(),
  bootstrap: z.number().int(),
  /** dev; builtin = resources/networks/; local = a testnet started with `contract-cli testnet up`. */
  source: z.enum(['dev', 'builtin', 'local']),
  /** Testnet directory of a local testnet. */
  dir: z.string().optional(),
  description: z.string().optional(),
});
export type NetworkChoice = z.infer<typeof NetworkChoice>;

export const appNetworks = defineMethod({
  name: 'app.networks',
  summary: 'Networks the console can join: dev, local testnets found on disk (contract-cli testnet up), and resources/networks/.',
  params: z.object({}),
  order: [],
  result: z.object({ networks: z.array(NetworkChoice), current: z.string().nullable() }),
  mutating: false,
});

export const appJoinNetwork = defineMethod({
  name: 'app.joinNetwork',
  summary: 'Join a network: restart the node on that network with its own data root (a sibling of the current one); it then dials the bootstrap peers and syncs (progress on net.sync).',
  params: z.object({ network: z.string().min(1).max(4096) }),
  order: ['network'],
  result: z.object({ network: z.string(), data_dir: z.string(), network_file: z.string().nullable() }),
  mutating: true,
  reasons: ['not_ready'],
});

/** All app methods. Order = display order. */
export const APP_METHODS = [appInfo, appRestartNode, appOpenDataDir, appOpenLogs, appPickFolder, appRestoreSnapshot, appRestoreStatus, appNetworks, appJoinNetwork, appUnlockDataDir] as const;
export type AnyAppMethod = (typeof APP_METHODS)[number];
export type AppMethodName = AnyAppMethod['name'];
export type AppMethodByName<N extends AppMethodName> = Extract<AnyAppMethod, { name: N }>;

/** App topics: pushed by the host, subscribed like node topics (`chain.subscribe ["app.supervisor"]`). */
export const AppTopics = {
  /** The supervisor state changed (start, crash, backoff, crash loop, node phase). */
  'app.supervisor': SupervisorState,
  /** A restore run by the console progressed or ended (phases stopping_node … ready). */
  'app.restore': RestoreProgress,
} as const;
export type AppTopicName = keyof typeof AppTopics;
export type AppTopicPayload<T extends AppTopicName> = z.infer<(typeof AppTopics)[T]>;
export const APP_TOPIC_NAMES = Object.keys(AppTopics) as AppTopicName[];
