/**
 * Handler assembly of the node: the declared methods (the contract's METHODS plus the methods of
 * modules outside the contract, e.g. test fixtures) and the dispatcher's handler map, fixed at
 * construction: the node's own methods answer at once; every other declared method forwards to
 * the current handler map once the chain and modules are up (before: `not_ready`; a declared
 * method nobody implements: −32601).
 */
import path from 'node:path';
import { METHODS, RpcError, type MethodDecl, type MethodName, type PhaseInfo } from '../shared/api/index.js';
import type { Chain } from './chain/chain.js';
import type { ConsensusEngine } from './chain/engine.js';
import { chainHandlers } from './chain/handlers.js';
import { deadlineHandlers, fromModuleDeadline } from './deadlines.js';
import { moduleMethodsOf, type AnyNodeModule, type ModuleHost } from './modules/index.js';
import { netHandlers } from './net/handlers.js';
import type { NetworkFile } from './net/network-file.js';
import type { Network } from './net/network.js';
import type { NodeConfig } from './node-config.js';
import type { Handler, HandlerMap } from './rpc/types.js';
import type { SnapshotService } from './snapshots/service.js';
import { walletHandlers } from './wallet/handlers.js';
import { historyHandlers } from './wallet/history.js';
import type { Keystore } from './wallet/keystore.js';

/** Methods the dispatcher serves itself. */
const BUILTIN = new Set<string>(['rpc.discover', 'chain.subscribe', 'chain.unsubscribe']);

/** METHODS plus the module methods it does not hold (in list order), each name once. */
export function declaredMethods(list: readonly AnyNodeModule[]): MethodDecl[] {
  const out: MethodDecl[] = [...METHODS];
  const names = new Set(out.map((m) => m.name));
  for (const m of moduleMethodsOf(list)) {
    if (names.has(m.name)) continue;
    names.add(m.name);
    out.push(m);
  }
  return out;
}

export function forwardingHandlers(
  methods: readonly MethodDecl[],
  o: { own: HandlerMap; current: () => HandlerMap | undefined; phase: () => PhaseInfo['phase'] },
): HandlerMap {
  const map: Record<string, Handler<MethodName>> = {};
  for (const m of methods) {
    if (BUILTIN.has(m.name)) continue;
    const own = (o.own as Record<string, Handler<MethodName> | undefined>)[m.name];
    if (own) {
      map[m.name] = own;
      continue;
    }
    map[m.name] = (params, ctx) => {
      const ch = o.current();
      if (!ch) throw RpcError.app('not_ready', `the node is ${o.phase()}; try again when it is ready`);
      const h = (ch as Record<string, Handler<MethodName> | undefined>)[m.name];
      if (!h) throw new RpcError(-32601, 'method not found');
      return h(params as never, ctx);
    };
  }
  return map as HandlerMap;
}

/**
 * The handlers served once the chain and modules are up: chain, wallet, every started module's
 * slice, snapshots, the deadline inbox (every module's deadlines()) and the network.
 */
export function nodeHandlers(o: {
  cfg: NodeConfig;
  /** Absolute data root. */
  root: string;
  chain: Chain;
  keystore: Keystore;
  modules: ModuleHost;
  snapshots: SnapshotService;
  netFile?: NetworkFile;
  /** Block interval (ms) of the running genesis. */
  blockTimeMs: number;
  net: () => Network | undefined;
  engine: () => ConsensusEngine | undefined;
  chain$: () => Chain | undefined;
}): HandlerMap {
  const { cfg, chain, modules } = o;
  return {
    ...chainHandlers(chain, { network: cfg.network }),
    ...walletHandlers(chain, { keystore: o.keystore }),
    ...historyHandlers(o.chain$, o.keystore),
    ...modules.handlers(),
    ...o.snapshots.handlers(),
    ...deadlineHandlers({ height: () => chain.tip().height, blockTimeMs: o.blockTimeMs, sources: () => [() => modules.deadlines().map(fromModuleDeadline)] }),
    ...netHandlers({
      net: o.net,
      engine: o.engine,
      chain: o.chain$,
      network: cfg.network,
      networkFile: cfg.network_file,
      bootstrap: [...(o.netFile?.bootstrap ?? []), ...cfg.p2p_bootstrap],
      staticPeers: cfg.p2p_static_peers,
      peerStorePath: cfg.p2p_overlay_path ?? path.join(o.root, 'overlay', 'overlay_peers.json'),
      testHooks: cfg.p2p_test_hooks,
    }),
  };
}
