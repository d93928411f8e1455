/**
 * Following a single-validator (dev) chain: its blocks travel on the blocks topic as they are
 * made, and a node imports one that extends its head (no votes: the one validator is all the stake).
 */
import { toHex } from '../crypto/hash.js';
import { decodeBlock, type Block } from './block.js';
import type { Chain } from './chain.js';
import { ImportError } from './verify.js';

export type Verdict = 'accept' | 'reject' | 'ignore';

/** Outcome of handing a gossiped block or proposal to the engine. */
export interface BlockOutcome {
  verdict: Verdict;
  /** We are behind the sender: fetch its chain (net layer). */
  needParent?: boolean;
  reason?: string;
}

/** Imports a gossiped dev block that extends the head; a later one asks for sync. */
export async function importDevBlock(chain: Chain, bytes: Uint8Array): Promise<BlockOutcome> {
  let b: Block;
  try {
    b = decodeBlock(bytes, { deferTxHashes: true });
  } catch (err) {
    return { verdict: 'reject', reason: (err as Error).message };
  }
  const head = chain.headBlock();
  if (b.header.height <= head.header.height) return { verdict: 'ignore', reason: 'known height' };
  if (b.header.height > head.header.height + 1 || toHex(b.header.parentHash) !== head.hashHex) return { verdict: 'ignore', needParent: true, reason: 'unknown parent' };
  try {
    await chain.importBlock(bytes);
    return { verdict: 'accept' };
  } catch (err) {
    if (err instanceof ImportError) return { verdict: 'reject', reason: `${err.reason}: ${err.message}` };
    throw err;
  }
}
