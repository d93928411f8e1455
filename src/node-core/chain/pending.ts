/**
 * Blocks of a catch-up run that are applied (head, state and caches moved on) but not yet
 * written: chain.ts stages consecutive imports here and writes them with the run's next write as
 * ONE DB batch (storage/chaindb.ts commitBlocks), so a synced range costs a few DB writes instead
 * of one per block, and applying the next block overlaps nothing but memory work. Until written,
 * the reads of these blocks (by height, hash, tx id, certificate) are answered from here.
 *
 * Bounds (why the state stays right): the state's caches (chain/state.ts) hold committed values
 * and read a missing account or bucket member record from the DB, which does not have the staged
 * blocks yet; a staged record must therefore stay cached until written. The staged run touches at
 * most 1/8 of each cache (an LRU evicts an entry only after that many newer ones), so none of its
 * entries can be evicted before the write.
 */
import type { BlockCommit, ChainDb } from '../storage/chaindb.js';
import type { Block } from './block.js';

/** Most blocks staged before a write. */
export const MAX_STAGED_BLOCKS = 64;

export class PendingWrites {
  private commits: BlockCommit[] = [];
  private readonly blocks = new Map<number, Block>();
  private readonly heights = new Map<string, number>();
  private accounts = 0;
  private buckets = 0;
  private readonly maxAccounts: number;
  private readonly maxBuckets: number;

  /** @param limits the state's account and bucket cache sizes (entries; chain/state.ts defaults 100,000 and 8,192). */
  constructor(limits: { accounts?: number; buckets?: number } = {}) {
    this.maxAccounts = Math.floor((limits.accounts ?? 100_000) / 8);
    this.maxBuckets = Math.floor((limits.buckets ?? 8_192) / 8);
  }

  get size(): number {
    return this.commits.length;
  }

  /** Whether `c` can be staged after what is staged already (see the bounds above). */
  fits(c: BlockCommit): boolean {
    return (
      this.commits.length < MAX_STAGED_BLOCKS &&
      this.accounts + c.accounts.size <= this.maxAccounts &&
      this.buckets + (c.tree?.members.size ?? 0) <= this.maxBuckets
    );
  }

  /** Stages block `b` and its batch (the next height after what is staged). */
  add(b: Block, c: BlockCommit): void {
    this.commits.push(c);
    this.blocks.set(b.header.height, b);
    this.heights.set(b.hashHex, b.header.height);
    this.accounts += c.accounts.size;
    this.buckets += c.tree?.members.size ?? 0;
  }

  /** Set when the write of a staged run failed: memory is ahead of the DB, so the chain writes nothing more (a restart reopens the DB as written). */
  failed: Error | undefined;

  /**
   * Writes the staged run, then `last` (a block not staged), as ONE DB batch (fsynced when `sync`)
   * and forgets the run once written.
   */
  async write(db: ChainDb, last: BlockCommit | undefined, sync: boolean): Promise<void> {
    if (this.commits.length === 0) return last && db.commitBlock(last, { sync });
    try {
      await db.commitBlocks(last ? [...this.commits, last] : this.commits, { sync });
    } catch (err) {
      this.failed = err as Error;
      throw err;
    }
    this.clear();
  }

  private clear(): void {
    this.commits = [];
    this.blocks.clear();
    this.heights.clear();
    this.accounts = 0;
    this.buckets = 0;
  }

  block(height: number): Block | undefined {
    return this.blocks.get(height);
  }

  heightOf(hashHex: string): number | undefined {
    return this.heights.get(hashHex);
  }

  /** Where a staged tx is (64-hex id), or undefined. */
  txLocation(idHex: string): { height: number; index: number; blockHash: Uint8Array } | undefined {
    for (const b of this.blocks.values()) {
      const i = b.txs.findIndex((t) => t.hash === idHex);
      if (i >= 0) return { height: b.header.height, index: i, blockHash: b.hash };
    }
    return undefined;
  }

  /** A staged metadata record (a certified block's `commit/<h>`, the latest `finalized`), or undefined. */
  meta(name: string): Uint8Array | undefined {
    for (let i = this.commits.length - 1; i >= 0; i--) for (const [n, v] of this.commits[i].meta ?? []) if (n === name) return v;
    return undefined;
  }
}
