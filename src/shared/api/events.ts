/**
 * Subscription topics (typed events, cf. Lodestar chain/emitter.ts). Subscribe with
 * `chain.subscribe [topic]`; events arrive as JSON-RPC notifications
 * `{"jsonrpc":"2.0","method":"subscription","params":{"subscription":"<id>","topic":"<topic>","result":<payload>}}`.
 */
import { z } from 'zod';
import { MODULE_TOPICS } from './modules.js';
import { NetTopics } from './net.js';
import { SnapshotTopics } from './snapshots.js';
import { BlockHeader, LogLine, NodeNotice, NodeStats, PhaseInfo } from './types.js';

export const Topics = {
  /** A new block was appended to the canonical chain. */
  newHeads: BlockHeader,
  /** The node changed lifecycle phase. */
  'node.phase': PhaseInfo,
  /** Process and data-dir resource sample, every 2 s. */
  'node.stats': NodeStats,
  /** Something the operator should know that did not stop the node (a damaged store moved aside…); the last 50 are replayed on subscribe. */
  'node.notice': NodeNotice,
  /** One node log line (info and above; the last 200 are replayed on subscribe). */
  'log.line': LogLine,
  /** Snapshot job progress and scheduled-backup results (src/shared/api/snapshots.ts). */
  ...SnapshotTopics,
  /** Sync status and peer counts (src/shared/api/net.ts). */
  ...NetTopics,
  /** Each module's topics (its contract slice, listed in modules.ts). */
  ...MODULE_TOPICS,
} as const;
export type TopicName = keyof typeof Topics;
export type TopicPayload<T extends TopicName> = z.infer<(typeof Topics)[T]>;
export const TOPIC_NAMES = Object.keys(Topics) as TopicName[];

/** Notifications carry these as `params` under the method `SUBSCRIPTION_METHOD` (jsonrpc.ts). */
export interface SubscriptionNotification<T extends TopicName = TopicName> {
  subscription: string;
  topic: T;
  result: TopicPayload<T>;
}
