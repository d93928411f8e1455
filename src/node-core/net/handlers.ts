/**
 * JSON-RPC handlers of the network and consensus methods (src/shared/api/net.ts). The network may
 * be off (`TB_P2P_ENABLED=0`): read methods then answer with empty views, mutating ones with
 * reason `p2p_disabled`.
 */
import { RpcError } from '../../shared/api/errors.js';
import type { SyncStatus } from '../../shared/api/net.js';
import type { Chain } from '../chain/chain.js';
import type { ConsensusEngine } from '../chain/engine.js';
import type { HandlerMap } from '../rpc/types.js';
import type { Network } from './network.js';

export interface NetHandlerContext {
  net: () => Network | undefined;
  engine: () => ConsensusEngine | undefined;
  chain: () => Chain | undefined;
  network: string;
  networkFile?: string;
  bootstrap: string[];
  staticPeers: string[];
  peerStorePath: string;
  testHooks: boolean;
}

function needNet(c: NetHandlerContext): Network {
  const n = c.net();
  if (!n) throw RpcError.app('p2p_disabled', 'the p2p network is off on this node (TB_P2P_ENABLED=0)');
  return n;
}

function needChain(c: NetHandlerContext): { chain: Chain; engine: ConsensusEngine } {
  const chain = c.chain();
  const engine = c.engine();
  if (!chain || !engine) throw RpcError.app('not_ready', 'the node is not ready');
  return { chain, engine };
}

/** Sync status of a node without a network: alone, following itself. */
function aloneSync(chain: Chain): SyncStatus {
  const h = chain.headBlock().header.height;
  return { phase: 'idle', local_height: h, target_height: h, finalized_height: chain.finalized().height, start_height: h, progress: 1, blocks_per_s: 0, eta_ms: 0, peers: 0 };
}

export function netHandlers(c: NetHandlerContext): HandlerMap {
  return {
    'net.info': () => {
      const { chain } = needChain(c);
      const n = c.net();
      return {
        enabled: !!n,
        peer_id: n?.peerId ?? null,
        listen: n?.listen() ?? [],
        network: c.network,
        chain_id: chain.genesis.chain_id,
        genesis_hash: chain.genesis.hash,
        network_file: c.networkFile ?? null,
        bootstrap: c.bootstrap,
        static_peers: c.staticPeers,
        peer_store: c.peerStorePath,
        known_peers: n?.store.size ?? 0,
        banned: n ? [...n.book.banned()].map(([peer_id, until_ms]) => ({ peer_id, until_ms })) : [],
        test_hooks: c.testHooks,
      };
    },

    'net.peers': () => {
      const n = c.net();
      if (!n) return [];
      const now = Date.now();
      return [...n.book.connected.values()]
        .map((p) => ({
          peer_id: p.id,
          address: p.address,
          transport: p.transport,
          direction: p.direction,
          latency_ms: p.latencyMs ?? null,
          score: Math.round(n.score(p.id) * 100) / 100,
          app_score: Math.round(n.book.appScore(p.id) * 100) / 100,
          ...(p.nodeAddress ? { node_address: p.nodeAddress } : {}),
          validator: !!p.nodeAddress && !!c.chain()?.set.get(p.nodeAddress.slice(3)),
          head_height: p.status?.headHeight ?? null,
          finalized_height: p.status?.finalizedHeight ?? null,
          connected_ms: now - p.connectedAtMs,
          penalties: n.book.penaltiesOf(p.id) as Record<string, number>,
        }))
        .sort((a, b) => a.peer_id.localeCompare(b.peer_id));
    },

    'net.connect': async (p) => {
      const n = needNet(c);
      const id = /\/p2p\/([^/]+)/.exec(p.addr)?.[1];
      if (id && n.book.isBanned(id)) throw RpcError.app('banned', `peer ${id} is banned; lift it with net.ban [peer_id, 0]`);
      try {
        return await n.connect(p.addr);
      } catch (err) {
        throw RpcError.app('dial_failed', `cannot connect to ${p.addr}: ${(err as Error).message.split('\n')[0]}`);
      }
    },

    'net.disconnect': async (p) => ({ disconnected: await needNet(c).hangUp(p.peer_id) }),

    'net.ban': async (p) => {
      const n = needNet(c);
      if (p.secs === 0) {
        n.book.unban(p.peer_id);
        return { banned: false, until_ms: null };
      }
      n.book.ban(p.peer_id, p.secs ?? n.o.banSecs, 'operator (net.ban)');
      return { banned: true, until_ms: n.book.banned().get(p.peer_id) ?? null };
    },

    'net.sync_status': () => {
      const n = c.net();
      return n ? n.sync.status() : aloneSync(needChain(c).chain);
    },

    'net.gossip_status': () => {
      const n = c.net();
      if (!n) return { enabled: false, topics: [], chaos: null };
      return { enabled: true, topics: n.gossip.view(), chaos: c.testHooks ? n.chaos.settings : null };
    },

    'net.reseed': () => needNet(c).reseed(),

    'net.chaos': async (p) => {
      if (!c.testHooks) throw RpcError.app('test_hooks_disabled', 'net.chaos is a test hook; start the node with TB_P2P_TEST_HOOKS=1');
      const n = needNet(c);
      if (p.clear) n.chaos.clear();
      const s = n.chaos.set({
        ...(p.loss_percent !== undefined ? { loss_percent: p.loss_percent } : {}),
        ...(p.jitter_ms !== undefined ? { jitter_ms: p.jitter_ms } : {}),
        ...(p.partition !== undefined ? { partition: p.partition } : {}),
      });
      for (const id of s.partition) await n.hangUp(id);
      return s;
    },

    'consensus.finality': () => needChain(c).engine.view(),
  };
}
