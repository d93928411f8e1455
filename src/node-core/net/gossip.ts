/**
 * Gossip topics (blocks, transactions, finality votes) and their message validation. Every
 * message is validated before gossipsub forwards it: blocks by the consensus engine (full import
 * when it extends the head), votes by signature and validator set (equivocations are forwarded so
 * every node sees the proof), transactions by mempool admission. Invalid messages are rejected —
 * gossipsub then scores the sender down — and cost the sender application score (net/peers.ts).
 * The chaos hook (tests) can drop or delay messages here, in both directions.
 */
import { TopicValidatorResult, type GossipSub } from '@libp2p/gossipsub';
import type pino from 'pino';
import { Reason, RpcError } from '../../shared/api/errors.js';
import type { Chain } from '../chain/chain.js';
import type { ConsensusEngine, Verdict } from '../chain/engine.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Chaos } from './chaos.js';
import type { PeerBook } from './peers.js';
import { MAX_GOSSIP_BYTES, TOPIC_KINDS, topicName, type TopicKind } from './protocol.js';

const RESULT: Record<Verdict, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  reject: TopicValidatorResult.Reject,
  ignore: TopicValidatorResult.Ignore,
};

/** Admission reasons that prove the sender forwarded garbage (the rest are timing: nonce, fee, duplicates). */
const BAD_TX = new Set<string>([Reason.malformed_tx, Reason.bad_signature, Reason.wrong_chain_id]);

export interface GossipOptions {
  pubsub: GossipSub;
  chain: Chain;
  engine: ConsensusEngine;
  book: PeerBook;
  chaos: Chaos;
  metrics?: Metrics;
  logger?: pino.Logger;
  /** A gossiped block's parent is unknown: sync the branch from that peer. */
  onNeedParent: (peerId: string) => void;
}

export class Gossip {
  readonly topics: Record<TopicKind, string>;
  readonly counts: Record<TopicKind, { accept: number; reject: number; ignore: number; published: number }>;

  constructor(private readonly o: GossipOptions) {
    const g = o.chain.genesis;
    this.topics = { blocks: topicName(g.chain_id, g.hash, 'blocks'), txs: topicName(g.chain_id, g.hash, 'txs'), votes: topicName(g.chain_id, g.hash, 'votes') };
    this.counts = { blocks: zero(), txs: zero(), votes: zero() };
  }

  /** Subscribes to the topics and installs their validators. */
  start(): void {
    for (const kind of TOPIC_KINDS) {
      const topic = this.topics[kind];
      this.o.pubsub.topicValidators.set(topic, async (peer, msg) => {
        const id = peer.toString();
        let v: Verdict;
        if (this.o.chaos.isCut(id) || this.o.chaos.drop()) v = 'ignore';
        else {
          await this.o.chaos.delay();
          v = await this.validate(kind, msg.data, id);
        }
        this.counts[kind][v]++;
        this.o.metrics?.gossipMessagesTotal.inc({ topic: kind, result: v });
        return RESULT[v];
      });
      this.o.pubsub.subscribe(topic);
    }
  }

  stop(): void {
    for (const kind of TOPIC_KINDS) {
      this.o.pubsub.topicValidators.delete(this.topics[kind]);
      try {
        this.o.pubsub.unsubscribe(this.topics[kind]);
      } catch {
        /* stopping */
      }
    }
  }

  private async validate(kind: TopicKind, data: Uint8Array, peer: string): Promise<Verdict> {
    if (data.length === 0 || data.length > MAX_GOSSIP_BYTES) {
      this.o.book.penalize(peer, 'malformed_gossip', `${kind} message of ${data.length} bytes`);
      return 'reject';
    }
    try {
      if (kind === 'votes') {
        const v = this.o.engine.handleVote(data);
        if (v === 'reject') this.o.book.penalize(peer, 'invalid_vote');
        return v;
      }
      if (kind === 'blocks') {
        const r = await this.o.engine.handleBlock(data);
        if (r.verdict === 'reject') this.o.book.penalize(peer, 'invalid_block', r.reason);
        else if (r.verdict === 'accept') this.o.book.reward(peer);
        if (r.needParent) this.o.onNeedParent(peer);
        return r.verdict;
      }
      this.o.chain.submit(data, { fromGossip: true });
      return 'accept';
    } catch (err) {
      if (err instanceof RpcError && typeof err.data?.reason === 'string') {
        if (BAD_TX.has(err.data.reason)) {
          this.o.book.penalize(peer, 'invalid_tx', err.data.reason);
          return 'reject';
        }
        return 'ignore';
      }
      this.o.logger?.warn({ err, kind, peer }, 'gossip message handling failed');
      return 'ignore';
    }
  }

  /** Publishes a message on a topic (dropped or delayed by the chaos hook in tests). */
  async publish(kind: TopicKind, data: Uint8Array): Promise<void> {
    if (this.o.chaos.drop()) return;
    await this.o.chaos.delay();
    try {
      await this.o.pubsub.publish(this.topics[kind], data);
      this.counts[kind].published++;
      this.o.metrics?.gossipPublishedTotal.inc({ topic: kind });
    } catch (err) {
      this.o.logger?.debug({ err: (err as Error).message, kind }, 'gossip publish failed');
    }
  }

  /** `net.gossip_status` topics part. */
  view() {
    return TOPIC_KINDS.map((kind) => {
      const c = this.counts[kind];
      return {
        kind,
        topic: this.topics[kind],
        mesh_peers: (this.o.pubsub as unknown as { getMeshPeers?: (t: string) => string[] }).getMeshPeers?.(this.topics[kind])?.length ?? 0,
        subscribers: this.o.pubsub.getSubscribers(this.topics[kind]).length,
        received: { accept: c.accept, reject: c.reject, ignore: c.ignore },
        published: c.published,
      };
    });
  }
}

function zero() {
  return { accept: 0, reject: 0, ignore: 0, published: 0 };
}
