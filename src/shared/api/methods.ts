/**
 * Every JSON-RPC method of the node, declared once. Params accept positional (`order`) and
 * named forms. Errors: −32602 with `data.issues` for bad params; −32000 with `data.reason`
 * for application errors (reasons listed per method); −32010 (`not_found`) for missing objects.
 */
import { DEADLINE_METHODS } from './deadlines.js';
import { z } from 'zod';
import { defineMethod } from './define.js';
import { Reason } from './errors.js';
import { TOPIC_NAMES } from './events.js';
import { MODULE_METHODS } from './modules.js';
import { NET_METHODS } from './net.js';
import { SNAPSHOT_METHODS } from './snapshots.js';
import { WALLET_HISTORY_METHODS } from './wallet.js';
import { zAddress, zHash, zHeight, zHex, zU64 } from './numbers.js';
import { Account, BlockView, MempoolStats, NodeStats, NodeStatus, Tip, TxStatus, WalletList } from './types.js';

export const rpcDiscover = defineMethod({
  name: 'rpc.discover',
  summary: 'OpenRPC 1.2.6 document describing every method of this node.',
  params: z.object({}),
  order: [],
  result: z.record(z.string(), z.unknown()),
  mutating: false,
});

export const nodeStatus = defineMethod({
  name: 'node.status',
  summary: 'Node phase, version, network, chain id, data directory, uptime (ms), height and peers.',
  params: z.object({}),
  order: [],
  result: NodeStatus,
  mutating: false,
});

export const nodeStats = defineMethod({
  name: 'node.stats',
  summary: 'Latest resource sample of the node process (CPU %, RSS bytes, data-dir bytes).',
  params: z.object({}),
  order: [],
  result: NodeStats,
  mutating: false,
});

export const chainTip = defineMethod({
  name: 'chain.tip',
  summary: 'Head of the canonical chain: height, hash, state root, timestamp (ms), epoch, finalized height.',
  params: z.object({}),
  order: [],
  result: Tip,
  mutating: false,
});

export const chainBlock = defineMethod({
  name: 'chain.block',
  summary: 'A block with its transactions, by height (integer) or hash (64 hex). Not found → −32010.',
  params: z
    .object({ height: zHeight.optional(), hash: zHash.optional() })
    .refine((p) => (p.height === undefined) !== (p.hash === undefined), {
      message: 'give exactly one of height or hash',
    }),
  order: ['height'],
  result: BlockView,
  mutating: false,
  reasons: [Reason.not_found],
});

export const chainSubscribe = defineMethod({
  name: 'chain.subscribe',
  summary: `Subscribe to a topic (${TOPIC_NAMES.join(', ')}) over WebSocket; returns the subscription id.`,
  params: z.object({ topic: z.enum(TOPIC_NAMES as [string, ...string[]]) }),
  order: ['topic'],
  result: z.string(),
  mutating: false,
  reasons: [Reason.too_many_subscriptions],
});

export const chainUnsubscribe = defineMethod({
  name: 'chain.unsubscribe',
  summary: 'Cancel a subscription by id; returns whether it existed.',
  params: z.object({ subscription: z.string().max(64) }),
  order: ['subscription'],
  result: z.boolean(),
  mutating: false,
});

export const txSubmit = defineMethod({
  name: 'tx.submit',
  summary: 'Submit a signed transaction (hex of its canonical CBOR encoding); returns its hash once admitted to the mempool.',
  params: z.object({ tx: zHex.max(2 * 64 * 1024) }),
  order: ['tx'],
  result: z.object({ hash: zHash, status: z.literal('pending') }),
  mutating: true,
  reasons: [
    Reason.malformed_tx, Reason.wrong_chain_id, Reason.bad_signature, Reason.unknown_sender,
    Reason.insufficient_balance, Reason.nonce_gap, Reason.nonce_too_low, Reason.duplicate,
    Reason.fee_too_low, Reason.mempool_full, Reason.pending_limit_reached,
  ],
});

export const txStatus = defineMethod({
  name: 'tx.status',
  summary: 'Status of a transaction by hash: pending (in mempool), included (with height), or unknown.',
  params: z.object({ hash: zHash }),
  order: ['hash'],
  result: TxStatus,
  mutating: false,
});

export const accountGet = defineMethod({
  name: 'account.get',
  summary: 'Balance (base units of BLOCK) and nonces of an address; unknown addresses have balance 0.',
  params: z.object({ address: zAddress }),
  order: ['address'],
  result: Account,
  mutating: false,
});

export const mempoolStats = defineMethod({
  name: 'mempool.stats',
  summary: 'Mempool size, age percentiles (ms) and fee percentiles / floor (base units).',
  params: z.object({}),
  order: [],
  result: MempoolStats,
  mutating: false,
});

export const devMineOne = defineMethod({
  name: 'dev.mine_one',
  summary: 'Dev network only: produce one block now; returns its height and hash.',
  params: z.object({}),
  order: [],
  result: z.object({ height: z.number().int(), hash: zHash }),
  mutating: true,
  reasons: [Reason.dev_only, Reason.not_ready],
});

export const walletList = defineMethod({
  name: 'wallet.list',
  summary:
    'Local wallet keys of this node: `wallets` (name, address, balance) and `unreadable` (name, path, reason of each damaged key file, which never hides the others); never returns secrets.',
  params: z.object({}),
  order: [],
  result: WalletList,
  mutating: false,
});

export const walletTransfer = defineMethod({
  name: 'wallet.transfer',
  summary: 'Sign with a local wallet key (by name; "faucet" on dev) and submit a transfer. Fee defaults to the mempool fee floor.',
  params: z.object({
    from: z.string().min(1).max(64),
    to: zAddress,
    // A transfer of nothing would only pay a fee: refused here as in the Wallet form (raw signed
    // txs through tx.submit are the chain's rules).
    amount: zU64.refine((v) => v > 0n, 'must be greater than 0'),
    fee: zU64.optional(),
  }),
  order: ['from', 'to', 'amount', 'fee'],
  result: z.object({ hash: zHash, status: z.literal('pending'), fee: z.string(), nonce: z.string() }),
  mutating: true,
  reasons: [Reason.not_found, Reason.key_file_unreadable, Reason.insufficient_balance, Reason.fee_too_low, Reason.mempool_full],
});

/** The node's own methods (modules' come from the contract's module list, modules.ts). */
export const CORE_METHODS = [
  rpcDiscover, nodeStatus, nodeStats, chainTip, chainBlock, chainSubscribe, chainUnsubscribe,
  txSubmit, txStatus, accountGet, mempoolStats, devMineOne, walletList, walletTransfer,
  ...SNAPSHOT_METHODS,
  ...NET_METHODS,
  ...DEADLINE_METHODS,
  ...WALLET_HISTORY_METHODS,
] as const;

export type AnyMethod = (typeof CORE_METHODS)[number] | (typeof MODULE_METHODS)[number];

/** All methods served by the node: its own, then each module's in list order. Order = order in `rpc.discover`. */
export const METHODS: readonly AnyMethod[] = [...CORE_METHODS, ...MODULE_METHODS];
export type MethodName = AnyMethod['name'];
export type MethodByName<N extends MethodName> = Extract<AnyMethod, { name: N }>;
