/**
 * Chain sync by request/response (spec/chain_core.md §7 "pull ChainRequest from local height every
 * TB_P2P_CHAIN_SYNC_INTERVAL_MS"): each round refreshes the peers' status (head, finalized block),
 * picks the best peer, and downloads the missing blocks in bounded ranges with several requests in
 * flight, importing them in order while the next ranges arrive (signature checks of the next
 * blocks overlap the import of the current one). Each block comes with its commit certificate
 * (> 2/3 of the stake precommitted it, Tendermint) and is refused without a valid one; committed
 * blocks are final, so a peer whose chain conflicts with ours is not followed.
 *
 * Phases (shown by the console): connecting (peers configured, none answered yet) → downloading
 * (ranges in flight) → verifying (everything fetched, imports finishing) → following (within
 * FOLLOW_GAP blocks of the best peer). `idle`: no peers configured and none connected.
 * Prints one progress line every few seconds while downloading (cf. Lodestar's notifier).
 */
import type pino from 'pino';
import type { SyncPhase, SyncStatus } from '../../shared/api/net.js';
import type { ConsensusEngine } from '../chain/engine.js';
import type { Chain } from '../chain/chain.js';
import { ImportError } from '../chain/verify.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { PeerBook, PeerInfo } from './peers.js';
import type { Status } from './protocol.js';

/** Blocks behind the best peer that still count as following. */
export const FOLLOW_GAP = 2;
const BATCH = 256;
const IN_FLIGHT = 4;
/** Longest side branch fetched to compare with ours (blocks). */
const MAX_BRANCH = 8192;

export interface SyncTransport {
  status(peerId: string): Promise<Status>;
  blocks(peerId: string, from: number, count: number): Promise<{ blocks: Uint8Array[]; proof: Uint8Array[] }>;
}

export interface SyncOptions {
  chain: Chain;
  engine: ConsensusEngine;
  book: PeerBook;
  transport: SyncTransport;
  intervalMs: number;
  /** Whether bootstrap or static peers are configured (connecting vs idle). */
  hasConfiguredPeers: () => boolean;
  onStatus: (s: SyncStatus) => void;
  logger?: pino.Logger;
  metrics?: Metrics;
}

export class SyncManager {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;
  private phase: SyncPhase = 'connecting';
  private target = 0;
  private startHeight = 0;
  private bestPeer: string | undefined;
  private readonly imported: { t: number; n: number }[] = [];
  private lastLog = 0;
  private lastEmit = 0;
  private readonly startedAt = Date.now();
  private branchWanted = new Set<string>();

  constructor(private readonly o: SyncOptions) {
    this.startHeight = o.chain.headBlock().header.height;
    this.target = this.startHeight;
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 20));
  }

  /** Runs a round soon (a peer connected; a gossiped block had an unknown parent). */
  trigger(branchFrom?: string): void {
    if (branchFrom) this.branchWanted.add(branchFrom);
    setImmediate(() => void this.tick());
  }

  /** Blocks/s over the last 5 s. */
  rate(): number {
    const now = Date.now();
    while (this.imported.length && now - this.imported[0].t > 5000) this.imported.shift();
    if (this.imported.length === 0) return 0;
    const n = this.imported.reduce((s, x) => s + x.n, 0);
    const span = Math.max(1000, now - Math.min(this.imported[0].t, now - 1000));
    return Math.round((n / span) * 1000 * 10) / 10;
  }

  status(): SyncStatus {
    const local = this.o.chain.headBlock().header.height;
    const target = Math.max(this.target, local);
    const rate = this.rate();
    const span = target - this.startHeight;
    const following = this.phase === 'following';
    return {
      phase: this.phase,
      local_height: local,
      target_height: target,
      finalized_height: this.o.chain.finalized().height,
      start_height: this.startHeight,
      progress: following || span <= 0 ? (following ? 1 : 0) : Math.min(1, Math.max(0, (local - this.startHeight) / span)),
      blocks_per_s: rate,
      eta_ms: following ? 0 : rate > 0 ? Math.round(((target - local) / rate) * 1000) : null,
      peers: this.o.book.connected.size,
      ...(this.bestPeer && !following ? { best_peer: this.bestPeer } : {}),
    };
  }

  private setPhase(p: SyncPhase): void {
    const changed = p !== this.phase;
    this.phase = p;
    if (p === 'downloading' && changed) this.startHeight = this.o.chain.headBlock().header.height;
    // Validators do not propose or vote while they are catching up.
    this.o.engine.setSyncing(p === 'downloading' || p === 'verifying' || (p === 'connecting' && Date.now() - this.startedAt < 5000));
    const now = Date.now();
    if (changed || (p !== 'following' && now - this.lastEmit >= 1000)) {
      this.lastEmit = now;
      this.o.onStatus(this.status());
    }
    if (changed) this.o.logger?.info({ phase: p, height: this.o.chain.headBlock().header.height, target: this.target }, `sync ${p}`);
  }

  private async refreshStatuses(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.o.book.connected.values()]
        .filter((p) => !p.statusAtMs || now - p.statusAtMs >= this.o.intervalMs)
        .map(async (p) => {
          try {
            p.status = await this.o.transport.status(p.id);
            p.statusAtMs = Date.now();
          } catch {
            /* the peer will be asked again next round */
          }
        }),
    );
  }

  private best(): PeerInfo | undefined {
    let best: PeerInfo | undefined;
    for (const p of this.o.book.connected.values()) {
      if (!p.status || this.o.book.isBanned(p.id)) continue;
      const s = p.status;
      if (!best || s.finalizedHeight > best.status!.finalizedHeight || (s.finalizedHeight === best.status!.finalizedHeight && s.headHeight > best.status!.headHeight)) best = p;
    }
    return best;
  }

  private async tick(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.refreshStatuses();
      const best = this.best();
      const chain = this.o.chain;
      const local = chain.headBlock().header.height;
      if (!best) {
        // Peers connected but not yet answered (a reconnect, a second transport): keep the phase.
        if (this.o.book.connected.size > 0 && this.phase !== 'idle' && this.phase !== 'connecting') return;
        this.target = local;
        this.setPhase(this.o.hasConfiguredPeers() || this.o.book.connected.size > 0 ? 'connecting' : 'idle');
        return;
      }
      this.bestPeer = best.id;
      const s = best.status!;
      this.target = Math.max(local, s.headHeight);
      const fin = chain.finalized();
      // Their finalized block is ours, or above our head (not downloaded yet: a plain download);
      // a different block at a height we have means our branch lost: fetch theirs for fork choice.
      const theirFinalizedKnown = s.finalizedHeight <= fin.height || s.finalizedHeight > local || chain.recentHash(s.finalizedHeight) === s.finalizedHash;
      const branch = this.branchWanted.size > 0;
      if (s.headHeight <= local && theirFinalizedKnown && !branch) {
        this.setPhase('following');
        return;
      }
      if (!theirFinalizedKnown || branch) {
        const from = [...this.branchWanted].find((id) => this.o.book.connected.has(id)) ?? best.id;
        this.branchWanted.clear();
        await this.fetchBranch(from);
        return;
      }
      if (s.headHeight - local > FOLLOW_GAP) this.setPhase('downloading');
      await this.download(best.id, s.headHeight);
      if (chain.headBlock().header.height + FOLLOW_GAP >= this.target) this.setPhase('following');
    } catch (err) {
      this.o.logger?.warn({ err: (err as Error).message }, 'sync round failed');
    } finally {
      this.running = false;
    }
  }

  private note(n: number): void {
    if (n <= 0) return;
    this.imported.push({ t: Date.now(), n });
    this.o.metrics?.syncBlocksTotal.inc(n);
    this.o.metrics?.syncBlocksPerSecond.set(this.rate());
    const now = Date.now();
    if (now - this.lastLog >= 3000) {
      this.lastLog = now;
      const st = this.status();
      if (st.phase !== 'following')
        this.o.logger?.info({ height: st.local_height, target: st.target_height, blocks_per_s: st.blocks_per_s, eta_ms: st.eta_ms, peers: st.peers }, `syncing: ${st.target_height - st.local_height} blocks left, ${st.blocks_per_s} blocks/s`);
    }
    if (this.phase !== 'following' && now - this.lastEmit >= 1000) {
      this.lastEmit = now;
      this.o.onStatus(this.status());
    }
  }

  /** Downloads (head+1 .. target] from one peer with IN_FLIGHT ranges in flight, importing in order. */
  private async download(peer: string, target: number): Promise<void> {
    const chain = this.o.chain;
    let next = chain.headBlock().header.height + 1;
    const queue: Promise<{ blocks: Uint8Array[]; proof: Uint8Array[] }>[] = [];
    const fill = () => {
      while (queue.length < IN_FLIGHT && next <= target) {
        const count = Math.min(BATCH, target - next + 1);
        const p = this.o.transport.blocks(peer, next, count);
        p.catch(() => {});
        queue.push(p);
        next += count;
      }
    };
    fill();
    // Ranges are handed to the engine as they arrive (their signatures are checked while the
    // previous range applies); results are taken in order, and after a failure the rest is dropped.
    const adopting: { p: Promise<{ imported: number; forked: boolean }>; res: { blocks: Uint8Array[]; proof: Uint8Array[] } }[] = [];
    const settle = async (): Promise<boolean> => {
      const a = adopting.shift()!;
      try {
        const r = await a.p;
        this.note(r.imported);
        this.o.book.reward(peer, 0.01 * r.imported);
        return !r.forked && r.imported === a.res.blocks.length;
      } catch (err) {
        for (const rest of adopting.splice(0)) rest.p.catch(() => {});
        if (err instanceof ImportError && err.reason === 'no_common_ancestor') {
          await this.fetchBranch(peer);
          return false;
        }
        if (err instanceof ImportError) {
          this.o.book.penalize(peer, 'malformed_sync', `${err.reason}: ${err.message}`);
          return false;
        }
        throw err;
      }
    };
    while (queue.length > 0 && !this.stopped) {
      let res: { blocks: Uint8Array[]; proof: Uint8Array[] };
      try {
        res = await queue.shift()!;
      } catch {
        break; // peer went away or timed out: the next round starts from the new head
      }
      if (next > target && this.phase === 'downloading') this.setPhase('verifying');
      fill();
      if (res.blocks.length === 0) break;
      const p = this.o.engine.adoptBlocks(res.blocks, res.proof);
      p.catch(() => {});
      adopting.push({ p, res });
      if (adopting.length >= 2 && !(await settle())) return;
    }
    while (adopting.length > 0) if (!(await settle())) return;
  }

  /** Fetches the peer's chain from our finalized block up to its head, then lets fork choice decide. */
  private async fetchBranch(peer: string): Promise<void> {
    const fin = this.o.chain.finalized();
    const s = this.o.book.connected.get(peer)?.status;
    if (!s) return;
    const blocks: Uint8Array[] = [];
    let from = fin.height + 1;
    const proof: Uint8Array[] = [];
    while (from <= s.headHeight && blocks.length < MAX_BRANCH) {
      const r = await this.o.transport.blocks(peer, from, Math.min(BATCH, s.headHeight - from + 1));
      if (r.blocks.length === 0) break;
      blocks.push(...r.blocks);
      proof.push(...r.blocks.map((_, i) => r.proof[i] ?? new Uint8Array(0)));
      from += r.blocks.length;
    }
    if (blocks.length === 0) return;
    try {
      const r = await this.o.engine.adoptBlocks(blocks, proof);
      this.note(r.imported);
    } catch (err) {
      if (err instanceof ImportError && err.reason === 'no_common_ancestor') {
        this.o.logger?.error({ peer, finalized: fin.height }, 'peer is on a chain that conflicts with this node\'s finalized block; not following it');
        return;
      }
      if (err instanceof ImportError) {
        this.o.book.penalize(peer, 'malformed_sync', `${err.reason}: ${err.message}`);
        return;
      }
      throw err;
    }
  }
}
