/** Shapes shared by methods and events. Amounts are decimal strings of base units of BLOCK. */
import { z } from 'zod';
import { zAddress, zDecimal, zHash } from './numbers.js';

export const NodePhase = z.enum(['starting', 'opening_db', 'replaying', 'syncing', 'ready', 'stopping', 'stopped', 'failed']);
export type NodePhase = z.infer<typeof NodePhase>;

export const PhaseInfo = z.object({
  phase: NodePhase,
  /** Why the node is in `failed` (or a detail for other phases). */
  reason: z.string().optional(),
  /** Progress of long phases (replaying/syncing): 0..1, with ETA in ms when known. */
  progress: z.number().optional(),
  eta_ms: z.number().optional(),
});
export type PhaseInfo = z.infer<typeof PhaseInfo>;

export const BlockHeader = z.object({
  height: z.number().int(),
  hash: zHash,
  parent_hash: zHash,
  timestamp_ms: z.number().int(),
  proposer: z.string(),
  tx_root: zHash,
  state_root: zHash,
  /** epoch = floor(height / 120) (spec/chain_core.md §2 EPOCH_BLOCKS). */
  epoch: z.number().int(),
  tx_count: z.number().int(),
  /** Equivocation proofs the block commits and their evidence_root (issue 10); absent when none. */
  evidence_count: z.number().int().optional(),
  evidence_root: zHash.optional(),
  /** Ed25519 signature of the proposer over the header hash, hex. */
  signature: z.string(),
});
export type BlockHeader = z.infer<typeof BlockHeader>;

/** How a module call reads (from the module that owns its kind): a summary line and flat fields. */
export const CallView = z.object({
  summary: z.string(),
  fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type CallView = z.infer<typeof CallView>;

export const TxView = z.object({
  /** `transfer`, or the tag of a module call (e.g. `gov_intent`). */
  kind: z.string(),
  hash: zHash,
  from: zAddress,
  to: zAddress,
  amount: zDecimal,
  fee: zDecimal,
  nonce: zDecimal,
  chain_id: z.number().int(),
  /** Module calls only: what the call does, as its module describes it. */
  call: CallView.optional(),
});
export type TxView = z.infer<typeof TxView>;

export const BlockView = BlockHeader.extend({ transactions: z.array(TxView) });
export type BlockView = z.infer<typeof BlockView>;

export const Tip = z.object({
  height: z.number().int(),
  hash: zHash,
  state_root: zHash,
  timestamp_ms: z.number().int(),
  epoch: z.number().int(),
  finalized_height: z.number().int(),
});
export type Tip = z.infer<typeof Tip>;

export const Account = z.object({
  address: zAddress,
  balance: zDecimal,
  /** Next nonce expected in a block. */
  nonce: zDecimal,
  /** Next nonce counting this account's pending mempool transactions. */
  pending_nonce: zDecimal,
});
export type Account = z.infer<typeof Account>;

export const TxStatus = z.object({
  hash: zHash,
  status: z.enum(['pending', 'included', 'unknown']),
  height: z.number().int().optional(),
  block_hash: zHash.optional(),
});
export type TxStatus = z.infer<typeof TxStatus>;

export const NodeStatus = z.object({
  phase: NodePhase,
  phase_reason: z.string().optional(),
  version: z.string(),
  network: z.string(),
  chain_id: z.number().int(),
  data_dir: z.string(),
  /** ms since the node process started. */
  uptime_ms: z.number().int(),
  pid: z.number().int(),
  height: z.number().int(),
  finalized_height: z.number().int(),
  peers: z.number().int(),
  node_address: zAddress,
});
export type NodeStatus = z.infer<typeof NodeStatus>;

export const MempoolStats = z.object({
  size: z.number().int(),
  /** Age of pending txs in ms. */
  age_p50: z.number(),
  age_p95: z.number(),
  /** Fees in base units (decimal strings). */
  fee_p50: zDecimal,
  fee_p90: zDecimal,
  /** Minimum fee admitted now. */
  fee_floor: zDecimal,
});
export type MempoolStats = z.infer<typeof MempoolStats>;

/** Process resource sample pushed on `node.stats` (every 2 s). */
export const NodeStats = z.object({
  ts_ms: z.number(),
  /** CPU of the node process, percent of one core. */
  cpu_percent: z.number(),
  /** Resident set size in bytes. */
  rss_bytes: z.number(),
  /** Bytes used by the data directory on disk. */
  data_dir_bytes: z.number(),
  mempool_size: z.number().int(),
  peers: z.number().int(),
});
export type NodeStats = z.infer<typeof NodeStats>;

/**
 * Something the operator should know that did not stop the node (topic `node.notice`; the last
 * 50 are replayed on subscribe). `kind` is stable: `store_quarantined` (a damaged rebuildable
 * store was moved aside to `moved_to` and recreated empty), `finalized_refetch` (blocks below
 * the remembered finalized height are being fetched again from peers).
 */
export const NodeNotice = z.object({
  at_ms: z.number(),
  level: z.enum(['info', 'warn', 'error']),
  kind: z.string(),
  message: z.string(),
  store: z.string().optional(),
  path: z.string().optional(),
  moved_to: z.string().optional(),
});
export type NodeNotice = z.infer<typeof NodeNotice>;

export const LogLine = z.object({
  /** pino level number: 10 trace … 60 fatal. */
  level: z.number().int(),
  time: z.number(),
  msg: z.string(),
  /** Remaining structured fields. */
  fields: z.record(z.string(), z.unknown()).optional(),
});
export type LogLine = z.infer<typeof LogLine>;

export const WalletKey = z.object({ name: z.string(), address: zAddress, balance: zDecimal.optional() });
export type WalletKey = z.infer<typeof WalletKey>;
/** A wallet key file that could not be read: listed apart so it never hides the others. */
export const UnreadableWallet = z.object({
  name: z.string(),
  /** Absolute path of the key file. */
  path: z.string(),
  /** What is wrong with it, e.g. "is not JSON (Unexpected end of JSON input)". */
  reason: z.string(),
});
export type UnreadableWallet = z.infer<typeof UnreadableWallet>;
/** `wallet.list`: the readable wallets, and the damaged key files apart. */
export const WalletList = z.object({ wallets: z.array(WalletKey), unreadable: z.array(UnreadableWallet) });
export type WalletList = z.infer<typeof WalletList>;
