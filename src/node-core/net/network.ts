/**
 * The node's network subsystem (DESIGN.md "net/"): the libp2p host, the status handshake (chain id
 * and genesis must match; a peer of another chain is refused with one clear log line and banned),
 * request/response block sync, gossip, the peer book (scores, bans, latency), the overlay peer
 * store, and the dialing of bootstrap / static / remembered peers with backoff.
 * Stop order: sync rounds → gossip → timers → peer store flush → host (aborting a sync request in flight).
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { Connection } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import path from 'node:path';
import type pino from 'pino';
import type { PeersSummary, SyncStatus } from '../../shared/api/net.js';
import { addressOf } from '../chain/address.js';
import type { Chain } from '../chain/chain.js';
import type { ConsensusEngine } from '../chain/engine.js';
import type { NodeEvents } from '../events.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { Chaos } from './chaos.js';
import { Gossip } from './gossip.js';
import { startHost, transportOf, type Host } from './host.js';
import { PeerStore } from './peer-store.js';
import { PeerBook } from './peers.js';
import { PeerLiveness } from './liveness.js';
import { ReqResp } from './reqresp.js';
import { SyncManager } from './sync.js';

export interface NetworkOptions {
  root: string;
  nodeKey: KeyPair;
  chain: Chain;
  engine: ConsensusEngine;
  quicAddr: string;
  tcpAddr: string;
  /** Bootstrap multiaddrs (network file + config). */
  bootstrap: string[];
  /** Static peers: multiaddrs or host:port (TCP). */
  staticPeers: string[];
  overlayPath?: string;
  banSecs: number;
  syncIntervalMs: number;
  testHooks: boolean;
  networkName: string;
  networkFile?: string;
  events?: NodeEvents;
  metrics?: Metrics;
  logger?: pino.Logger;
}

interface DialTarget {
  addr: Multiaddr;
  peerId?: string;
  source: 'bootstrap' | 'static' | 'overlay';
  nextAt: number;
  backoffMs: number;
}

/** `host:port` → a TCP multiaddr; multiaddrs pass through. */
export function peerAddr(s: string): string {
  if (s.startsWith('/')) return s;
  const m = /^(.+):(\d+)$/.exec(s);
  if (!m) throw new Error(`not a peer address: ${s}`);
  const host = m[1] === 'localhost' ? '127.0.0.1' : m[1];
  return `/ip4/${host}/tcp/${m[2]}`;
}

export class Network {
  readonly book: PeerBook;
  readonly store: PeerStore;
  readonly chaos = new Chaos();
  /** Requests answered / dropped per peer (the governor's peer-liveness signal). */
  readonly liveness: PeerLiveness;
  gossip!: Gossip;
  sync!: SyncManager;
  host!: Host;
  private readonly targets = new Map<string, DialTarget>();
  private timers: NodeJS.Timeout[] = [];
  private offs: (() => void)[] = [];
  private rr!: ReqResp;
  private stopped = false;

  private constructor(readonly o: NetworkOptions) {
    this.book = new PeerBook({
      banFile: path.join(o.root, 'peer_db', 'net_bans.json'),
      banSecs: o.banSecs,
      metrics: o.metrics,
      logger: o.logger,
      onBan: (id) => void this.hangUp(id),
      notify: (n) => o.events?.emit('node.notice', n),
    });
    // peers{transport} exists from the start (0), so "no peers" is a value, not a missing series.
    this.book.updateGauge();
    this.store = new PeerStore(o.overlayPath ?? path.join(o.root, 'overlay', 'overlay_peers.json'), o.logger, (n) => o.events?.emit('node.notice', n));
    this.liveness = new PeerLiveness(o.metrics);
  }

  /** Share of requests to connected peers answered in the last minute; null without requests. */
  peerLiveness(): number | null {
    return this.liveness.ratio(undefined, undefined, this.book.connected.keys());
  }

  /**
   * Starts the host and every loop.
   * @throws P2pListenError when a listen port is in use (the message names the flag).
   */
  static async start(o: NetworkOptions): Promise<Network> {
    const n = new Network(o);
    await n.book.load();
    const remembered = await n.store.load();
    n.host = await startHost({
      nodeKey: o.nodeKey,
      quicAddr: o.quicAddr,
      tcpAddr: o.tcpAddr,
      deny: (id) => n.book.isBanned(id) || n.chaos.isCut(id),
      appScore: (id) => n.book.appScore(id),
    });
    try {
      await n.wire(remembered);
    } catch (err) {
      await Promise.resolve(n.host.stop()).catch(() => {});
      throw err;
    }
    return n;
  }

  get peerId(): string {
    return this.host.peerId.toString();
  }

  private async wire(remembered: { peer_id: string; addr: string }[]): Promise<void> {
    const o = this.o;
    this.rr = new ReqResp({ host: this.host, chain: o.chain, book: this.book, chaos: this.chaos, banSecs: o.banSecs, logger: o.logger, liveness: this.liveness });
    await this.rr.register();
    this.gossip = new Gossip({
      pubsub: this.host.services.pubsub,
      chain: o.chain,
      engine: o.engine,
      book: this.book,
      chaos: this.chaos,
      metrics: o.metrics,
      logger: o.logger,
      onNeedParent: (peer) => this.sync.trigger(peer),
    });
    this.gossip.start();
    o.engine.publishBlock = (b) => void this.gossip.publish('blocks', b);
    o.engine.publishVote = (v) => void this.gossip.publish('votes', v);
    o.engine.needSync = (why) => {
      o.logger?.warn({ why }, 'finality elsewhere: syncing the other branch');
      this.sync.trigger();
    };
    this.offs.push(o.chain.onLocalTx((tx) => void this.gossip.publish('txs', tx)));

    this.host.addEventListener('connection:open', (e) => this.onOpen(e.detail));
    this.host.addEventListener('connection:close', (e) => this.onClose(e.detail));
    this.host.addEventListener('peer:identify', (e) => {
      const id = e.detail.peerId.toString();
      const addr = e.detail.listenAddrs.map((a) => a.toString()).find((a) => a.includes('/tcp/')) ?? e.detail.listenAddrs[0]?.toString();
      if (addr && !this.book.isBanned(id)) this.store.seen(id, addr);
    });

    for (const a of o.bootstrap) this.addTarget(a, 'bootstrap');
    for (const a of o.staticPeers) this.addTarget(peerAddr(a), 'static');
    for (const p of remembered) this.addTarget(`${p.addr}/p2p/${p.peer_id}`, 'overlay');

    this.sync = new SyncManager({
      chain: o.chain,
      engine: o.engine,
      book: this.book,
      transport: { status: (id) => this.rr.requestStatus(id), blocks: (id, from, count) => this.rr.requestBlocks(id, from, count) },
      intervalMs: o.syncIntervalMs,
      hasConfiguredPeers: () => [...this.targets.values()].some((t) => t.peerId !== this.peerId),
      onStatus: (s: SyncStatus) => o.events?.emit('net.sync', s),
      logger: o.logger,
      metrics: o.metrics,
    });
    this.sync.start();
    this.timers.push(setInterval(() => void this.dialLoop(), 1000));
    this.timers.push(setInterval(() => void this.pingLoop(), 5000));
    for (const t of this.timers) t.unref();
    void this.dialLoop();
    o.logger?.info({ peer_id: this.peerId, listen: this.host.getMultiaddrs().map(String), bootstrap: o.bootstrap.length, static: o.staticPeers.length, remembered: remembered.length }, 'p2p host listening');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // No new sync round; one in flight ends when the host stops (its streams are aborted).
    const syncIdle = this.sync?.stop();
    this.gossip?.stop();
    for (const t of this.timers) clearInterval(t);
    for (const off of this.offs) off();
    this.o.engine.publishBlock = () => {};
    this.o.engine.publishVote = () => {};
    await this.store.close();
    await this.host.stop();
    await syncIdle;
  }

  private addTarget(a: string, source: DialTarget['source']): void {
    let addr: Multiaddr;
    try {
      addr = multiaddr(a);
    } catch {
      this.o.logger?.warn({ addr: a, source }, 'ignoring an invalid peer address');
      return;
    }
    const peerId = addr.getComponents().find((c) => c.name === 'p2p')?.value;
    if (peerId && this.host && peerId === this.peerId) return;
    const key = addr.toString();
    if (!this.targets.has(key)) this.targets.set(key, { addr, peerId, source, nextAt: 0, backoffMs: 0 });
  }

  private async dialLoop(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    await Promise.all(
      [...this.targets.values()].map(async (t) => {
        if (t.peerId && (this.book.connected.has(t.peerId) || this.book.isBanned(t.peerId) || this.chaos.isCut(t.peerId))) return;
        if (now < t.nextAt) return;
        try {
          const c = await this.host.dial(t.addr, { signal: AbortSignal.timeout(5000) });
          t.peerId = c.remotePeer.toString();
          t.backoffMs = 0;
        } catch {
          t.backoffMs = Math.min(30_000, Math.max(1000, t.backoffMs * 2));
          t.nextAt = Date.now() + t.backoffMs;
        }
      }),
    );
  }

  private async pingLoop(): Promise<void> {
    await Promise.all(
      [...this.book.connected.values()].map(async (p) => {
        try {
          if (this.chaos.isCut(p.id)) throw new Error('cut by the chaos hook');
          p.latencyMs = await this.host.services.ping.ping(peerIdFromString(p.id), { signal: AbortSignal.timeout(3000) });
          this.liveness.record(p.id, true);
        } catch {
          this.liveness.record(p.id, false); // keep the last latency
        }
      }),
    );
  }

  private onOpen(c: Connection): void {
    const id = c.remotePeer.toString();
    if (!this.book.connected.has(id)) {
      let nodeAddress: string | undefined;
      try {
        const raw = c.remotePeer.publicKey?.raw;
        if (raw && raw.length === 32) nodeAddress = addressOf(raw);
      } catch {
        /* not an Ed25519 identity */
      }
      // A peer that reconnects (or connects over its other transport) keeps its last status.
      const last = this.rr.lastStatus.get(id);
      this.book.connected.set(id, { id, address: c.remoteAddr.toString(), transport: transportOf(c.remoteAddr.toString()), direction: c.direction, connectedAtMs: Date.now(), nodeAddress, ...(last ? { status: last.status, statusAtMs: last.at } : {}) });
      this.peersChanged();
      this.o.logger?.info({ peer: id, addr: c.remoteAddr.toString(), direction: c.direction }, 'peer connected');
    }
    void this.rr.requestStatus(id).catch(() => {});
    this.sync?.trigger();
  }

  private onClose(c: Connection): void {
    const id = c.remotePeer.toString();
    const rest = this.host.getConnections(c.remotePeer);
    const p = this.book.connected.get(id);
    if (rest.length > 0 && p) {
      p.address = rest[0].remoteAddr.toString();
      p.transport = transportOf(p.address);
      p.direction = rest[0].direction;
      this.peersChanged();
      return;
    }
    if (this.book.connected.delete(id)) {
      this.o.logger?.info({ peer: id }, 'peer disconnected');
      this.peersChanged();
    }
  }

  private peersChanged(): void {
    this.book.updateGauge();
    this.o.events?.emit('net.peers', this.summary());
  }

  summary(): PeersSummary {
    let quic = 0;
    for (const p of this.book.connected.values()) if (p.transport === 'quic') quic++;
    return { count: this.book.connected.size, quic, tcp: this.book.connected.size - quic };
  }

  /** Closes every connection to a peer. */
  async hangUp(id: string): Promise<boolean> {
    const had = this.book.connected.has(id);
    try {
      await this.host.hangUp(peerIdFromString(id));
    } catch {
      /* already gone */
    }
    return had;
  }

  /** Dials a multiaddr now. @returns the peer id and transport. */
  async connect(addr: string): Promise<{ peer_id: string; transport: 'quic' | 'tcp' }> {
    const c = await this.host.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) });
    this.addTarget(addr, 'static');
    return { peer_id: c.remotePeer.toString(), transport: transportOf(c.remoteAddr.toString()) };
  }

  /** Purges the peer store and redials the bootstrap and static peers (recovery runbook). */
  async reseed(): Promise<{ purged: number; dialed: number }> {
    const purged = await this.store.purge();
    for (const [k, t] of this.targets) if (t.source === 'overlay') this.targets.delete(k);
    for (const t of this.targets.values()) {
      t.nextAt = 0;
      t.backoffMs = 0;
    }
    await this.dialLoop();
    return { purged, dialed: this.targets.size };
  }

  /** Listen addresses with the peer id. */
  listen(): string[] {
    return this.host.getMultiaddrs().map(String);
  }

  /** Gossipsub score of a peer. */
  score(id: string): number {
    const ps = this.host.services.pubsub as unknown as { getScore?: (id: string) => number };
    return ps.getScore?.(id) ?? this.book.appScore(id);
  }
}
