/**
 * Subscription topics (typed events, cf. Lodestar chain/emitter.ts). Subscribe with
 * `chain.subscribe [topic]`; events arrive as JSON-RPC notifications
 * `{"jsonrpc":"2.0","method":"subscription","params":{"subscription":"<id>","topic":"<topic>","result":<payload>}}`.
 */
import { z } from 'zod';
import { AdMarketTopics } from './ad_market.js';
import { EnergyTopics } from './energy.js';
import { GateChanged } from './governor.js';
import { NetTopics } from './net.js';
import { SnapshotTopics } from './snapshots.js';
import { TreasuryTopics } from './treasury.js';
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
  /** A launch-governor gate changed state (spec/governor.md; src/shared/api/governor.ts). */
  'governor.gateChanged': GateChanged,
  /** Snapshot job progress and scheduled-backup results (src/shared/api/snapshots.ts). */
  ...SnapshotTopics,
  /** Sync status and peer counts (src/shared/api/net.ts). */
  ...NetTopics,
  /** A treasury disbursement entered a new state (src/shared/api/treasury.ts). */
  ...TreasuryTopics,
  /** Ad readiness or its blockers changed (src/shared/api/ad_market.ts). */
  ...AdMarketTopics,
  /** The energy market changed at a block (src/shared/api/energy.ts). */
  ...EnergyTopics,
} as const;
export type TopicName = keyof typeof Topics;
export type TopicPayload<T extends TopicName> = z.infer<(typeof Topics)[T]>;
export const TOPIC_NAMES = Object.keys(Topics) as TopicName[];

/** Method name of subscription notifications. */
export const SUBSCRIPTION_METHOD = 'subscription';
export interface SubscriptionNotification<T extends TopicName = TopicName> {
  subscription: string;
  topic: T;
  result: TopicPayload<T>;
}
