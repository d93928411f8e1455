/**
 * One WebSocket client of the console server: JSON-RPC 2.0 requests (single or batch) answered
 * through the {@link Broker}; `chain.subscribe` / `chain.unsubscribe` served here, with
 * notifications in the node's format
 * `{"jsonrpc":"2.0","method":"subscription","params":{"subscription","topic","result"}}`.
 * Subscriptions are capped per connection and all freed on close.
 */
import type { WebSocket } from 'ws';
import { ErrorCode, Reason, RpcError } from '../shared/api/errors.js';
import { SUBSCRIPTION_METHOD } from '../shared/api/jsonrpc.js';
import type { JsonRpcId } from '../shared/api/jsonrpc.js';
import type { AnyTopic, Broker } from './broker.js';

export const MAX_SUBSCRIPTIONS_PER_CONNECTION = 64;
const MAX_BATCH = 50;
/** A client that lets this much pile up unread is dropped (it would otherwise grow our memory). */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

type Response = { jsonrpc: '2.0'; id: JsonRpcId; result: unknown } | { jsonrpc: '2.0'; id: JsonRpcId; error: unknown };

const isId = (v: unknown): v is JsonRpcId => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

function errorOf(e: unknown): { code: number; message: string; data?: unknown } {
  // Internal exception text never reaches the client.
  return e instanceof RpcError ? e.toJSON() : { code: ErrorCode.Internal, message: 'internal error' };
}

export class WsSession {
  private readonly subs = new Map<string, () => void>();
  private nextSub = 1;
  private alive = true;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly broker: Broker,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(1003, 'text frames only');
      void this.onText(data.toString());
    });
    ws.on('pong', () => (this.alive = true));
    ws.on('error', () => {});
  }

  /** Pings the peer; terminates it if the previous ping went unanswered. */
  heartbeat(): void {
    if (!this.alive) return this.terminate();
    this.alive = false;
    this.ws.ping();
  }

  terminate(): void {
    this.close();
    this.ws.terminate();
  }

  /** Frees every subscription. Idempotent. */
  close(): void {
    this.closed = true;
    for (const off of this.subs.values()) off();
    this.subs.clear();
  }

  private send(v: unknown): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.ws.close(1013, 'client too slow');
      return this.close();
    }
    this.ws.send(JSON.stringify(v));
  }

  private async onText(text: string): Promise<void> {
    // Subscriptions opened by this message deliver events only after its response has been sent.
    const release: (() => void)[] = [];
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.send({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: 'parse error: invalid JSON' } });
    }
    if (Array.isArray(msg)) {
      if (msg.length === 0 || msg.length > MAX_BATCH) {
        const message = msg.length ? `batch too large (at most ${MAX_BATCH})` : 'empty batch';
        return this.send({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest, message } });
      }
      const out = (await Promise.all(msg.map((m) => this.handle(m, release)))).filter((r): r is Response => r !== undefined);
      if (out.length) this.send(out);
    } else {
      const r = await this.handle(msg, release);
      if (r) this.send(r);
    }
    for (const go of release) go();
  }

  /** One request; undefined for notifications (no `id`). */
  private async handle(m: unknown, release: (() => void)[]): Promise<Response | undefined> {
    const req = m as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | null;
    const hasId = req !== null && typeof req === 'object' && !Array.isArray(req) && 'id' in req;
    const id: JsonRpcId = hasId && isId(req.id) ? req.id : null;
    if (!req || typeof req !== 'object' || Array.isArray(req) || req.jsonrpc !== '2.0' || typeof req.method !== 'string' || (hasId && !isId(req.id)))
      return { jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message: 'invalid request' } };
    try {
      const result = await this.dispatch(req.method, req.params, release);
      return hasId ? { jsonrpc: '2.0', id, result } : undefined;
    } catch (e) {
      return hasId ? { jsonrpc: '2.0', id, error: errorOf(e) } : undefined;
    }
  }

  private dispatch(method: string, params: unknown, release: (() => void)[]): Promise<unknown> | unknown {
    if (method === 'chain.subscribe') return this.subscribe(named(params, 'topic'), release);
    if (method === 'chain.unsubscribe') {
      const id = named(params, 'subscription');
      const off = typeof id === 'string' ? this.subs.get(id) : undefined;
      if (!off) return false;
      off();
      this.subs.delete(id as string);
      return true;
    }
    return this.broker.call(method, params);
  }

  private subscribe(topic: unknown, release: (() => void)[]): string {
    if (this.subs.size >= MAX_SUBSCRIPTIONS_PER_CONNECTION)
      throw RpcError.app(Reason.too_many_subscriptions, `at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection`);
    const id = `c${this.nextSub++}`;
    // Events delivered synchronously by subscribe (replays) must follow the response carrying the id.
    const early: unknown[] = [];
    let live = false;
    const off = this.broker.subscribe(topic as AnyTopic, (result) => {
      const n = { jsonrpc: '2.0', method: SUBSCRIPTION_METHOD, params: { subscription: id, topic, result } };
      if (live) this.send(n);
      else early.push(n);
    });
    this.subs.set(id, off);
    release.push(() => {
      live = true;
      for (const n of early.splice(0)) this.send(n);
    });
    return id;
  }
}

/** A param by name from positional (`[x]`) or named (`{name: x}`) params. */
function named(params: unknown, name: string): unknown {
  if (Array.isArray(params)) return params[0];
  if (params && typeof params === 'object') return (params as Record<string, unknown>)[name];
  return undefined;
}
