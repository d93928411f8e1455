/**
 * Subscription sessions: one per WebSocket connection or IPC port. A session owns its
 * subscriptions (capped, counted in the `rpc_subscriptions` gauge) and frees them all on close.
 * Notifications of a new subscription are held back until the `chain.subscribe` response has been
 * sent, so the client always learns the subscription id before the first event (replayed or live).
 */
import { randomBytes } from 'node:crypto';
import { SUBSCRIPTION_METHOD, type TopicName } from '../../shared/api/index.js';
import { stringifyResult } from './json.js';

/** Per-connection subscription cap (DESIGN.md "Hard edges → WebSocket"). */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 32;

interface Sub {
  topic: TopicName;
  off: () => void;
  /** Notifications queued until the subscribe response is out; `null` once live. */
  pending: string[] | null;
}

/** Builds the text of one subscription notification. */
export function notificationText(subscription: string, topic: TopicName, payload: unknown): string {
  return `{"jsonrpc":"2.0","method":"${SUBSCRIPTION_METHOD}","params":{"subscription":${JSON.stringify(subscription)},"topic":${JSON.stringify(topic)},"result":${stringifyResult(payload)}}}`;
}

export class Session {
  private readonly subs = new Map<string, Sub>();
  private closed = false;

  /**
   * @param send delivers one serialised JSON-RPC message (response or notification) to the peer.
   * @param onCountChange called with +1/−1 whenever a subscription opens/closes (the gauge).
   */
  constructor(
    private readonly send: (text: string) => void,
    private readonly onCountChange: (delta: number) => void,
  ) {}

  get size(): number {
    return this.subs.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Delivers a response text unless the session is closed. */
  deliver(text: string): void {
    if (!this.closed) this.send(text);
  }

  /**
   * Registers a subscription. `listen` attaches to the event bus and returns its detach function;
   * `replay` (optional) is the emitter's backlog, queued before any live event.
   * @returns the new subscription id and a `release` that starts delivery (call after the response).
   */
  add(
    topic: TopicName,
    listen: (deliver: (payload: unknown) => void) => () => void,
    replay?: readonly unknown[],
  ): { id: string; release: () => void } {
    const id = randomBytes(8).toString('hex');
    const sub: Sub = { topic, off: () => {}, pending: [] };
    sub.off = listen((payload) => {
      if (this.closed) return;
      const text = notificationText(id, topic, payload);
      if (sub.pending) sub.pending.push(text);
      else this.send(text);
    });
    if (replay?.length) sub.pending!.unshift(...replay.map((p) => notificationText(id, topic, p)));
    this.subs.set(id, sub);
    this.onCountChange(1);
    const release = () => {
      const queued = sub.pending;
      sub.pending = null;
      if (!queued || this.closed || !this.subs.has(id)) return;
      for (const t of queued) this.send(t);
    };
    return { id, release };
  }

  /** Cancels one subscription of this session; false if it does not exist here. */
  remove(id: string): boolean {
    const sub = this.subs.get(id);
    if (!sub) return false;
    sub.off();
    this.subs.delete(id);
    this.onCountChange(-1);
    return true;
  }

  /** Frees every subscription (connection closed). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const id of [...this.subs.keys()]) this.remove(id);
  }
}
