/**
 * What this node knows about its peers: the connection (address, transport, direction), the last
 * status (chain head and finality), ping latency, and an application score. Invalid gossip or
 * sync messages cost points; a peer at or below BAN_SCORE is banned for `p2p_ban_secs` (bans are
 * persisted in `<data dir>/peer_db/net_bans.json`, hex-free peer id → until ms, atomically).
 * The application score is also fed to gossipsub (`appSpecificScore`), so a misbehaving peer
 * loses its mesh slots there too.
 */
import type { NodeNotice } from '../../shared/api/types.js';
import { quarantine } from '../storage/quarantine.js';
import { existsSync, promises as fs } from 'node:fs';
import type pino from 'pino';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Status } from './protocol.js';

/** Delay between a ban and closing the banned peer's connections (ms). */
const HANGUP_DELAY_MS = 250;
/** Application score at or below which a peer is banned. */
export const BAN_SCORE = -100;
/** Penalty points by reason (positive numbers are subtracted). */
export const PENALTY = {
  invalid_block: 40,
  invalid_vote: 20,
  invalid_tx: 5,
  malformed_gossip: 30,
  malformed_sync: 40,
  wrong_chain: 200,
} as const;
export type PenaltyReason = keyof typeof PENALTY;

export interface PeerInfo {
  id: string;
  /** Remote multiaddr of the current connection. */
  address: string;
  transport: 'quic' | 'tcp';
  direction: 'inbound' | 'outbound';
  connectedAtMs: number;
  latencyMs?: number;
  status?: Status;
  statusAtMs?: number;
  /** `tb1…` node address derived from the peer's key (the node key signs the libp2p identity). */
  nodeAddress?: string;
}

export class PeerBook {
  readonly connected = new Map<string, PeerInfo>();
  private readonly scores = new Map<string, number>();
  private readonly bans = new Map<string, number>();
  private readonly penalties = new Map<string, Partial<Record<PenaltyReason, number>>>();

  constructor(
    private readonly o: { banFile: string; banSecs: number; metrics?: Metrics; logger?: pino.Logger; onBan?: (id: string) => void; notify?: (n: NodeNotice) => void },
  ) {}

  /** Loads persisted bans (expired ones are dropped); a damaged file is moved aside (storage/quarantine.ts). */
  async load(): Promise<void> {
    if (!existsSync(this.o.banFile)) return;
    try {
      const raw = JSON.parse(await fs.readFile(this.o.banFile, 'utf8')) as Record<string, unknown>;
      const now = Date.now();
      for (const [id, until] of Object.entries(raw)) if (typeof until === 'number' && until > now) this.bans.set(id, until);
    } catch (err) {
      try {
        await quarantine(this.o.banFile, 'peer ban list', (err as Error).message, 'the node starts with no bans', { logger: this.o.logger, notify: this.o.notify });
      } catch {
        this.o.logger?.warn({ file: this.o.banFile, err: (err as Error).message }, 'peer ban list is unreadable; starting with no bans');
      }
    }
  }

  private async saveBans(): Promise<void> {
    const now = Date.now();
    const obj: Record<string, number> = {};
    for (const [id, until] of this.bans) if (until > now) obj[id] = until;
    await writeFileAtomic(this.o.banFile, JSON.stringify(obj, null, 2) + '\n').catch((err) => this.o.logger?.warn({ err }, 'cannot persist peer bans'));
  }

  appScore(id: string): number {
    return this.scores.get(id) ?? 0;
  }

  /** Penalties received by a peer, by reason (counts). */
  penaltiesOf(id: string): Partial<Record<PenaltyReason, number>> {
    return { ...(this.penalties.get(id) ?? {}) };
  }

  /** Subtracts points for a misbehaviour; bans the peer at BAN_SCORE. @returns whether it is now banned. */
  penalize(id: string, reason: PenaltyReason, detail?: string): boolean {
    const s = this.appScore(id) - PENALTY[reason];
    this.scores.set(id, s);
    const p = this.penalties.get(id) ?? {};
    p[reason] = (p[reason] ?? 0) + 1;
    this.penalties.set(id, p);
    this.o.metrics?.peerPenaltiesTotal.inc({ reason });
    this.o.logger?.warn({ peer: id, reason, score: s, detail }, `peer penalized: ${reason}`);
    if (s <= BAN_SCORE && !this.isBanned(id)) {
      this.ban(id, this.o.banSecs, `score ${s} after ${reason}`);
      return true;
    }
    return false;
  }

  /** A little credit for useful messages (capped at +20). */
  reward(id: string, points = 0.1): void {
    this.scores.set(id, Math.min(20, this.appScore(id) + points));
  }

  isBanned(id: string): boolean {
    const until = this.bans.get(id);
    if (until === undefined) return false;
    if (until <= Date.now()) {
      this.bans.delete(id);
      return false;
    }
    return true;
  }

  /**
   * Bans a peer for `secs` (persisted): new connections are refused at once; the owner hangs up
   * the current ones through `onBan` a moment later, so an answer being written (our status, which
   * tells a peer of another chain why) still reaches it.
   */
  ban(id: string, secs: number, reason: string): void {
    this.bans.set(id, Date.now() + secs * 1000);
    this.o.logger?.warn({ peer: id, secs, reason }, 'peer banned');
    void this.saveBans();
    const t = setTimeout(() => this.o.onBan?.(id), HANGUP_DELAY_MS);
    t.unref();
  }

  unban(id: string): boolean {
    const had = this.bans.delete(id);
    if (had) void this.saveBans();
    this.scores.set(id, Math.max(0, this.appScore(id)));
    return had;
  }

  /** Active bans: peer id → until (ms). */
  banned(): Map<string, number> {
    for (const id of [...this.bans.keys()]) this.isBanned(id);
    return new Map(this.bans);
  }

  /** Updates the `peers{transport}` gauge from the connected set. */
  updateGauge(): void {
    const m = this.o.metrics;
    if (!m) return;
    let quic = 0;
    let tcp = 0;
    for (const p of this.connected.values()) if (p.transport === 'quic') quic++;
    else tcp++;
    m.peers.set({ transport: 'quic' }, quic);
    m.peers.set({ transport: 'tcp' }, tcp);
  }
}
