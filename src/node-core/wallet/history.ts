/**
 * `wallet.history` (src/shared/api/wallet-history.ts): transfers of an address found by scanning
 * canonical blocks backwards from the head. Bounded: at most `max_blocks` blocks and `limit`
 * entries, so a request never turns into a long loop.
 */
import type { HistoryEntry } from '../../shared/api/wallet.js';
import type { HandlerMap } from '../rpc/types.js';
import { blockView } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import type { Keystore } from './keystore.js';

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_DEFAULT_BLOCKS = 10_000;

/** Scans `chain` for transfers from or to `address`. */
export async function addressHistory(
  chain: Pick<Chain, 'tip' | 'blockAt'>,
  address: string,
  o: { limit?: number; maxBlocks?: number } = {},
): Promise<{ address: string; entries: HistoryEntry[]; scanned_from: number; scanned_to: number; truncated: boolean }> {
  const limit = o.limit ?? HISTORY_DEFAULT_LIMIT;
  const maxBlocks = o.maxBlocks ?? HISTORY_DEFAULT_BLOCKS;
  const top = chain.tip().height;
  const bottom = Math.max(1, top - maxBlocks + 1);
  const entries: HistoryEntry[] = [];
  let h = top;
  let truncated = false;
  for (; h >= bottom; h--) {
    const b = await chain.blockAt(h);
    if (!b || b.txs.length === 0) continue;
    const v = blockView(b);
    for (const tx of [...v.transactions].reverse()) {
      const out = tx.from === address;
      if (!out && tx.to !== address) continue;
      entries.push({ hash: tx.hash, height: v.height, timestamp_ms: v.timestamp_ms, direction: out ? 'out' : 'in', counterparty: out ? tx.to : tx.from, amount: tx.amount, fee: tx.fee, nonce: tx.nonce });
    }
    if (entries.length >= limit) {
      truncated = h > bottom;
      break;
    }
  }
  return { address, entries: entries.slice(0, limit), scanned_from: Math.max(bottom, Math.min(h, top)), scanned_to: top, truncated };
}

/** The `wallet.history` and `wallet.create` handlers. */
export function historyHandlers(chain: () => Chain | undefined, keystore: Pick<Keystore, 'create'>): HandlerMap {
  return {
    'wallet.create': (p) => keystore.create(p.name),
    'wallet.history': async (p) => {
      const c = chain();
      if (!c) throw new Error('chain not open');
      return addressHistory(c, p.address, { limit: p.limit, maxBlocks: p.max_blocks });
    },
  };
}
