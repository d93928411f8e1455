/**
 * `app.*` handlers of the operator's first hour (#19): first run (`app.firstRun`,
 * `app.completeFirstRun`), `app.preflight`, the console's practice testnet
 * (`app.practiceTestnet`, `app.startPracticeTestnet`, `app.stopPracticeTestnet`, topic
 * `app.practice`) and shared networks (`app.importNetwork`, `app.networkInvite`). Built by
 * createAppHandlers, which owns the rest.
 */
import os from 'node:os';
import path from 'node:path';
import type { AppMethodByName, PracticeState } from '../shared/api/app.js';
import type { ParamsOf, ResultOf } from '../shared/api/define.js';
import { RpcError } from '../shared/api/errors.js';
import { NETWORK_NAME_RE, resolveNetwork, type NetworkEntry } from '../node-core/net/network-file.js';
import { defaultDataParent, firstRunDue, readSettings, settingsFile, writeSettings } from './first-run.js';
import { importedNetworks, inviteOf, networkFileText, parseShared, saveImported } from './network-import.js';
import { withFlag } from './network-switch.js';
import { nodeConfigOf, portsOf } from './node-config-of.js';
import { detachedNodeCommand } from './launcher.js';
import { PRACTICE_NAME, PracticeTestnet } from './practice-testnet.js';
import { runPreflight } from './preflight.js';
import { mkdirLevels } from '../node-core/storage/dir-target.js';
import { resolvePath } from '../node-core/config/index.js';
import type { Supervisor } from './supervisor.js';

type H<N extends FirstHourMethod> = (p: ParamsOf<AppMethodByName<N>>) => Promise<ResultOf<AppMethodByName<N>>>;
export type FirstHourMethod =
  | 'app.firstRun'
  | 'app.preflight'
  | 'app.completeFirstRun'
  | 'app.practiceTestnet'
  | 'app.startPracticeTestnet'
  | 'app.stopPracticeTestnet'
  | 'app.importNetwork'
  | 'app.networkInvite';

export interface FirstRunOptions {
  /** `--first-run`: show the first run even when settings or data exist. */
  forced?: boolean;
  /** A data directory was chosen on the command line or in TB_DATA_DIR. */
  dataDirGiven?: boolean;
  /** Home directory for `~/.the_block` (default os.homedir()). */
  home?: string;
  /** Bytes a network needs, overriding the preflight's defaults (`--min-free-space`). */
  neededBytes?: number;
}

export interface FirstHourContext {
  supervisor: Supervisor;
  firstRun: FirstRunOptions;
  /** The current data root (as the node reports it, else the hint). */
  dataDir(): string | undefined;
  setDataDirHint(d: string): void;
  /** The console's network switch (app.joinNetwork's implementation). */
  join(network: string): Promise<unknown>;
  /** Networks the console knows by name (reserved for imports). */
  knownNames(): string[];
  /**
   * Saves the choices Settings also edit, in the Settings store: the RPC token as Settings' token
   * (undefined = none; put in the node's environment for the next start) and keep-running as the
   * window's close action (background / quit).
   */
  saveToSettings(c: { rpcAuthToken: string | undefined; keepRunning: boolean }): Promise<void>;
}

export interface FirstHour {
  handlers: { [N in FirstHourMethod]: H<N> };
  practice: PracticeTestnet;
  /** Folder of the data roots: the parent of the current root, else the settings', else ~/.the_block. */
  dataParent(): string;
  /** Extra entries for the network list: the practice testnet and the imported networks. */
  extraNetworks(): NetworkEntry[];
  /** Whether the first run is due now (the node is not started until it completes). */
  due(): boolean;
  onPractice(cb: (s: PracticeState) => void): () => void;
}

export function createFirstHour(c: FirstHourContext): FirstHour {
  const home = c.firstRun.home;
  /** What `~` stands for in a typed folder. */
  const homeDir = home ?? os.homedir();
  const dataParent = (): string => {
    const d = c.dataDir();
    if (d) return path.dirname(d);
    return readSettings(home)?.data_parent ?? defaultDataParent(home);
  };
  let due = firstRunDue({ forced: c.firstRun.forced, dataDirGiven: !!c.firstRun.dataDirGiven, defaultDataDir: path.join(defaultDataParent(home), 'dev'), home });

  const practice = new PracticeTestnet({
    dir: () => path.join(dataParent(), 'practice-testnet'),
    walletsDir: (name) => path.join(dataParent(), name, 'keys', 'wallets'),
    join: async (file) => {
      await c.join(file);
    },
    node: () => detachedNodeCommand(c.supervisor.spec()),
  });

  const extraNetworks = (): NetworkEntry[] => {
    const out: NetworkEntry[] = [];
    const p = practice.status();
    if (p.network_file) {
      try {
        out.push({ ...resolveNetworkEntry(p.network_file), source: 'practice', description: `practice testnet of ${p.validators} validators on this machine, owned by the console` });
      } catch {
        /* not created yet */
      }
    }
    out.push(...importedNetworks(dataParent()));
    return out;
  };

  /** Preflight of a data dir + network (a name, or a network file). */
  const preflight = async (dataDir: string, network: string) => {
    const net = resolveNetwork(network, process.cwd());
    let args = withFlag(c.supervisor.args(), '--data-dir', dataDir);
    args = withFlag(args, '--network', net.file ?? net.name);
    let ports: ReturnType<typeof portsOf> = [];
    try {
      ports = portsOf(nodeConfigOf(args));
    } catch {
      /* invalid flags are reported by the node itself */
    }
    let clock: { peers: number; newestPeerBlockMs: number | null; receivedAtMs: number | null } | null = null;
    const running = c.supervisor.state().state === 'running';
    // Fresh peers count (the supervisor's copy is from the node's start).
    const st = running ? (((await c.supervisor.call('node.status').catch(() => undefined)) as { network: string; peers: number } | undefined) ?? c.supervisor.nodeStatus()) : undefined;
    if (st && st.network === net.name && running) {
      try {
        const tip = (await c.supervisor.call('chain.tip')) as { timestamp_ms: number };
        clock = { peers: st.peers, newestPeerBlockMs: tip.timestamp_ms, receivedAtMs: Date.now() };
      } catch {
        clock = null;
      }
    }
    const pid = c.supervisor.state().pid;
    const checks = await runPreflight({ dataDir, network: net.name, ports, neededBytes: c.firstRun.neededBytes, clock, ownPids: pid ? [pid] : [] });
    return { data_dir: dataDir, network: net.name, file: net.file, checks, ok: checks.every((x) => x.status === 'ok' || x.status === 'pending' || x.status === 'warn') };
  };

  const handlers: FirstHour['handlers'] = {
    'app.firstRun': async () => ({
      needed: due,
      settings_file: settingsFile(home),
      settings: readSettings(home),
      // Due (a fresh machine, or --first-run): propose the saved or the standard folder, not one derived from a command-line data dir.
      defaults: { data_parent: due ? (readSettings(home)?.data_parent ?? defaultDataParent(home)) : dataParent(), network: readSettings(home)?.network ?? c.supervisor.nodeStatus()?.network ?? 'dev' },
    }),

    'app.preflight': async (p) => {
      const network = p.network ?? c.supervisor.nodeStatus()?.network ?? 'dev';
      const name = networkName(network);
      const dataDir = p.data_dir ?? c.dataDir() ?? path.join(dataParent(), name);
      // `~/…` as everywhere else a data dir is read (config/load.ts); the answer shows the expansion
      const r = await preflight(resolvePath(dataDir, process.cwd(), homeDir), network);
      return { data_dir: r.data_dir, network: r.network, checks: r.checks, ok: r.ok };
    },

    'app.completeFirstRun': async (p) => {
      const parent = resolvePath(p.data_parent, process.cwd(), homeDir);
      const name = networkName(p.network);
      const dataDir = path.join(parent, name);
      const r = await preflight(dataDir, p.network);
      const failing = r.checks.filter((x) => x.status === 'fail' && !(x.id === 'ports' && p.free_ports));
      if (failing.length)
        throw RpcError.app('preflight_failed', `the preflight found problems: ${failing.map((x) => `${x.title}: ${x.detail}`).join('; ')}`, { checks: failing.map((x) => x.id) });
      // Created only now ("Start the node"), level by level; the preflight created nothing.
      await mkdirLevels(dataDir).catch((e: NodeJS.ErrnoException) => {
        throw RpcError.app('preflight_failed', `${dataDir} cannot be created (${e.code ?? 'error'}: ${e.message})`, { checks: ['writable'] });
      });
      let args = withFlag(c.supervisor.args(), '--data-dir', dataDir);
      args = withFlag(args, '--network', r.file ?? r.network);
      if (p.free_ports) for (const f of r.checks.find((x) => x.id === 'ports')?.busy_flags ?? []) args = withFlag(args, f, '127.0.0.1:0');
      const token = p.rpc_auth_token;
      await writeSettings({ version: 1, data_parent: parent, network: r.network, keep_running: p.keep_running, rpc_auth: !!token, completed_at_ms: Date.now() }, home);
      await c.saveToSettings({ rpcAuthToken: token, keepRunning: p.keep_running });
      c.supervisor.setArgs(args);
      c.setDataDirHint(dataDir);
      due = false;
      await c.supervisor.restart();
      return { data_dir: dataDir, network: r.network, settings_file: settingsFile(home) };
    },

    'app.practiceTestnet': async () => practice.status(),

    'app.startPracticeTestnet': async (p) => {
      if (!c.dataDir()) throw RpcError.app('not_ready', 'finish the first run first: the practice testnet lives next to the data directory');
      practice.start({ validators: p.validators, keep: p.keep });
      return { started: true };
    },

    'app.stopPracticeTestnet': async () => ({ stopped: await practice.stop() }),

    'app.importNetwork': async (p) => {
      const nf = parseShared(p.text);
      const reserved = ['dev', PRACTICE_NAME, ...c.knownNames().filter((n) => !importedNetworks(dataParent()).some((e) => e.name === n))];
      const { file, replaced } = await saveImported(dataParent(), nf, reserved);
      const e = resolveNetworkEntry(file);
      return { network: { ...e, source: 'imported', data_dir: path.join(dataParent(), e.name) }, replaced };
    },

    'app.networkInvite': async (p) => {
      const all = [...extraNetworks()];
      const e = all.find((n) => n.name === p.network);
      const file = e?.file ?? (() => {
        try {
          return resolveNetwork(p.network, process.cwd()).file;
        } catch {
          return undefined;
        }
      })();
      if (!file) throw RpcError.invalidParams([{ path: ['network'], message: `network "${p.network}" has no network file to share (dev is this machine's own chain)` }]);
      return { network: p.network, invite: inviteOf(networkFileText(file)) };
    },
  };

  return { handlers, practice, dataParent, extraNetworks, due: () => due, onPractice: (cb) => practice.onChange(cb) };
}

/** The network name of a `--network` value (name or network file path). */
function networkName(v: string): string {
  const n = resolveNetwork(v, process.cwd()).name;
  if (!NETWORK_NAME_RE.test(n)) throw RpcError.invalidParams([{ path: ['network'], message: 'bad network name' }]);
  return n;
}

function resolveNetworkEntry(file: string): NetworkEntry {
  const nf = networkFileText(file);
  return { name: nf.name, file, chain_id: nf.chain_id, validators: nf.genesis.validators.length, bootstrap: nf.bootstrap.length, source: 'imported', ...(nf.description ? { description: nf.description } : {}) };
}
