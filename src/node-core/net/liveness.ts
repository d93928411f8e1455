/**
 * Peer liveness: requests to each peer (status handshake, block sync, ping) counted as answered or
 * dropped (failed, timed out, cut). The governor's operational gate reads `ratio()` — the share
 * answered over a recent window, across peers — as its peer-liveness signal (spec/governor.md,
 * operational gate: `peer_liveness`).
 */
import type { Metrics } from '../telemetry/metrics.js';

/** Outcomes kept per peer (the window is also bounded in time). */
const KEEP = 64;
/** Peers tracked (the least recently seen are forgotten first). */
const MAX_PEERS = 512;
/** Default window of `ratio()` (ms): a few ping rounds. */
export const LIVENESS_WINDOW_MS = 60_000;

export interface PeerRequestStats {
  peer: string;
  answered: number;
  dropped: number;
}

export class PeerLiveness {
  private readonly peers = new Map<string, { answered: number; dropped: number; recent: { at: number; ok: boolean }[] }>();

  constructor(private readonly metrics?: Metrics) {}

  /** One request to `peer` was answered (`ok`) or dropped. */
  record(peer: string, ok: boolean, nowMs = Date.now()): void {
    let p = this.peers.get(peer);
    if (p) this.peers.delete(peer);
    else p = { answered: 0, dropped: 0, recent: [] };
    this.peers.set(peer, p);
    if (this.peers.size > MAX_PEERS) this.peers.delete(this.peers.keys().next().value!);
    if (ok) p.answered++;
    else p.dropped++;
    p.recent.push({ at: nowMs, ok });
    if (p.recent.length > KEEP) p.recent.shift();
    this.metrics?.peerRequestsTotal.inc({ result: ok ? 'answered' : 'dropped' });
  }

  /**
   * Share of requests answered in the last `windowMs` across `peers` (default: every tracked
   * peer), in [0, 1]; null when no request was made in the window (no signal).
   */
  ratio(windowMs = LIVENESS_WINDOW_MS, nowMs = Date.now(), peers?: Iterable<string>): number | null {
    let ok = 0;
    let all = 0;
    const ids = peers ? [...peers] : [...this.peers.keys()];
    for (const id of ids) {
      for (const r of this.peers.get(id)?.recent ?? []) {
        if (nowMs - r.at > windowMs) continue;
        all++;
        if (r.ok) ok++;
      }
    }
    return all === 0 ? null : ok / all;
  }

  /** Totals per peer since start (for net.peers views). */
  stats(): PeerRequestStats[] {
    return [...this.peers].map(([peer, p]) => ({ peer, answered: p.answered, dropped: p.dropped }));
  }
}
