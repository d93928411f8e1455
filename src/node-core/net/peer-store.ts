/**
 * The overlay peer store (operations guide "Backup and Restore Path Reference"):
 * `<data dir>/overlay/overlay_peers.json` (`TB_OVERLAY_DB_PATH`), a JSON list of
 * `{ peer_id (base58), addr (multiaddr without /p2p), last_seen (ms) }`, rewritten atomically
 * (at most every SAVE_EVERY_MS) and reloaded at start so a restarted node redials the peers it
 * knew. "DHT / Gossip Recovery": `purge()` empties it; the node then reseeds from bootstrap peers.
 */
import { existsSync, promises as fs } from 'node:fs';
import type pino from 'pino';
import { z } from 'zod';
import type { NodeNotice } from '../../shared/api/types.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { quarantine } from '../storage/quarantine.js';

export interface OverlayPeer {
  peer_id: string;
  addr: string;
  last_seen: number;
}

const zFile = z.array(z.object({ peer_id: z.string().min(1).max(128), addr: z.string().min(1).max(512), last_seen: z.number().int().min(0) }));
/** Most peers remembered (the least recently seen are forgotten first). */
export const MAX_OVERLAY_PEERS = 256;
const SAVE_EVERY_MS = 2000;

export class PeerStore {
  private readonly peers = new Map<string, OverlayPeer>();
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    readonly file: string,
    private readonly logger?: pino.Logger,
    /** Receives the `node.notice` when a damaged file is moved aside. */
    private readonly notify?: (n: NodeNotice) => void,
  ) {}

  /**
   * Loads the file. A damaged file (not JSON, wrong shape, unreadable) is rebuildable: it is moved
   * aside to `<file>.corrupt-<time>` (storage/quarantine.ts), logged at warn and reported, and the
   * node starts from its bootstrap peers only.
   */
  async load(): Promise<OverlayPeer[]> {
    if (!existsSync(this.file)) return [];
    try {
      const r = zFile.safeParse(JSON.parse(await fs.readFile(this.file, 'utf8')));
      if (!r.success) throw new Error(r.error.issues[0]?.message ?? 'invalid');
      for (const p of r.data) this.peers.set(p.peer_id, p);
    } catch (err) {
      try {
        await quarantine(this.file, 'overlay peer list', (err as Error).message, 'the node starts from its bootstrap peers only', { logger: this.logger, notify: this.notify });
      } catch (e) {
        this.logger?.warn({ file: this.file, err: (e as Error).message }, 'peer store is unreadable and cannot be moved aside; starting from bootstrap peers only');
      }
    }
    return this.list();
  }

  list(): OverlayPeer[] {
    return [...this.peers.values()].sort((a, b) => b.last_seen - a.last_seen);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Records a peer seen now at `addr`; saved soon. */
  seen(peerId: string, addr: string): void {
    this.peers.set(peerId, { peer_id: peerId, addr, last_seen: Date.now() });
    if (this.peers.size > MAX_OVERLAY_PEERS) {
      const oldest = this.list().slice(MAX_OVERLAY_PEERS);
      for (const p of oldest) this.peers.delete(p.peer_id);
    }
    this.schedule();
  }

  forget(peerId: string): void {
    if (this.peers.delete(peerId)) this.schedule();
  }

  /** Empties the store and its file. @returns how many peers were forgotten. */
  async purge(): Promise<number> {
    const n = this.peers.size;
    this.peers.clear();
    await this.flush();
    return n;
  }

  private schedule(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, SAVE_EVERY_MS);
    this.timer.unref();
  }

  /** Writes the store now (atomic). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    const body = JSON.stringify(this.list(), null, 2) + '\n';
    this.saving = this.saving.then(() => writeFileAtomic(this.file, body)).catch((err) => this.logger?.warn({ err, file: this.file }, 'cannot write the peer store'));
    await this.saving;
  }

  /** Flushes pending changes (called at stop). */
  async close(): Promise<void> {
    if (this.dirty) await this.flush();
    else await this.saving;
  }
}
