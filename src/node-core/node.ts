/**
 * Node lifecycle (DESIGN.md "Node core", cf. Lodestar node/nodejs.ts): one ordered start through
 * explicit phases and one ordered stop in reverse order.
 *
 * Phases, emitted as `node.phase` on the bus and as `{type:'phase', …}` on the IPC channel:
 *   starting    data dir layout + lock, logger, node key, genesis (read, or written on a fresh data
 *               dir); then the rest of the node's code loads (node-services.ts: issue 17, on a fresh
 *               dir block 1 is due one block time after the genesis, which no longer waits for it)
 *   opening_db  IPC JSON-RPC (node.* answer from here on), chain DB open; Chain.open checks the
 *               stored state against the head's state root (a corrupt/locked DB fails here with
 *               the ways out)
 *   replaying   the head is read, the modules of the node's list start in order (modules/index.ts;
 *               each brings its handler slice) and the handlers are attached (short in v1: this
 *               is where catch-up progress will be reported)
 *   ready       stats sampler, RPC (HTTP+WS) and metrics servers listening: chain.tip answers (the
 *               signal the console waits for). Only THEN the p2p network (libp2p, loaded on demand:
 *               ~250 files; `node.status` says `net: 'starting'` until it is `'up'`) and block
 *               production / voting (chain/engine.ts; a single validator starts producing before the
 *               network, which starts after its first block, or NET_DEFER_MS when it does not produce; a multi-validator chain votes
 *               once the network is up). `Node.start` resolves when both run; a failure there stops
 *               the node as any start failure (exit 1), only after `ready` (issue 17).
 *   stopping → stopped, or failed (with `reason`) when a start step throws.
 * Stop order (reverse of opening): block production → p2p network → metrics and RPC servers → stats → snapshots
 * (a running snapshot job is cancelled and its partial output removed) → modules (reverse list order) → chain DB
 * → IPC → log file → lock release. From `stopping` on, chain methods answer `not_ready`, so the
 * IPC channel can stay up to report the last phases. A failure mid-start closes exactly what
 * was opened, in the same reverse order.
 */
import type { NodeStatus, PhaseInfo } from '../shared/api/index.js';
import type { LifecycleMessage } from './lifecycle-message.js';
import { lstatSync } from 'node:fs';
import type { Chain } from './chain/chain.js';
import type { ConsensusEngine } from './chain/engine.js';
import { loadOrCreateGenesis, type Genesis } from './chain/genesis.js';
import { loadNetworkGenesis, readNetworkFile, type NetworkFile } from './net/network-file.js';
import type { Network } from './net/network.js';
import { redactConfig, type NodeConfig } from './node-config.js';
import { keepNotices, NodeEvents } from './events.js';
import { chainModulesOf, dataPathsOf, type AnyNodeModule, type ModuleHost } from './modules/index.js';
import { NODE_MODULE_META } from './node-module-list.js';
import { journalPath } from './snapshots/journal-path.js';
import { createNodeLogger, LogRing } from './logging.js';
import type { IpcPort } from './rpc/ipc.js';
import type { HandlerMap } from './rpc/types.js';
import type { StatsSampler } from './stats.js';
import { openDataDir, type DataDir } from './storage/datadir.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';
import { NODE_VERSION } from './version.js';
import { NodePhase } from '../shared/api/types.js';
import { Keystore, loadOrCreateNodeKey, type KeyPair } from './wallet/keystore.js';
import type { Logger } from 'pino';
import * as nodeModule from 'node:module';

export type { IpcPort };

export type { LifecycleMessage } from './lifecycle-message.js';

export interface NodeStartOptions {
  /** Process message channel: JSON-RPC is served on it and lifecycle messages are posted to it. */
  ipc?: IpcPort;
  /** Also log to stdout (default true). */
  stdout?: boolean;
  /** The module list (default the node's list, modules/index.ts; tests add fixture modules). */
  modules?: readonly AnyNodeModule[];
}

/** Margin (ms) over one block time that a single validator waits after `ready` for its first block before the p2p network starts (a non-producing node: the whole wait). */
export const NET_DEFER_MS = 250;
/** Longest block time (ms) a single validator waits for its first block before the p2p network starts (a long test block time must not hold the start). */
export const FIRST_BLOCK_WAIT_MAX_MS = 1000;

type Services = typeof import('./node-services.js');

/** Whether an interrupted restore left its journal next to `root` (anything but "no such file" counts: the restore code reports it). */
function restoreJournalPresent(root: string): boolean {
  try {
    lstatSync(journalPath(root));
    return true;
  } catch (err) {
    // ENOTDIR: a file in the data dir's path, so there is no journal (openDataDir says what is wrong).
    const code = (err as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
}

/** Resolves at the chain's next head or after `ms`, whichever comes first. */
const firstHeadOrTimeout = (chain: Chain, ms: number) =>
  new Promise<void>((resolve) => {
    const off = chain.onHead(() => (clearTimeout(timer), off(), resolve()));
    const timer = setTimeout(() => (off(), resolve()), ms);
  });

export class Node {
  readonly events = new NodeEvents();
  readonly metrics: Metrics = createMetrics();
  private readonly ring = new LogRing();
  /** Notices so far (damaged stores moved aside…), replayed to `node.notice` subscribers. */
  private readonly notices = keepNotices(this.events);
  private readonly startedAt = Date.now();
  private info: PhaseInfo = { phase: 'starting' };
  /** Closers of what is open, in opening order; run in reverse by stop/teardown. */
  private readonly closers: { name: string; close: () => Promise<void> | void }[] = [];
  private chainHandlers?: HandlerMap;
  private statsSampler?: StatsSampler;
  private stopping?: Promise<void>;
  logger?: Logger;
  dataDir?: DataDir;
  nodeKey?: KeyPair;
  genesis?: Genesis;
  chain?: Chain;
  /** The started modules (handlers, deadlines). */
  modules?: ModuleHost;
  engine?: ConsensusEngine;
  net?: Network;
  rpcPort?: number;
  metricsPort?: number;
  /** The p2p network's state: `starting` from ready until it listens (see the module doc). */
  private netState: NonNullable<NodeStatus['net']> = 'off';

  private constructor(
    readonly config: NodeConfig,
    private readonly o: NodeStartOptions,
  ) {}

  /** Current phase (with the reason when `failed`). */
  get phase(): PhaseInfo {
    return this.info;
  }

  /**
   * Starts a node and resolves once it is `ready`.
   * @throws DataDirLockedError, ChainDbError, PortInUseError, ListenError or fs errors: the node
   *   has then emitted `failed` with the message as reason and closed everything it had opened.
   */
  static async start(cfg: NodeConfig, o: NodeStartOptions = {}): Promise<Node> {
    const node = new Node(cfg, o);
    try {
      await node.run();
    } catch (err) {
      node.chainHandlers = undefined;
      node.setPhase({ phase: 'failed', reason: (err as Error).message });
      // An operator's mistake (a port in use, an unusable listen address) is said in one line; the
      // stack is kept for the unexpected (the terminal shows the JSON log line above `error: …`).
      // (By name: http/ loads after the genesis, with the servers; both classes set their name.)
      const said = err instanceof Error && (err.name === 'PortInUseError' || err.name === 'ListenError');
      node.logger?.error(said ? { reason: (err as Error).message } : { err }, 'node failed to start');
      await node.teardown();
      throw err;
    }
    return node;
  }

  /**
   * Ordered stop (idempotent; concurrent calls share one stop). Resolves when every listener,
   * the chain DB, the log file and the lock are closed.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      // From here on, chain methods answer not_ready (the IPC channel stays up until the end).
      this.chainHandlers = undefined;
      this.setPhase({ phase: 'stopping' });
      await this.teardown();
      this.setPhase({ phase: 'stopped' });
    })();
    return this.stopping;
  }

  private setPhase(p: PhaseInfo): void {
    this.info = p;
    this.metrics.nodeUp.set(p.phase === 'ready' ? 1 : 0);
    for (const ph of NodePhase.options) this.metrics.nodePhase.set({ phase: ph }, ph === p.phase ? 1 : 0);
    this.events.emit('node.phase', p);
    this.post({ type: 'phase', ...p });
    // process_ms: since the process started; cpu_ms: the process's CPU (user + system, all
    // threads) so far — the start's timing marks (issue 17; wall time mostly measures the load).
    if (p.phase !== 'failed') {
      const cpu = process.cpuUsage();
      this.logger?.info({ phase: p.phase, process_ms: Math.round(performance.now()), cpu_ms: Math.round((cpu.user + cpu.system) / 1000) }, `phase ${p.phase}`);
    }
  }

  private post(m: LifecycleMessage): void {
    try {
      this.o.ipc?.postMessage(m);
    } catch {
      /* parent gone; main.ts notices the disconnect */
    }
  }

  private opened(name: string, close: () => Promise<void> | void): void {
    this.closers.push({ name, close });
  }

  private async teardown(): Promise<void> {
    while (this.closers.length > 0) {
      const c = this.closers.pop()!;
      try {
        await c.close();
      } catch (err) {
        // Keep closing the rest: a stuck listener must not keep the lock held.
        this.logger?.warn({ err, what: c.name }, `closing ${c.name} failed`);
      }
    }
  }

  private async run(): Promise<void> {
    const cfg = this.config;
    this.setPhase({ phase: 'starting' });
    const warnings: string[] = [];
    // Most of the node's code (node-services.ts) loads once the genesis is written (see the module
    // doc), or first when a restore must be rolled back.
    let loaded: Services | undefined;
    const services = async (): Promise<Services> => {
      if (!loaded) {
        loaded = await import('./node-services.js');
        // Every SimpleDb store this node opens follows the configured engine and quota.
        loaded.configureSimpleDb({ default_engine: cfg.simple_db_engine, limit_bytes: cfg.simple_db_limit_bytes ?? null });
      }
      return loaded;
    };
    // A restore into this data directory that was interrupted (crash, power loss) is rolled back
    // before anything opens the directory; the phase reason and restore_history say so.
    const rolledBack = restoreJournalPresent(cfg.data_dir) ? await (await services()).recoverInterruptedRestore(cfg.data_dir) : null;
    if (rolledBack) {
      warnings.push(rolledBack.message);
      this.setPhase({ phase: 'starting', reason: rolledBack.message });
    }
    // The declared layout: the node's entries and every module's data paths (checked for overlaps;
    // the node's own list through its metadata, which loads no module code).
    const dd = await openDataDir(cfg.data_dir, { warn: (m) => warnings.push(m), modules: dataPathsOf(this.o.modules ?? NODE_MODULE_META) });
    this.dataDir = dd;
    this.metrics.dataDir.path = dd.root;
    this.opened('data-dir lock', () => dd.release());

    const log = await createNodeLogger({
      logsDir: dd.logsDir,
      level: cfg.log_level,
      maxSizeMb: cfg.log_max_size_mb,
      maxFiles: cfg.log_max_files,
      events: this.events,
      ring: this.ring,
      stdout: this.o.stdout,
    });
    this.logger = log.logger;
    this.opened('logger', () => {
      // Everything but the lock is closed now: write the `stopped` line while the stream is still
      // open, so the log itself tells an ordered stop from a crash (setPhase comes too late).
      if (this.info.phase === 'stopping') log.logger.info({ phase: 'stopped' }, 'phase stopped');
      this.logger = undefined; // nothing may write to a closed stream (phase `stopped` comes after)
      return log.close();
    });
    for (const w of warnings) log.logger.warn(w);
    log.logger.info({ config: redactConfig(cfg), version: NODE_VERSION, pid: process.pid }, 'node starting');

    this.nodeKey = await loadOrCreateNodeKey(dd.root);
    // A network file (--network <file> or resources/networks/<name>.json) carries the genesis.
    const netFile: NetworkFile | undefined = cfg.network_file ? readNetworkFile(cfg.network_file) : undefined;
    const genesis = netFile ? await loadNetworkGenesis(dd.root, netFile) : await loadOrCreateGenesis(dd.root, cfg.network, this.nodeKey);
    // The block time of a multi-validator chain is consensus (timeout_commit of every validator): never overridden.
    this.genesis =
      cfg.block_time_ms !== undefined && genesis.validators.length <= 1 ? { ...genesis, block_time_ms: cfg.block_time_ms } : genesis;
    const { Chain, ConsensusEngine, ModuleHost, NODE_MODULES, declaredMethods, forwardingHandlers, nodeHandlers, SnapshotService, subsystemsOf, Dispatcher, serveIpc, startRpcServer, nodeInfoHandlers, StatsSampler, startMetricsServer } = await services();
    const moduleList = this.o.modules ?? NODE_MODULES;
    const keystore = new Keystore(dd.root, cfg.network);
    const stats = new StatsSampler({
      root: dd.root,
      events: this.events,
      mempoolSize: () => this.mempoolSize(),
      peers: () => this.net?.book.connected.size ?? 0,
    });
    this.statsSampler = stats;
    const dispatcher = new Dispatcher({
      methods: declaredMethods(moduleList),
      handlers: forwardingHandlers(declaredMethods(moduleList), {
        own: nodeInfoHandlers({ stats, status: () => this.status() }),
        current: () => this.chainHandlers,
        phase: () => this.info.phase,
      }),
      events: this.events,
      metrics: this.metrics,
      logger: log.logger,
      info: { title: 'The Block node', version: NODE_VERSION },
      replay: { 'log.line': () => this.ring.snapshot(), 'node.notice': () => this.notices },
    });
    if (this.o.ipc) {
      const stopIpc = serveIpc(dispatcher, this.o.ipc);
      this.opened('ipc', stopIpc);
    }

    this.setPhase({ phase: 'opening_db' });
    this.metrics.nodeInfo.set({ version: NODE_VERSION, network: cfg.network, chain_id: String(this.genesis.chain_id) }, 1);
    const chain = await Chain.open({
      dir: dd.chainDir,
      genesis: this.genesis,
      nodeKey: this.nodeKey,
      metrics: this.metrics,
      events: this.events,
      logger: log.logger,
      modules: chainModulesOf(moduleList),
    });
    this.chain = chain;
    this.opened('chain db', () => chain.close());
    await this.guardFinality(await services(), chain, cfg.p2p && ((netFile?.bootstrap.length ?? 0) + cfg.p2p_bootstrap.length + cfg.p2p_static_peers.length > 0 || this.genesis.validators.length > 1));
    const engine = new ConsensusEngine({ chain, nodeKey: this.nodeKey, dataDir: dd.root, logger: log.logger, metrics: this.metrics, fault: cfg.test_fault === 'double_sign' ? 'double_sign' : undefined });
    this.engine = engine;

    this.setPhase({ phase: 'replaying' });
    const tip = chain.tip();
    log.logger.info({ height: tip.height, hash: tip.hash, state_root: tip.state_root }, 'chain head');
    // Modules start before any listener: a bad module setting is a startup error (ConfigError → exit 2).
    const modules = new ModuleHost(moduleList, this.metrics.registry);
    this.modules = modules;
    this.opened('modules', () => modules.close((id, err) => this.logger?.warn({ err, module: id }, `closing module ${id} failed`)));
    await modules.start({
      config: cfg,
      root: dd.root,
      chain,
      nodeKey: this.nodeKey,
      events: this.events,
      logger: log.logger,
      nodeMetrics: this.metrics,
      // Peer liveness: share of requests (status, sync, ping) answered in the last minute (net/liveness.ts).
      peers: () => ({ count: this.net?.book.connected.size ?? 0, liveness: this.net?.peerLiveness() ?? null }),
    });
    const snapshots = new SnapshotService({ root: dd.root, network: cfg.network, events: this.events, metrics: this.metrics, logger: log.logger, tip: () => chain.tip(), subsystems: subsystemsOf(moduleList), supervised: !!this.o.ipc });
    await snapshots.start();
    this.opened('snapshots', () => snapshots.close());
    this.chainHandlers = nodeHandlers({ cfg, root: dd.root, chain, keystore, modules, snapshots, netFile, blockTimeMs: this.genesis.block_time_ms, net: () => this.net, engine: () => this.engine, chain$: () => this.chain });

    await stats.start();
    this.opened('stats', () => stats.stop());

    const rpc = await startRpcServer({
      addr: cfg.rpc_addr,
      dispatcher,
      authToken: cfg.rpc_auth_token,
      allowedHosts: cfg.rpc_allowed_hosts,
      corsOrigins: cfg.rpc_cors_origins,
      logger: log.logger,
      metrics: this.metrics,
      flagHint: '--rpc-addr / TB_RPC_ADDR',
      rateLimitPerSec: cfg.rpc_tokens_per_sec,
    });
    this.rpcPort = rpc.port;
    this.opened('rpc server', () => rpc.close());
    if (cfg.telemetry) {
      const ms = await startMetricsServer({
        addr: cfg.metrics_addr,
        metrics: this.metrics,
        allowedHosts: cfg.rpc_allowed_hosts,
        flagHint: '--metrics-addr / TB_METRICS_ADDR',
        logger: log.logger,
      });
      this.metricsPort = ms.port;
      this.opened('metrics server', () => ms.close());
    }

    // The endpoints go first: a parent that sees the `ready` phase already knows this node's data
    // dir and ports (the console's app.info after a data-directory move reads them then).
    this.post({ type: 'ready', pid: process.pid, version: NODE_VERSION, network: cfg.network, chain_id: this.genesis.chain_id, data_dir: dd.root,
      node_address: this.nodeKey.address, rpc_addr: cfg.rpc_addr, rpc_port: rpc.port,
      metrics_addr: cfg.telemetry ? cfg.metrics_addr : null, metrics_port: this.metricsPort ?? null });
    this.setPhase({ phase: 'ready' });
    log.logger.info({ rpc_port: this.rpcPort, metrics_port: this.metricsPort ?? null, data_dir: dd.root }, 'node ready');
    // A single validator produces without votes: its blocks need not wait for the network (peers
    // fetch the ones made before it attached by sync). Tendermint votes only once the network is up.
    if (cfg.p2p) this.netState = 'starting';
    if (!chain.set.multi) {
      // Listening before production starts: a block due at once may be made inside engine.start().
      const firstHead = cfg.p2p ? firstHeadOrTimeout(chain, engine.isValidator ? Math.min(this.genesis.block_time_ms, FIRST_BLOCK_WAIT_MAX_MS) + NET_DEFER_MS : NET_DEFER_MS) : undefined;
      await this.startEngine(engine);
      // Loading and starting libp2p holds this thread for a few hundred ms (more on a loaded
      // machine): it waits for this producer's first block — due at once on a restart, one block
      // time after genesis on a fresh chain (waited for up to FIRST_BLOCK_WAIT_MAX_MS + NET_DEFER_MS) — so the first live head (and the console's first
      // calls) are not queued behind it (issue 17, first live height). A node that does not
      // produce waits NET_DEFER_MS at most: its blocks come over the network.
      await firstHead;
    }
    if (cfg.p2p) {
      const { Network } = await import('./net/network.js');
      const net = await Network.start({
        root: dd.root,
        nodeKey: this.nodeKey,
        chain,
        engine,
        quicAddr: cfg.p2p_quic_addr,
        tcpAddr: cfg.p2p_tcp_addr,
        bootstrap: [...(netFile?.bootstrap ?? []), ...cfg.p2p_bootstrap],
        staticPeers: cfg.p2p_static_peers,
        overlayPath: cfg.p2p_overlay_path,
        banSecs: cfg.p2p_ban_secs,
        syncIntervalMs: cfg.p2p_sync_interval_ms,
        testHooks: cfg.p2p_test_hooks,
        networkName: cfg.network,
        networkFile: cfg.network_file,
        events: this.events,
        metrics: this.metrics,
        logger: log.logger,
      }).catch((err: unknown) => {
        this.netState = 'failed';
        throw err;
      });
      this.net = net;
      this.netState = 'up';
      this.opened('p2p network', () => net.stop());
    }
    if (chain.set.multi) await this.startEngine(engine);
    // With NODE_COMPILE_CACHE set (node-entry.ts), the code compiled by now goes to the cache at
    // once, not only at a clean exit: the next start benefits after a crash too (else a no-op).
    nodeModule.flushCompileCache?.(); // Node ≥ 22.12; absent on older Nodes
  }

  /** Block production (dev: every block_time_ms) or Tendermint consensus (multi-validator, chain/engine.ts). */
  private async startEngine(engine: ConsensusEngine): Promise<void> {
    await engine.start();
    this.opened('block production', () => engine.stop());
  }

  /**
   * The finalized mark (storage/finalized-mark.ts): refuses (alone) or refetches (with peers) when
   * the chain opened below the height it had reported final; then keeps the mark up to date.
   */
  private async guardFinality({ checkFinalizedMark, trackFinalizedMark }: Services, chain: Chain, withPeers: boolean): Promise<void> {
    const root = this.dataDir!.root;
    await checkFinalizedMark(root, chain, { network: withPeers, logger: this.logger, notify: (n) => this.events.emit('node.notice', n) });
    const mark = trackFinalizedMark(root, chain, { logger: this.logger });
    this.opened('finalized mark', () => mark.close());
  }

  private async mempoolSize(): Promise<number> {
    const h = this.chainHandlers?.['mempool.stats'];
    if (!h || this.info.phase !== 'ready') return 0;
    return (await h({}, { transport: 'internal' })).size;
  }

  /** `node.status` as served over RPC. */
  status(): NodeStatus {
    const tip = this.chain && this.chainHandlers ? this.chain.tip() : undefined;
    const s: NodeStatus = {
      phase: this.info.phase,
      version: NODE_VERSION,
      network: this.config.network,
      chain_id: this.genesis?.chain_id ?? 0,
      data_dir: this.dataDir?.root ?? this.config.data_dir,
      uptime_ms: Date.now() - this.startedAt,
      pid: process.pid,
      height: tip?.height ?? 0,
      finalized_height: tip?.finalized_height ?? 0,
      peers: this.net?.book.connected.size ?? 0,
      node_address: this.nodeKey?.address ?? '',
      net: this.netState,
    };
    if (this.info.reason !== undefined) s.phase_reason = this.info.reason;
    return s;
  }
}
