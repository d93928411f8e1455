/**
 * App-only methods (`app.*`) and the supervisor topic, declared in the same contract style as the
 * node's methods (DESIGN.md "One API": "App-only actions … are `app.*` methods handled in main with
 * the same contract style"). They are answered by the host (Electron main or the console server),
 * never by the node, and are not part of the node's `rpc.discover`.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';
import { RestoreProgress, SnapshotReason, zSnapshotPath } from './snapshots.js';
import { PhaseInfo } from './types.js';
import { DESKTOP_METHODS, DesktopTopics, zAuthToken } from './desktop.js';
import { FirstRunSettings } from './first-run.js';

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

const PORT_RE =
  /(?:port\s+(\d{2,5})|:(\d{2,5})\b).*?(?:already in use|EADDRINUSE)|(?:already in use|EADDRINUSE).*?(?:port\s+|:)(\d{2,5})/i;

/**
 * The port a node's start error names when it is a port conflict (0: a port, unnamed), else null.
 * The console then points to Settings rather than the node's flags.
 */
export function portConflictOf(msg: string): number | null {
  if (!/already in use|EADDRINUSE/i.test(msg)) return null;
  const m = PORT_RE.exec(msg);
  const p = m ? Number(m[1] ?? m[2] ?? m[3]) : NaN;
  return Number.isFinite(p) ? p : 0;
}

export const appInfo = defineMethod({
  name: 'app.info',
  summary: 'Console mode (electron | server), console version and the node supervisor state.',
  params: z.object({}),
  order: [],
  result: z.object({
    mode: AppMode,
    version: z.string(),
    supervisor: SupervisorState,
    /**
     * Where the node lives, as far as known: data directory, JSON-RPC listen address and bound
     * port, metrics listen address and bound port (both null when telemetry is off). The listen
     * addresses are as configured (`host:port`, the port possibly 0 = a free one).
     */
    node: z.object({
      data_dir: z.string().optional(),
      rpc_addr: z.string().optional(),
      rpc_port: z.number().int().optional(),
      metrics_addr: z.string().nullable().optional(),
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
  params: z.object({ path: zSnapshotPath }),
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
  /**
   * dev; builtin = resources/networks/; local = a testnet started with `contract-cli testnet up`;
   * practice = the console's own practice testnet; imported = a network file or invite the operator imported.
   */
  source: z.enum(['dev', 'builtin', 'local', 'practice', 'imported']),
  /** Testnet directory of a local testnet. */
  dir: z.string().optional(),
  description: z.string().optional(),
  /** Where this network's data lives (or would live) if joined: its own data root. */
  data_dir: z.string().optional(),
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

/* ---- The operator's first hour (#19): first run, preflight, practice testnet, network import ---- */

/** One preflight check (src/host/preflight.ts): what it found and what to do about it. */
export const PreflightCheck = z.object({
  id: z.enum(['writable', 'disk', 'ports', 'clock']),
  /** `pending`: cannot be checked yet (the clock, until peers are connected). */
  status: z.enum(['ok', 'warn', 'fail', 'pending']),
  title: z.string(),
  detail: z.string(),
  /** What to do when it is not ok. */
  fix: z.string().optional(),
  free_bytes: z.number().optional(),
  needed_bytes: z.number().optional(),
  /** `ports`: flags of the busy ports (`--rpc-addr`, …), which "use free ports" sets to 127.0.0.1:0. */
  busy_flags: z.array(z.string()).optional(),
  /** `clock`: how far this clock is behind the peers' newest block (ms). */
  skew_ms: z.number().optional(),
});
export type PreflightCheck = z.infer<typeof PreflightCheck>;

export { FirstRunSettings } from './first-run.js';

export const appFirstRun = defineMethod({
  name: 'app.firstRun',
  summary: 'Whether the first-run setup is due (no settings yet and no data directory given), the settings so far and the defaults it proposes.',
  params: z.object({}),
  order: [],
  result: z.object({
    needed: z.boolean(),
    settings_file: z.string(),
    settings: FirstRunSettings.nullable(),
    defaults: z.object({ data_parent: z.string(), network: z.string() }),
  }),
  mutating: false,
});

export const appPreflight = defineMethod({
  name: 'app.preflight',
  summary: 'Checks what silently breaks a node — data directory writable, disk space for the network, ports free (naming who holds a busy one), clock against peers — for a data directory and network (default: the current ones).',
  params: z.object({ data_dir: z.string().min(1).max(4096).optional(), network: z.string().min(1).max(4096).optional() }),
  order: ['data_dir', 'network'],
  result: z.object({ data_dir: z.string(), network: z.string(), checks: z.array(PreflightCheck), ok: z.boolean() }),
  mutating: false,
});

export const appCompleteFirstRun = defineMethod({
  name: 'app.completeFirstRun',
  summary: 'Saves the first-run choices (data folder, network, background, RPC token) and (re)starts the node with them; refuses when the preflight fails.',
  params: z.object({
    data_parent: z.string().min(1).max(4096),
    network: z.string().min(1).max(4096),
    keep_running: z.boolean(),
    /** Optional RPC auth token, by Settings' rule (desktop.ts zAuthToken); kept by the Settings store (`console-settings.json`, 0600) as Settings' token, never returned. */
    rpc_auth_token: zAuthToken.optional(),
    /** Let the node pick free ports for the busy ones the preflight named. */
    free_ports: z.boolean().optional(),
  }),
  order: ['data_parent', 'network', 'keep_running', 'rpc_auth_token', 'free_ports'],
  result: z.object({ data_dir: z.string(), network: z.string(), settings_file: z.string() }),
  mutating: true,
  reasons: ['preflight_failed'],
});

/** The console's practice testnet (src/host/practice-testnet.ts). */
export const PracticeState = z.object({
  state: z.enum(['none', 'creating', 'starting', 'joining', 'running', 'stopping', 'stopped', 'failed']),
  validators: z.number().int(),
  /** Validators answering (ready) so far. */
  ready: z.number().int(),
  dir: z.string().optional(),
  network: z.string().optional(),
  network_file: z.string().optional(),
  /** Kept running when the console quits. */
  keep: z.boolean(),
  error: z.string().optional(),
  /** Started at (ms since epoch), for the elapsed time and ETA of the start. */
  started_at_ms: z.number().optional(),
  /** What is happening now, one line. */
  step: z.string().optional(),
});
export type PracticeState = z.infer<typeof PracticeState>;

export const appPracticeTestnet = defineMethod({
  name: 'app.practiceTestnet',
  summary: 'State of the practice testnet owned by the console (none, creating, starting, joining, running, stopped, failed).',
  params: z.object({}),
  order: [],
  result: PracticeState,
  mutating: false,
});

export const appStartPracticeTestnet = defineMethod({
  name: 'app.startPracticeTestnet',
  summary: 'Starts a local N-validator practice testnet owned by the console (created on first use next to the data roots), then joins it; progress on app.practice. Stopped on quit unless keep.',
  params: z.object({ validators: z.number().int().min(1).max(7).optional(), keep: z.boolean().optional() }),
  order: ['validators', 'keep'],
  result: z.object({ started: z.literal(true) }),
  mutating: true,
  reasons: ['busy', 'not_ready'],
});

export const appStopPracticeTestnet = defineMethod({
  name: 'app.stopPracticeTestnet',
  summary: 'Stops the practice testnet\'s validators (their data stays); the node keeps its data root.',
  params: z.object({}),
  order: [],
  result: z.object({ stopped: z.array(z.string()) }),
  mutating: true,
});

export const appImportNetwork = defineMethod({
  name: 'app.importNetwork',
  summary: 'Imports a network another operator shared: a network file\'s JSON or an invite text (tb-invite:…); checked (schema, genesis hash) and kept next to the data roots; returns the network, ready to join.',
  params: z.object({ text: z.string().min(1).max(1_000_000) }),
  order: ['text'],
  result: z.object({ network: NetworkChoice, replaced: z.boolean() }),
  mutating: true,
  reasons: ['invalid_network'],
});

export const appNetworkInvite = defineMethod({
  name: 'app.networkInvite',
  summary: 'An invite text (tb-invite:<base64url network file>) for a network with a network file, to share with another operator.',
  params: z.object({ network: z.string().min(1).max(64) }),
  order: ['network'],
  result: z.object({ network: z.string(), invite: z.string() }),
  mutating: false,
});

/** All app methods. Order = display order. */
export const APP_METHODS = [
  appInfo, appRestartNode, appOpenDataDir, appOpenLogs, appPickFolder, appRestoreSnapshot, appRestoreStatus, appNetworks, appJoinNetwork, appUnlockDataDir,
  ...DESKTOP_METHODS,
  appFirstRun, appPreflight, appCompleteFirstRun, appPracticeTestnet, appStartPracticeTestnet, appStopPracticeTestnet, appImportNetwork, appNetworkInvite,
] as const;
export type AnyAppMethod = (typeof APP_METHODS)[number];
export type AppMethodName = AnyAppMethod['name'];
export type AppMethodByName<N extends AppMethodName> = Extract<AnyAppMethod, { name: N }>;

/** App topics: pushed by the host, subscribed like node topics (`chain.subscribe ["app.supervisor"]`). */
export const AppTopics = {
  /** The supervisor state changed (start, crash, backoff, crash loop, node phase). */
  'app.supervisor': SupervisorState,
  /** A restore run by the console progressed or ended (phases stopping_node … ready). */
  'app.restore': RestoreProgress,
  /** Notifications, data-directory move, settings (src/shared/api/desktop.ts). */
  ...DesktopTopics,
  /** The practice testnet progressed (creating, validators ready i/N, joining, running) or stopped. */
  'app.practice': PracticeState,
} as const;
export type AppTopicName = keyof typeof AppTopics;
export type AppTopicPayload<T extends AppTopicName> = z.infer<(typeof AppTopics)[T]>;
export const APP_TOPIC_NAMES = Object.keys(AppTopics) as AppTopicName[];
