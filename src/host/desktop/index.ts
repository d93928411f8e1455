/**
 * Desktop integration services shared by Electron main and the console server (issue 20): the
 * settings store (applied to the node's flags and environment), the notification center and its
 * watchers, the disk tiers (the second refuses writes that could not finish), the data-directory
 * move, the diagnostics bundle, the "port free?" check and the calendar export — and the
 * `app.*` handlers of src/shared/api/desktop.ts.
 */

import type { CrashInfo } from '../../shared/api/app.js';
import type { ParamsOf, ResultOf } from '../../shared/api/define.js';
import type { DESKTOP_METHODS, SettingsView, ConsoleSettings } from '../../shared/api/desktop.js';
import type { DeadlinesResult } from '../../shared/api/deadlines.js';
import { Reason, RpcError } from '../../shared/api/errors.js';
import type { Supervisor } from '../supervisor.js';
import { writeDiagnostics } from './diagnostics.js';
import { deadlinesToIcs } from './ics-export.js';
import { MoveJob } from './move-datadir.js';
import { applyToArgs, envPatch, launchOverrides, networkOfArgs, type LaunchOverride } from './node-options.js';
import { NotificationCenter } from './notify-center.js';
import { checkDisk, deadlineNotices, watchSupervisor, watchTopics, type DiskTier } from './notify-sources.js';
import { portFree } from './port-check.js';
import { SettingsStore, settingsDirFor } from './settings-store.js';

type DesktopMethod = (typeof DESKTOP_METHODS)[number];
type DesktopName = DesktopMethod['name'];
type H<N extends DesktopName> = (
  p: ParamsOf<Extract<DesktopMethod, { name: N }>>,
) => Promise<ResultOf<Extract<DesktopMethod, { name: N }>>>;
export type DesktopHandlers = { [N in DesktopName]: H<N> };

/** Node methods that write a lot to disk: refused while the disk is in the critical tier. */
const BULK_WRITES = new Set([
  'snapshots.create',
  'snapshots.schedule_run',
  'app.restoreSnapshot',
  'app.moveDataDir',
]);

export interface DesktopOptions {
  mode: 'electron' | 'server';
  supervisor: Supervisor;
  /** The node's data directory as far as known (reported, else the launch hint). */
  dataDir: () => string | undefined;
  /** Settings directory (Electron: userData); TB_CONSOLE_DIR wins; default: parent of the launch data root. */
  settingsDir?: string;
  dataRootHint?: string;
  /** Disk check period (ms, default 30 000) and deadline check period (ms, default 10 000); 0 = off (tests). */
  diskIntervalMs?: number;
  deadlineIntervalMs?: number;
  now?: () => number;
}

export interface Desktop {
  settings: SettingsStore;
  center: NotificationCenter;
  move: MoveJob;
  handlers: DesktopHandlers;
  /** Throws RpcError `no_space` for bulk writes while the disk is critical. */
  guard(method: string): void;
  /** Recent crashes (newest last, at most 20). */
  crashes(): CrashInfo[];
  settingsView(): SettingsView;
  onSettings(cb: (v: SettingsView) => void): () => void;
  /** Launch flags the saved settings replaced at start (console-main prints a line for each). */
  overrides: LaunchOverride[];
  /** Stops the watchers (timers, subscriptions). */
  close(): void;
}

export function createDesktop(o: DesktopOptions): Desktop {
  const sup = o.supervisor;
  const now = o.now ?? Date.now;
  const dir = settingsDirFor({ explicit: o.settingsDir, dataRoot: o.dataRootHint });
  const settings = new SettingsStore(dir);
  const center = new NotificationCenter({ now });
  const baseEnv = sup.env() ?? process.env;
  const tokenFromLaunch = baseEnv.TB_RPC_AUTH_TOKEN;

  // Launch: the saved node options on top of the launch flags and environment. Only the keys
  // Settings own are set (merged into the node's environment: nothing else there is lost); a
  // `null` setting gives the launch value back — the launch flags', not the current args' (which
  // hold the value saved before: a port cleared after a failed start must not stay on it).
  const launchArgs = sup.args();
  const apply = (only?: readonly string[]) => {
    const s = settings.get();
    sup.setArgs(applyToArgs(sup.args(), s, only, process.env, launchArgs));
    sup.setEnv(envPatch(baseEnv, s, settings.authToken() ?? tokenFromLaunch));
  };
  apply();
  const overrides = launchOverrides(launchArgs, sup.args());
  if (settings.loadError)
    center.raise({
      kind: 'start_failed',
      key: 'settings',
      severity: 'warn',
      title: 'Settings file ignored',
      body: `${settings.loadError}. Defaults are used until Settings are saved.`,
      page: 'settings',
    });

  // What the running node was started with, to tell when a restart is needed.
  const optionsKey = () =>
    JSON.stringify([
      sup.args(),
      sup.env()?.TB_GOVERNOR_ENABLED,
      sup.env()?.TB_GOVERNOR_SHADOW_ONLY,
      sup.env()?.TB_GOVERNOR_WINDOW_SECS,
      sup.env()?.TB_RPC_AUTH_TOKEN,
    ]);
  let started = optionsKey();
  const crashes: CrashInfo[] = [];
  let lastCrash = 0;
  const offs: (() => void)[] = [];
  offs.push(
    sup.onState((s) => {
      if (s.state === 'starting') {
        started = optionsKey();
        const v = view();
        for (const cb of settingsCbs) cb(v);
      }
      if (s.last_crash && s.last_crash.at_ms !== lastCrash) {
        lastCrash = s.last_crash.at_ms;
        crashes.push(s.last_crash);
        if (crashes.length > 20) crashes.shift();
      }
    }),
  );
  offs.push(watchSupervisor(sup, center));
  offs.push(watchTopics(sup, center, () => settings.get(), now));

  const network = () => sup.nodeStatus()?.network ?? networkOfArgs(sup.args(), sup.env());
  const view = (): SettingsView => {
    const ready = sup.nodeReady();
    return {
      settings: settings.get(),
      rpc_auth_token_set: !!settings.authToken(),
      restart_needed: optionsKey() !== started && sup.state().state !== 'stopped',
      path: settings.file,
      current: {
        data_dir: o.dataDir() ?? null,
        network: sup.nodeStatus()?.network ?? null,
        rpc_port: ready?.rpc_port ?? null,
        metrics_port: ready?.metrics_port ?? null,
      },
    };
  };
  const settingsCbs = new Set<(v: SettingsView) => void>();

  // Disk tiers.
  let tier: DiskTier = 'ok';
  const diskCheck = async () => {
    const d = o.dataDir();
    if (!d) return;
    try {
      tier = (await checkDisk(d, center, settings.get())).tier;
    } catch {
      /* data dir not created yet */
    }
  };
  const timers: NodeJS.Timeout[] = [];
  if ((o.diskIntervalMs ?? 30_000) > 0) {
    timers.push(setInterval(() => void diskCheck(), o.diskIntervalMs ?? 30_000));
    let wasReady = false;
    offs.push(
      sup.onState((s) => {
        const ready = s.node_phase?.phase === 'ready';
        if (ready && !wasReady) void diskCheck();
        wasReady = ready;
      }),
    );
  }
  // New tiers apply at once (a lower tier lifts the refusal).
  offs.push(settings.onChange(() => void diskCheck()));
  // Deadlines: asked from the node while it runs.
  let lastDeadlines: DeadlinesResult | undefined;
  const deadlineCheck = async () => {
    if (sup.state().state !== 'running' || sup.state().node_phase?.phase !== 'ready') return;
    try {
      lastDeadlines = (await sup.call('node.deadlines')) as DeadlinesResult;
      deadlineNotices(lastDeadlines, center, settings.get());
    } catch {
      /* node busy or restarting: next round */
    }
  };
  if ((o.deadlineIntervalMs ?? 10_000) > 0)
    timers.push(setInterval(() => void deadlineCheck(), o.deadlineIntervalMs ?? 10_000));
  for (const t of timers) t.unref();

  const move = new MoveJob({
    settingsDir: dir,
    settings,
    node: sup,
    current: () => ({ dataDir: o.dataDir(), network: network() }),
    reserveBytes: () => settings.get().disk.refuse_free_mib * 1024 * 1024,
    now,
  });
  // An interrupted move resumes now (the node it stops may just have been started).
  void move.resume()?.catch(() => {});
  // A node started on another data directory (network switch) makes the last move's message stale.
  // Only at the `ready` phase: the ready message (posted just before it) is this child's, while on
  // connect it may still be the previous child's (the old data directory).
  offs.push(
    sup.onState((s) => {
      const at = s.state === 'running' && s.node_phase?.phase === 'ready' ? sup.nodeReady()?.data_dir : undefined;
      if (at) move.nodeRunsOn(at);
    }),
  );

  const guard = (method: string) => {
    if (tier === 'critical' && BULK_WRITES.has(method))
      throw RpcError.app(
        'no_space',
        `refused: the data directory's disk has less than ${settings.get().disk.refuse_free_mib} MiB free (Settings → Disk). Free some space first.`,
      );
  };

  const needDir = () => {
    const d = o.dataDir();
    if (!d)
      throw RpcError.app(Reason.not_ready, 'the data directory is not known until the node has started once');
    return d;
  };

  const handlers: DesktopHandlers = {
    'app.notifications': async () => center.list(),
    'app.notificationsRead': async (p) => ({ unread: center.markRead(p.ids, p.dismiss ?? false) }),
    'app.settings': async () => view(),
    'app.setSettings': async (p) => {
      const { changed } = await settings.update(p.patch);
      const nodeKeys = changed.filter((k) =>
        [
          'rpc_port',
          'metrics_port',
          'p2p_port',
          'telemetry',
          'log_level',
          'governor',
          'rpc_auth_token',
        ].includes(k),
      );
      if (nodeKeys.length) apply(nodeKeys);
      const v = view();
      for (const cb of settingsCbs) cb(v);
      return v;
    },
    'app.portFree': async (p) => {
      const ready = sup.nodeReady();
      return portFree(p.port, sup.state().state === 'running' ? [ready?.rpc_port, ready?.metrics_port] : []);
    },
    'app.moveCheck': async (p) => move.precheck(p.target),
    'app.moveDataDir': async (p) => {
      guard('app.moveDataDir');
      const { done } = await move.start(p.target);
      void done.catch(() => {});
      return { started: true as const };
    },
    'app.moveStatus': async () => move.status(),
    'app.diagnostics': async () => {
      const d = needDir();
      const running = sup.state().state === 'running';
      const r = await writeDiagnostics({
        dataDir: d,
        nodeArgs: sup.args(),
        env: sup.env() ?? process.env,
        cwd: process.cwd(),
        supervisor: sup.state(),
        crashes: [...crashes],
        call: running ? (m, prm) => sup.call(m, prm) : null,
        metricsPort: running ? sup.nodeReady()?.metrics_port : null,
        settingsFile: settings.file,
        settingsToken: settings.authToken(),
        mode: o.mode,
        now,
      });
      return {
        path: r.path,
        file_name: r.file_name,
        bytes: r.bytes,
        entries: r.entries,
        zip_base64: Buffer.from(r.zip).toString('base64'),
      };
    },
    'app.deadlinesIcs': async () => {
      const r = (await sup.call('node.deadlines')) as DeadlinesResult;
      const net = network()
        .split('/')
        .pop()!
        .replace(/\.json$/, '');
      const { text, events } = deadlinesToIcs(r, net);
      return { file_name: `the-block-${net}-deadlines.ics`, text, events };
    },
  };

  return {
    settings,
    center,
    move,
    handlers,
    guard,
    crashes: () => [...crashes],
    overrides,
    settingsView: view,
    onSettings(cb) {
      settingsCbs.add(cb);
      return () => settingsCbs.delete(cb);
    },
    close() {
      for (const t of timers) clearInterval(t);
      for (const f of offs) f();
    },
  };
}

export type { ConsoleSettings };
