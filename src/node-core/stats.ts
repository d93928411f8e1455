/**
 * Process resource sampling for the console's Overview (`node.stats` topic every 2 s) and the
 * `node.stats` / `node.status` RPC handlers.
 *
 * CPU is `process.cpuUsage()` (user + system µs) over monotonic wall time between samples, in
 * percent of one core. RSS from `process.memoryUsage.rss()`. The data-dir size walks the
 * directory asynchronously on its own slower timer (never two walks at once) so a big chain DB
 * never delays a sample; samples carry the latest finished walk.
 */
import type { NodeStats, NodeStatus } from '../shared/api/index.js';
import type { NodeEvents } from './events.js';
import type { HandlerMap } from './rpc/types.js';
import { dirSize } from './storage/datadir.js';

export interface StatsOptions {
  /** Data directory root whose size is reported. */
  root: string;
  events?: NodeEvents;
  /** Current mempool size (transactions); 0 while the chain is not open. */
  mempoolSize: () => number | Promise<number>;
  /** Connected peers (0 until networking exists). */
  peers?: () => number;
  /** Sample period in ms (default 2000). */
  intervalMs?: number;
  /** Data-dir walk period in ms (default 10 000). */
  sizeIntervalMs?: number;
}

export class StatsSampler {
  private lastCpu = process.cpuUsage();
  private lastWall = process.hrtime.bigint();
  private dataDirBytes = 0;
  private walking?: Promise<void>;
  private timers: NodeJS.Timeout[] = [];
  private current: NodeStats;
  private stopped = false;

  constructor(private readonly o: StatsOptions) {
    this.current = {
      ts_ms: Date.now(),
      cpu_percent: 0,
      rss_bytes: process.memoryUsage.rss(),
      data_dir_bytes: 0,
      mempool_size: 0,
      peers: 0,
    };
  }

  /** Takes a first sample (including one data-dir walk), then samples on the timers. */
  async start(): Promise<void> {
    await this.walk();
    await this.sample();
    this.timers.push(setInterval(() => void this.tick(), this.o.intervalMs ?? 2000).unref());
    this.timers.push(setInterval(() => void this.walk(), this.o.sizeIntervalMs ?? 10_000).unref());
  }

  /** Stops the timers and waits for a running walk. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.walking;
  }

  /** The most recent sample. */
  latest(): NodeStats {
    return this.current;
  }

  private async tick(): Promise<void> {
    const s = await this.sample();
    if (!this.stopped) this.o.events?.emit('node.stats', s);
  }

  /** Computes one sample (CPU since the previous sample). */
  async sample(): Promise<NodeStats> {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallUs = Number(now - this.lastWall) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastWall = now;
    let mempool = 0;
    try {
      mempool = await this.o.mempoolSize();
    } catch {
      /* chain closing: report 0 */
    }
    this.current = {
      ts_ms: Date.now(),
      cpu_percent: wallUs > 0 ? Math.round(((cpu.user + cpu.system) / wallUs) * 1000) / 10 : 0,
      rss_bytes: process.memoryUsage.rss(),
      data_dir_bytes: this.dataDirBytes,
      mempool_size: mempool,
      peers: this.o.peers?.() ?? 0,
    };
    return this.current;
  }

  private walk(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.walking ??= dirSize(this.o.root)
      .then((n) => {
        this.dataDirBytes = n;
      })
      .finally(() => {
        this.walking = undefined;
      });
    return this.walking;
  }
}

/** Handlers for `node.stats` (latest sample) and `node.status` (built by the caller on each call). */
export function nodeInfoHandlers(o: {
  stats: StatsSampler;
  status: () => NodeStatus | Promise<NodeStatus>;
}): HandlerMap {
  return {
    'node.stats': () => o.stats.latest(),
    'node.status': () => o.status(),
  };
}
