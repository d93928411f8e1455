/**
 * Desktop integration contract (issue 20): console settings, the notification center, the
 * data-directory move, the live "port free?" check, the diagnostics bundle and the deadline
 * calendar export. `app.*` methods answered by the host (src/host/desktop/), in both modes;
 * spread into APP_METHODS / AppTopics by app.ts.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';

/** Log levels the console offers (the node's `log_level` key). */
export const ConsoleLogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

const zPort = z
  .number({ error: 'must be a port number' })
  .int('must be a whole port number')
  .min(1024, 'must be 1024 or higher (lower ports need root)')
  .max(65535, 'must be at most 65535');

/**
 * What any RPC bearer token must be: printable ASCII without spaces, what an HTTP header carries
 * byte for byte. The node's `TB_RPC_AUTH_TOKEN` (node-core/config/schema.ts) and the CLI that sends
 * it (cli/common.ts) check this one rule; the console's own tokens follow {@link zAuthToken}, stricter.
 */
export const HEADER_TOKEN = { re: /^[\x21-\x7e]+$/, message: 'must be printable ASCII without spaces (it travels in an HTTP header)' } as const;

/** RPC bearer token: 16–256 characters of A–Z a–z 0–9 . _ ~ - (safe in an HTTP header). */
export const zAuthToken = z
  .string()
  // The character rule first: a token that breaks it is said so before its length (padding
  // 'abc✓defgh' to 16 characters would not help).
  .regex(/^[A-Za-z0-9._~-]+$/, 'may only contain letters, digits and . _ ~ -')
  .min(16, 'must be at least 16 characters')
  .max(256, 'must be at most 256 characters');

/**
 * Console settings (persisted atomically in `<settings dir>/console-settings.json`). `null` for
 * a node option = as launched (config file, env, command-line flags). Node options take effect
 * at the next node start ({@link SettingsView.restart_needed}).
 */
export const ConsoleSettings = z
  .strictObject({
    /** Data directory root of the node; null = as launched. Changed through `app.moveDataDir`, not here. */
    data_dir: z.string().nullable(),
    /** Network the moved `data_dir` belongs to (applied only when the console starts on that network). */
    data_dir_network: z.string().nullable(),
    /** JSON-RPC port on 127.0.0.1 (null = as launched). */
    rpc_port: zPort.nullable(),
    /** Prometheus /metrics port on 127.0.0.1 (null = as launched). */
    metrics_port: zPort.nullable(),
    /** libp2p TCP port on 0.0.0.0 (null = as launched). */
    p2p_port: zPort.nullable(),
    /** Serve /metrics (null = as launched). */
    telemetry: z.boolean().nullable(),
    /** Node log level (null = as launched). */
    log_level: ConsoleLogLevel.nullable(),
    governor: z.strictObject({
      /** Run the launch governor (null = as launched). */
      enabled: z.boolean().nullable(),
      /** Record decisions without submitting intents (null = as launched). */
      shadow_only: z.boolean().nullable(),
      /** Sampling window in seconds, 120–86400 (null = as launched). */
      window_secs: z
        .number({ error: 'must be a number of seconds (120–86400)' })
        .int('must be a whole number of seconds')
        .min(120, 'must be at least 120 s')
        .max(86_400, 'must be at most 86400 s (one day)')
        .nullable(),
    }),
    /** Low-disk tiers on the data directory's file system, in MiB free: warn below `warn_free_mib`; below `refuse_free_mib` the console refuses new writes that could not finish (backups, restores, data-dir moves). */
    disk: z.strictObject({
      warn_free_mib: z
        .number({ error: 'must be a number of MiB' })
        .int('must be a whole number of MiB')
        .min(1, 'must be at least 1 MiB')
        .max(10_000_000),
      refuse_free_mib: z
        .number({ error: 'must be a number of MiB' })
        .int('must be a whole number of MiB')
        .min(1, 'must be at least 1 MiB')
        .max(10_000_000),
    }),
    notifications: z.strictObject({
      /** Also show OS notifications (desktop app). */
      os: z.boolean(),
      /** Notify this many blocks before a deadline (and again when it passes). */
      deadline_lead_blocks: z
        .number()
        .int('must be a whole number of blocks')
        .min(1, 'must be at least 1 block')
        .max(1_000_000),
      /** Sync stalled: no new local block for this many seconds while peers are ahead. */
      sync_stall_secs: z.number().int().min(10, 'must be at least 10 s').max(86_400),
    }),
    /** Desktop app: what closing the window does (`ask` = ask once, then remember). */
    close_action: z.enum(['ask', 'background', 'quit']),
    /** Desktop app: start at login (hidden, node in the background). */
    start_at_login: z.boolean(),
    theme: z.enum(['system', 'light', 'dark']),
  })
  .superRefine((s, ctx) => {
    if (s.disk.refuse_free_mib >= s.disk.warn_free_mib)
      ctx.addIssue({
        code: 'custom',
        path: ['disk', 'refuse_free_mib'],
        message: 'must be below the warning level',
      });
    const ports: [string, number | null][] = [
      ['rpc_port', s.rpc_port],
      ['metrics_port', s.metrics_port],
      ['p2p_port', s.p2p_port],
    ];
    for (let i = 0; i < ports.length; i++)
      for (let j = 0; j < i; j++)
        if (ports[i][1] !== null && ports[i][1] === ports[j][1])
          ctx.addIssue({
            code: 'custom',
            path: [ports[i][0]],
            message: `is the same port as ${ports[j][0]}`,
          });
  });
export type ConsoleSettings = z.infer<typeof ConsoleSettings>;

/** Defaults of a fresh console. */
export const DEFAULT_SETTINGS: ConsoleSettings = {
  data_dir: null,
  data_dir_network: null,
  rpc_port: null,
  metrics_port: null,
  p2p_port: null,
  telemetry: null,
  log_level: null,
  governor: { enabled: null, shadow_only: null, window_secs: null },
  disk: { warn_free_mib: 2048, refuse_free_mib: 512 },
  notifications: { os: true, deadline_lead_blocks: 120, sync_stall_secs: 60 },
  close_action: 'ask',
  start_at_login: false,
  theme: 'system',
};

/**
 * A settings change: any subset of the fields (nested objects may be partial). The RPC auth
 * token is write-only: a string sets it, null removes it, absent keeps it.
 */
export const SettingsPatch = z
  .object({
    rpc_port: z.unknown(),
    metrics_port: z.unknown(),
    p2p_port: z.unknown(),
    telemetry: z.unknown(),
    log_level: z.unknown(),
    governor: z.record(z.string(), z.unknown()),
    disk: z.record(z.string(), z.unknown()),
    notifications: z.record(z.string(), z.unknown()),
    close_action: z.unknown(),
    start_at_login: z.unknown(),
    theme: z.unknown(),
    rpc_auth_token: zAuthToken.nullable(),
  })
  .partial()
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatch>;

/** What the console shows on Settings (never the token itself). */
export const SettingsView = z.object({
  settings: ConsoleSettings,
  /** An RPC auth token is stored (its value is never sent back). */
  rpc_auth_token_set: z.boolean(),
  /** Node options differ from those the running node was started with: restart to apply. */
  restart_needed: z.boolean(),
  /** Settings file. */
  path: z.string(),
  /** The node's current values where the settings say "as launched" (ports and data dir once known). */
  current: z.object({
    data_dir: z.string().nullable(),
    network: z.string().nullable(),
    rpc_port: z.number().int().nullable(),
    metrics_port: z.number().int().nullable(),
  }),
});
export type SettingsView = z.infer<typeof SettingsView>;

export const NotificationKind = z.enum([
  'governor_gate',
  'node_crash',
  'node_restarted',
  'crash_loop',
  'start_failed',
  'port_conflict',
  'disk_low',
  'disk_critical',
  'sync_stalled',
  'backup_finished',
  'backup_failed',
  'deadline',
  'store_quarantined',
  'node_notice',
]);
export type NotificationKind = z.infer<typeof NotificationKind>;

export const Notification = z.object({
  /** Stable per occurrence (`<kind>:<dedupe key>:<first ms>`). */
  id: z.string(),
  kind: NotificationKind,
  severity: z.enum(['info', 'warn', 'error']),
  title: z.string(),
  body: z.string(),
  /** First and last time this occurrence was raised (ms since epoch). */
  first_ms: z.number(),
  last_ms: z.number(),
  /** Times it was raised again while still open (de-duplicated into this entry). */
  count: z.number().int(),
  read: z.boolean(),
  /** Page that helps (`settings`, `logs`, `governor`, `backup`, `network`, `deadlines`). */
  page: z.string().optional(),
  /** On `app.notification` events only: this raise should interrupt (new, outside its kind's throttle). */
  alert: z.boolean().optional(),
});
export type Notification = z.infer<typeof Notification>;

export const appNotifications = defineMethod({
  name: 'app.notifications',
  summary: 'The notification center: newest first (at most 200 kept), with the unread count.',
  params: z.object({}),
  order: [],
  result: z.object({ items: z.array(Notification), unread: z.number().int() }),
  mutating: false,
});

export const appNotificationsRead = defineMethod({
  name: 'app.notificationsRead',
  summary: 'Mark notifications read (all when `ids` is absent), or `dismiss` them from the list.',
  params: z.object({
    ids: z.array(z.string().max(200)).max(500).optional(),
    dismiss: z.boolean().optional(),
  }),
  order: ['ids', 'dismiss'],
  result: z.object({ unread: z.number().int() }),
  mutating: true,
});

export const appSettings = defineMethod({
  name: 'app.settings',
  summary:
    'Console settings (node options applied at the next node start, notifications, disk tiers, window and theme).',
  params: z.object({}),
  order: [],
  result: SettingsView,
  mutating: false,
});

export const appSetSettings = defineMethod({
  name: 'app.setSettings',
  summary:
    'Change settings (a partial patch); refused whole with field-level −32602 issues when any value is invalid; written atomically.',
  params: z.object({ patch: SettingsPatch }),
  order: ['patch'],
  result: SettingsView,
  mutating: true,
});

export const appPortFree = defineMethod({
  name: 'app.portFree',
  summary: 'Whether a TCP port can be listened on at 127.0.0.1 now (`used_by_node` when our node holds it).',
  params: z.object({ port: z.number().int().min(1).max(65535) }),
  order: ['port'],
  result: z.object({
    port: z.number().int(),
    free: z.boolean(),
    used_by_node: z.boolean(),
    detail: z.string(),
  }),
  mutating: false,
});

export const MoveStep = z.enum([
  'idle',
  'checking',
  'stopping_node',
  'copying',
  'verifying',
  'switching',
  'starting_node',
  'done',
  'failed',
]);
export type MoveStep = z.infer<typeof MoveStep>;

/** Progress of a data-directory move (also on the `app.move` topic). */
export const MoveProgress = z.object({
  step: MoveStep,
  source: z.string().optional(),
  target: z.string().optional(),
  bytes_done: z.number(),
  bytes_total: z.number(),
  files_done: z.number().int(),
  files_total: z.number().int(),
  /** Estimated ms left in the current step; null when unknown. */
  eta_ms: z.number().nullable(),
  /** The move was interrupted (console crash, power loss) and resumed at the next start. */
  resumed: z.boolean(),
  message: z.string(),
  /** Stable reason when failed (`target_inside_source`, `not_writable`, `no_space`, `target_not_empty`, `verify_failed`, `io_error`). */
  reason: z.string().optional(),
});
export type MoveProgress = z.infer<typeof MoveProgress>;

/** What app.moveDataDir and app.moveCheck take, and the reasons their (same) checks refuse with. */
const MOVE_TARGET = { params: z.object({ target: z.string().min(1).max(4096) }), order: ['target'] } as const;
const MOVE_REASONS = ['target_inside_source', 'not_writable', 'no_space', 'target_not_empty', 'busy', 'not_ready'];

export const appMoveDataDir = defineMethod({
  name: 'app.moveDataDir',
  summary:
    'Move the node data directory: checks (not inside the source, writable, enough space), stop node, copy, verify (SHA-256 of every file), switch, start; resumes after a crash; progress on app.move.',
  ...MOVE_TARGET,
  result: z.object({ started: z.literal(true) }),
  mutating: true,
  reasons: MOVE_REASONS,
});

export const appMoveCheck = defineMethod({
  name: 'app.moveCheck',
  summary:
    'The checks of app.moveDataDir alone (not inside the source, a writable folder on a disk, new or empty, enough space), asked before the operator confirms a move: the node keeps running and nothing is left behind. Returns the bytes to copy and the bytes free there.',
  ...MOVE_TARGET,
  result: z.object({ target: z.string(), need_bytes: z.number(), free_bytes: z.number() }),
  mutating: true,
  reasons: MOVE_REASONS,
});

export const appMoveStatus = defineMethod({
  name: 'app.moveStatus',
  summary: 'The data-directory move in progress or the last one (step idle when none).',
  params: z.object({}),
  order: [],
  result: MoveProgress,
  mutating: false,
});

export const appDiagnostics = defineMethod({
  name: 'app.diagnostics',
  summary:
    'Write a diagnostics zip (logs, config with secrets redacted, node.status, metrics, versions, peers, recent crashes; never wallet files) into <data dir>/diagnostics/ and return it (base64) for download.',
  params: z.object({}),
  order: [],
  result: z.object({
    path: z.string(),
    file_name: z.string(),
    bytes: z.number().int(),
    entries: z.array(z.string()),
    zip_base64: z.string(),
  }),
  mutating: true,
  reasons: ['not_ready', 'no_space'],
});

export const appDeadlinesIcs = defineMethod({
  name: 'app.deadlinesIcs',
  summary:
    'The deadline inbox as an iCalendar (.ics) file: one event per deadline at its estimated wall time.',
  params: z.object({}),
  order: [],
  result: z.object({ file_name: z.string(), text: z.string(), events: z.number().int() }),
  mutating: false,
  reasons: ['not_ready'],
});

export const DESKTOP_METHODS = [
  appNotifications,
  appNotificationsRead,
  appSettings,
  appSetSettings,
  appPortFree,
  appMoveDataDir,
  appMoveCheck,
  appMoveStatus,
  appDiagnostics,
  appDeadlinesIcs,
] as const;

export const DesktopTopics = {
  /** A notification was raised or raised again (de-duplicated: same id, higher count). */
  'app.notification': Notification,
  /** Data-directory move progress. */
  'app.move': MoveProgress,
  /** Settings were changed (by this or another window). */
  'app.settings': SettingsView,
} as const;
