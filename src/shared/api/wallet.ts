/**
 * Wallet methods of the operator's first hour (#19), beside `wallet.list` / `wallet.transfer`:
 * `wallet.create` makes a new local key (no terminal needed), and
 * `wallet.history`: transfers into and out of an address, newest first, found by scanning the
 * chain backwards from the head (v1 keeps no per-address index, so the scan is bounded by
 * `max_blocks` and the answer says which heights it covered). Amounts and fees are decimal
 * strings of base units; times are block timestamps in ms since the epoch.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';
import { zAddress, zDecimal, zHash } from './numbers.js';

export const HistoryEntry = z.object({
  hash: zHash,
  height: z.number().int(),
  timestamp_ms: z.number().int(),
  /** `in`: the address received; `out`: it sent (a transfer to itself is `out`). */
  direction: z.enum(['in', 'out']),
  /** The other side: the receiver of an `out`, the sender of an `in`. */
  counterparty: zAddress,
  amount: zDecimal,
  /** Fee paid by the sender (counts against the balance of `out` entries only). */
  fee: zDecimal,
  nonce: zDecimal,
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

export const walletHistory = defineMethod({
  name: 'wallet.history',
  summary: 'Transfers in and out of an address, newest first, from the last max_blocks blocks (default 10000, at most 100000); limit entries (default 50, at most 500).',
  params: z.object({
    address: zAddress,
    limit: z.number().int().min(1).max(500).optional(),
    max_blocks: z.number().int().min(1).max(100_000).optional(),
  }),
  order: ['address', 'limit', 'max_blocks'],
  result: z.object({
    address: zAddress,
    entries: z.array(HistoryEntry),
    /** Heights scanned, inclusive (from ≤ to); `from` > 1 means older blocks were not looked at. */
    scanned_from: z.number().int(),
    scanned_to: z.number().int(),
    /** True when the scan stopped at `limit` entries before reaching `max_blocks`. */
    truncated: z.boolean(),
  }),
  mutating: false,
});

export const walletCreate = defineMethod({
  name: 'wallet.create',
  summary: 'Create a new local wallet key (random Ed25519) in the node\'s keystore (keys/wallets/<name>.json, 0600); returns its name and address, never the secret.',
  params: z.object({ name: z.string().min(1).max(64) }),
  order: ['name'],
  result: z.object({ name: z.string(), address: zAddress }),
  mutating: true,
  reasons: ['duplicate'],
});

export const WALLET_HISTORY_METHODS = [walletHistory, walletCreate] as const;
