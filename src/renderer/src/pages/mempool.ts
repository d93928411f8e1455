/** Which mempool size the Overview shows: the newer of the 2 s resource sample and the per-block `mempool.stats`. */
import type { MempoolStats, NodeStats } from '../../../shared/api/types';

/**
 * The mempool size from whichever source was read last: `node.stats` samples (every 2 s, stamped
 * `ts_ms`) or `mempool.stats` (asked again on every new head, fetched at `poolAt` ms). Preferring
 * the sample always showed "1" for up to 2 s after the transaction was included (#19).
 * @returns the size, or undefined when neither is known.
 */
export function newerMempoolSize(sample: Pick<NodeStats, 'ts_ms' | 'mempool_size'> | undefined, pool: Pick<MempoolStats, 'size'> | undefined, poolAt: number): number | undefined {
  if (!pool) return sample?.mempool_size;
  if (!sample) return pool.size;
  return poolAt >= sample.ts_ms ? pool.size : sample.mempool_size;
}
