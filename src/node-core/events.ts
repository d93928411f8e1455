/**
 * Typed in-process event bus of the node (cf. Lodestar chain/emitter.ts). Topic names and payload
 * shapes are the API's subscription topics (src/shared/api/events.ts), so a subscription is a
 * straight forward of these events.
 */
import { EventEmitter } from 'node:events';
import type { TopicName, TopicPayload } from '../shared/api/index.js';

export class NodeEvents {
  private readonly ee = new EventEmitter();
  constructor() {
    this.ee.setMaxListeners(0);
  }
  emit<T extends TopicName>(topic: T, payload: TopicPayload<T>): void {
    this.ee.emit(topic, payload);
  }
  /** Returns an unsubscribe function. */
  on<T extends TopicName>(topic: T, fn: (payload: TopicPayload<T>) => void): () => void {
    this.ee.on(topic, fn);
    return () => this.ee.off(topic, fn);
  }
}

/** How many `node.notice` events are kept for replay to new subscribers. */
export const NOTICES_KEPT = 50;

/**
 * Keeps the last {@link NOTICES_KEPT} `node.notice` events of `events` (a notice may be emitted
 * during start, before the console has subscribed). Returns the live, bounded list.
 */
export function keepNotices(events: NodeEvents): TopicPayload<'node.notice'>[] {
  const kept: TopicPayload<'node.notice'>[] = [];
  events.on('node.notice', (n) => {
    kept.push(n);
    if (kept.length > NOTICES_KEPT) kept.shift();
  });
  return kept;
}
