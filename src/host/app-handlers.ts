/**
 * Implementations of the `app.*` methods (src/shared/api/app.ts), shared by Electron main and the
 * console server. What differs between the two is injected: `openPath` opens a folder or file on
 * the desktop (Electron `shell.openPath`); without it (server mode) the methods only return the
 * path and the log tail, since the browser may be on another machine.
 */
import path from 'node:path';
import type { AppMethodByName, AppMethodName, AppMode, NetworkChoice, PracticeState } from '../shared/api/app.js';
import type { ParamsOf, ResultOf } from '../shared/api/define.js';
import { Reason, RpcError } from '../shared/api/errors.js';
import { NODE_VERSION } from '../node-core/version.js';
import { DataDirLockedError, unlockDataDir } from '../node-core/storage/lock.js';
import type { RestoreProgress } from '../shared/api/snapshots.js';
import { readTail } from './log-tail.js';
import { RestoreJob } from './restore-job.js';
import { joinNetwork, listNetworks } from './network-switch.js';
import type { Supervisor } from './supervisor.js';
import { createDesktop, type Desktop } from './desktop/index.js';
import type { MoveProgress, Notification, SettingsView } from '../shared/api/desktop.js';
import { createFirstHour, type FirstHour, type FirstRunOptions } from './first-hour-handlers.js';

type AppHandler<N extends AppMethodName> = (p: ParamsOf<AppMethodByName<N>>) => Promise<ResultOf<AppMethodByName<N>>>;
/** Handlers by method name (a Map: dispatch only on declared names). */
export type AppHandlers = Map<string, (p: any) => Promise<unknown>>;

export interface AppHandlerOptions {
  mode: AppMode;
  supervisor: Supervisor;
  /** Data directory given on the command line, used until the node reports its own. */
  dataDirHint?: string;
  /** Opens a path on the desktop; resolves false when it could not. Absent in server mode. */
  openPath?: (p: string) => Promise<boolean>;
  /** Native folder dialog (Electron); resolves null when cancelled. Absent in server mode. */
  pickFolder?: (title?: string) => Promise<string | null>;
  /** Console settings directory (Electron: userData); see src/host/desktop/settings-store.ts. */
  settingsDir?: string;
  /** Watcher periods (tests); see src/host/desktop/index.ts. */
  desktop?: { diskIntervalMs?: number; deadlineIntervalMs?: number };
  /** First-run inputs (src/host/first-run.ts); default: due only on a fresh machine. */
  firstRun?: FirstRunOptions;
  /** The resources directory (built-in networks in `<dir>/networks`); default: node-core's (resources.ts). */
  resourcesDir?: string;
}

/** Sources of the host's own topics other than `app.supervisor` (read by the Broker). */
export interface AppTopicSources {
  'app.restore': (cb: (p: RestoreProgress) => void) => () => void;
  'app.notification': (cb: (p: Notification) => void) => () => void;
  'app.move': (cb: (p: MoveProgress) => void) => () => void;
  'app.settings': (cb: (p: SettingsView) => void) => () => void;
  'app.practice': (cb: (p: PracticeState) => void) => () => void;
}
const topicSources = new WeakMap<AppHandlers, AppTopicSources>();
const desktops = new WeakMap<AppHandlers, Desktop>();
const firstHours = new WeakMap<AppHandlers, FirstHour>();
/** The desktop services created with these handlers (notification center, settings, guard). */
export function desktopOf(h: AppHandlers): Desktop | undefined {
  return desktops.get(h);
}
/** The first-run and practice-testnet state behind these handlers (console-main: start the node or wait; stop the practice testnet on quit). */
export function firstHourOf(h: AppHandlers): FirstHour | undefined {
  return firstHours.get(h);
}
/** The topic sources created with these handlers. */
export function appTopicsOf(h: AppHandlers): AppTopicSources | undefined {
  return topicSources.get(h);
}

/** The node's data directory: as the running node reports it, else the configured hint. */
export function dataDirOf(o: AppHandlerOptions): string | undefined {
  return o.supervisor.nodeReady()?.data_dir ?? o.supervisor.nodeStatus()?.data_dir ?? o.dataDirHint ?? o.supervisor.startFailureDataDir();
}

/** Builds the `app.*` handlers. Errors: −32000 `not_ready` when the data directory is not known yet. */
export function createAppHandlers(o: AppHandlerOptions): AppHandlers {
  const needDir = (): string => {
    const d = dataDirOf(o);
    if (!d) throw RpcError.app(Reason.not_ready, 'the data directory is not known until the node has started once');
    return d;
  };
  const info: AppHandler<'app.info'> = async () => {
    const ready = o.supervisor.nodeReady();
    return {
      mode: o.mode,
      version: NODE_VERSION,
      supervisor: o.supervisor.state(),
      node: {
        ...(dataDirOf(o) ? { data_dir: dataDirOf(o) } : {}),
        ...(ready ? { rpc_addr: ready.rpc_addr, rpc_port: ready.rpc_port, metrics_addr: ready.metrics_addr, metrics_port: ready.metrics_port } : {}),
      },
    };
  };
  const restartNode: AppHandler<'app.restartNode'> = async () => {
    await o.supervisor.restart();
    return { restarted: true };
  };
  const openDataDir: AppHandler<'app.openDataDir'> = async () => {
    const dir = needDir();
    return { path: dir, opened: o.openPath ? await o.openPath(dir) : false };
  };
  const openLogs: AppHandler<'app.openLogs'> = async (p) => {
    const file = path.join(needDir(), 'logs', 'node.log');
    const tail = await readTail(file, p.lines ?? 100);
    return { path: file, opened: o.openPath ? await o.openPath(file) : false, tail };
  };
  const restore = new RestoreJob({
    supervisor: o.supervisor,
    target: () => ({ dataDir: dataDirOf(o), network: o.supervisor.nodeStatus()?.network }),
  });
  const pickFolder: AppHandler<'app.pickFolder'> = async (p) =>
    o.pickFolder ? { supported: true, path: await o.pickFolder(p.title) } : { supported: false, path: null };
  const restoreSnapshot: AppHandler<'app.restoreSnapshot'> = async (p) => {
    const { done } = await restore.start(path.resolve(p.path));
    void done; // progress and the outcome go out on app.restore
    return { started: true };
  };
  const restoreStatus: AppHandler<'app.restoreStatus'> = async () => restore.status();
  // Data roots used per network in this session, so switching back returns to the same root.
  const roots = new Map<string, string>();
  const builtinDir = o.resourcesDir ? path.join(o.resourcesDir, 'networks') : undefined;
  // eslint-disable-next-line prefer-const -- assigned once below; the network list and the join use it lazily
  let first: FirstHour;
  const extra = (): NetworkChoice[] => first.extraNetworks();
  /** Where each network's data lives (or would): the root used this session, else `<data parent>/<name>`. */
  const withRoots = (list: NetworkChoice[]): NetworkChoice[] => {
    const root = dataDirOf(o);
    const cur = o.supervisor.nodeStatus()?.network;
    return list.map((n) => ({ ...n, data_dir: (n.name === cur ? root : roots.get(n.name)) ?? path.join(first.dataParent(), n.name) }));
  };
  const networks: AppHandler<'app.networks'> = async () => ({ networks: withRoots(listNetworks({ builtinDir, extra })), current: o.supervisor.nodeStatus()?.network ?? null });
  const joinNetworkH: AppHandler<'app.joinNetwork'> = async (p) => {
    const cur = o.supervisor.nodeStatus();
    const root = dataDirOf(o);
    if (cur && root) roots.set(cur.network, root);
    const r = await joinNetwork({ supervisor: o.supervisor, currentRoot: root, rootFor: (name) => roots.get(name), builtinDir, extra }, p.network);
    o.dataDirHint = r.data_dir;
    return r;
  };
  const desktop = createDesktop({
    mode: o.mode,
    supervisor: o.supervisor,
    dataDir: () => dataDirOf(o),
    dataRootHint: o.dataDirHint,
    settingsDir: o.settingsDir,
    ...o.desktop,
  });
  const unlock: AppHandler<'app.unlockDataDir'> = async (p) => {
    const dir = needDir();
    let r;
    try {
      r = await unlockDataDir(dir, { expectPid: p.expect_pid });
    } catch (err) {
      if (err instanceof DataDirLockedError) throw RpcError.app('data_dir_locked', err.message);
      throw RpcError.app('lock_changed', (err as Error).message);
    }
    // The node failed to start on this lock: start it again now that the way is free.
    const st = o.supervisor.state().state;
    const restart = st === 'start_failed' || st === 'crash_loop' || st === 'backoff' || st === 'stopped';
    if (restart) await o.supervisor.restart();
    return { lock_file: r.lock_file, removed: r.removed, holder_pid: r.holder?.pid ?? null, holder_host: r.holder?.hostname ?? null, restarted: restart };
  };
  first = createFirstHour({
    supervisor: o.supervisor,
    firstRun: o.firstRun ?? {},
    dataDir: () => dataDirOf(o),
    setDataDirHint: (d) => {
      o.dataDirHint = d;
    },
    join: (network) => joinNetworkH({ network }),
    knownNames: () => listNetworks({ builtinDir, extra }).map((n) => n.name),
    // One RPC token setting: the first run's choice is Settings' token (console-settings.json).
    saveToSettings: async (s) => {
      await desktop.handlers['app.setSettings']({
        patch: { rpc_auth_token: s.rpcAuthToken ?? null, close_action: s.keepRunning ? 'background' : 'quit' },
      });
    },
  });
  // Typed as a complete record so a method added to the contract without a handler fails to compile.
  const all: { [N in AppMethodName]: AppHandler<N> } = {
    'app.info': info,
    'app.restartNode': restartNode,
    'app.openDataDir': openDataDir,
    'app.openLogs': openLogs,
    'app.pickFolder': pickFolder,
    'app.restoreSnapshot': restoreSnapshot,
    'app.restoreStatus': restoreStatus,
    'app.networks': networks,
    'app.joinNetwork': joinNetworkH,
    ...desktop.handlers,
    'app.unlockDataDir': unlock,
    ...first.handlers,
  };
  const handlers: AppHandlers = new Map(Object.entries(all));
  topicSources.set(handlers, {
    'app.restore': (cb) => {
      cb(restore.status());
      return restore.onChange(cb);
    },
    'app.notification': (cb) => desktop.center.on((n, alert) => cb({ ...n, alert })),
    'app.move': (cb) => {
      cb(desktop.move.status());
      return desktop.move.onChange(cb);
    },
    'app.settings': (cb) => desktop.onSettings(cb),
    'app.practice': (cb) => {
      cb(first.practice.status());
      return first.onPractice(cb);
    },
  });
  desktops.set(handlers, desktop);
  firstHours.set(handlers, first);
  return handlers;
}
