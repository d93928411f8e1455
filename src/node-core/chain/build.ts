/**
 * Block building: the next block on a parent from the mempool's selection, each transaction
 * applied in block order as import will apply it, signed with the node key.
 */
import type pino from 'pino';
import type { KeyPair } from '../crypto/ed25519.js';
import { fromHex } from '../crypto/hash.js';
import { epochOf, makeBlock, txRoot, type Block } from './block.js';
import type { Mempool } from './mempool.js';
import type { BlockRun, RunResult } from './run.js';
import type { SignedTx } from './tx.js';

/** A built block, its run and the mempool transactions its run refused. */
export interface Built {
  block: Block;
  run: RunResult;
  rejected: SignedTx[];
}

/**
 * Builds and signs the block after `parent`: timestamp = now (ms), or parent's + 1 ms when the
 * wall clock is behind; at most `maxTxs` transactions.
 * @param o.evidence evidence items the block commits (its run must record their accused, see nextRun).
 * @param nextRun a run of the block after the parent at the given timestamp (ms).
 */
export function buildOn(parent: Block, o: { nodeKey: KeyPair; maxTxs: number; logger?: pino.Logger; evidence?: Uint8Array[] }, mempool: Mempool, nextRun: (timestampMs: number) => BlockRun): Built {
  const proposerHex = o.nodeKey.address.slice(3);
  const rejected: SignedTx[] = [];
  const height = parent.header.height + 1;
  const now = Date.now();
  if (now < parent.header.timestampMs) o.logger?.warn({ now, parent_ms: parent.header.timestampMs }, 'wall clock is behind the head block; using parent timestamp + 1 ms');
  const timestampMs = Math.max(now, parent.header.timestampMs + 1);
  const run = nextRun(timestampMs).begin();
  let index = 0; // position in the block, as import will see it (TxContext.index)
  const txs = mempool.select(o.maxTxs, (tx) => {
    const f = run.apply(tx, index);
    if (f) rejected.push(tx);
    else index++;
    return !f;
  });
  const r = run.end();
  const header = { height, parentHash: parent.hash, timestampMs, proposer: fromHex(proposerHex, 20), txRoot: txRoot(txs.map((t) => fromHex(t.hash, 32))), stateRoot: r.stateRoot, epoch: epochOf(height), txCount: txs.length };
  return { block: makeBlock(header, txs, o.nodeKey.secretKey, o.evidence), run: r, rejected };
}
