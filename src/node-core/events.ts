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

/**
 * Calls `fn` once per turn of the event loop in which `newHeads` arrived (a setImmediate after the
 * first of them), for refresh work that reads only the chain's tip (metrics, readiness, a mirror):
 * a catch-up run commits its blocks back to back in one turn (chain/chain.ts group commit,
 * chain/pending.ts stages up to 64), one `newHeads` each, and the refresh then runs once per run
 * instead of once per block — as geth emits one chain-head event per inserted batch
 * (core/blockchain.go insertChain). `newHeads` itself stays one event per block; work that needs
 * every block (an epoch snapshot at its height) subscribes to it directly. Returns the unsubscribe
 * function (a pending call is dropped).
 */
export function onHeadsSettled(events: NodeEvents, fn: () => void): () => void {
  let pending: NodeJS.Immediate | undefined;
  const off = events.on('newHeads', () => {
    pending ??= setImmediate(() => {
      pending = undefined;
      fn();
    });
  });
  return () => {
    off();
    if (pending) clearImmediate(pending);
    pending = undefined;
  };
}

/**
 * Follows `newHeads` with async refresh work `fn` that reads the tip when it starts (a mirror):
 * the heads of one event-loop turn (a catch-up run, see onHeadsSettled) ask for one run, in a
 * setImmediate; runs go one at a time, and a run asked for while one is still queued (not started)
 * is that one. Errors go to `onError`. Returns `off` (unsubscribe; a run already asked for still
 * happens) and `idle` (starts an asked-for run now and resolves when the queued work is done).
 */
export function serialHeadWork(events: NodeEvents, fn: () => Promise<void>, onError: (err: unknown) => void): { off: () => void; idle: () => Promise<void> } {
  let work = Promise.resolve();
  let queued = false;
  let turn: NodeJS.Immediate | undefined;
  const enqueue = () => {
    turn = undefined;
    if (queued) return;
    queued = true;
    work = work
      .then(() => {
        queued = false;
        return fn();
      })
      .catch(onError);
  };
  const off = events.on('newHeads', () => {
    turn ??= setImmediate(enqueue);
  });
  return {
    off,
    idle: async () => {
      if (turn) {
        clearImmediate(turn);
        enqueue();
      }
      await work;
    },
  };
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
