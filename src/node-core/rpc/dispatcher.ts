/**
 * JSON-RPC 2.0 dispatcher (https://www.jsonrpc.org/specification), the single entry point behind
 * every front door (HTTP, WebSocket, IPC). Rules kept here (DESIGN.md "Hard edges"):
 * - dispatch only through a `Map` of declared methods: `toString`, `__proto__`… → −32601;
 * - ids are echoed exactly (`null`, `0`, `""` are ids); a missing id is a notification (no
 *   response); an all-notification batch has no body; `[]` → one −32600 with id null; each invalid
 *   batch member gets its own error; batches hold at most {@link MAX_BATCH} members and run in order
 *   (so a batch of transfers keeps its nonce order);
 * - duplicate ids inside one batch (policy; the spec leaves it open): the FIRST member with an id
 *   runs; every later member with the same id (same JSON text: `1` and `"1"` differ) is not run and
 *   gets −32600 `data.reason = "duplicate_id"` with that id — a client could not tell the answers
 *   apart, and running a repeated write twice by mistake is worse than refusing it;
 * - params are validated by the method's zod schema (positional or named) → −32602 `data.issues`;
 * - a handler's `RpcError` passes through; any other exception → −32603 "internal error", logged,
 *   never shown to the caller;
 * - mutating methods need `ctx.authorized` (the server sets it from `Authorization: Bearer`) → −32004.
 */
import type { Logger } from 'pino';
import {
  buildOpenRpc,
  ErrorCode,
  METHODS,
  parseParams,
  Reason,
  RpcError,
  type MethodDecl,
  type TopicName,
  type TopicPayload,
} from '../../shared/api/index.js';
import type { NodeEvents } from '../events.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { RpcMethodMeter } from '../telemetry/rpc-meter.js';
import { idText, isValidId, parseExact, paramsForSchemas, stringifyResult } from './json.js';
import { MAX_SUBSCRIPTIONS_PER_SESSION, Session } from './session.js';
import type { CallContext, HandlerMap } from './types.js';

/** Most members accepted in one batch; larger batches get a single −32600. */
export const MAX_BATCH = 100;

/** What a front door knows about a request. */
export interface RequestContext extends CallContext {
  /** False when an auth token is configured and the request did not present it. */
  authorized: boolean;
  /** Subscription session (WebSocket connection or IPC port); absent for plain HTTP. */
  session?: Session;
}

/** Backlogs replayed to a new subscriber of a topic (e.g. the last 200 `log.line`s), owned by the emitter. */
export type ReplayProviders = { [T in TopicName]?: () => readonly TopicPayload<T>[] };

export interface DispatcherOptions {
  handlers: HandlerMap;
  /** Declared methods (default METHODS; the node adds the methods of modules outside the contract). */
  methods?: readonly MethodDecl[];
  events: NodeEvents;
  metrics?: Metrics;
  logger?: Logger;
  /** `info` of the OpenRPC document (`rpc.discover`). */
  info: { title: string; version: string };
  /** Optional backlog providers per topic, sent right after the subscribe response. */
  replay?: ReplayProviders;
}

type Impl = (params: any, ctx: RequestContext, after: (() => void)[]) => unknown;
interface Entry {
  decl: MethodDecl;
  impl?: Impl;
  /** The method takes no params at all (`z.object({})`): absent/empty params skip zod. */
  paramless: boolean;
  /** The method's `rpc_requests_total` / `rpc_latency_seconds` series (plain numbers until read). */
  meter?: RpcMethodMeter;
}

/** A value now, or later (the dispatcher answers synchronous handlers without a promise). */
type Maybe<T> = T | Promise<T>;

/** Runs the deferred `after` steps (subscription releases) once the answer is known, then gives it (now when it is known now). */
function settle(out: Maybe<Answer>, after: (() => void)[]): Maybe<Answer> {
  if (isThenable(out))
    return out.then((v) => {
      for (const f of after) f();
      return v;
    });
  for (const f of after) f();
  return out;
}

/** Params a param-less method accepts without zod: absent, `null`, `[]` or `{}` (anything else is parsed, so it gets its −32602). */
function emptyParams(raw: unknown): boolean {
  if (raw === undefined || raw === null) return true;
  if (Array.isArray(raw)) return raw.length === 0;
  if (typeof raw !== 'object') return false;
  for (const k in raw) if (has(raw, k)) return false;
  return Object.getPrototypeOf(raw) === Object.prototype || Object.getPrototypeOf(raw) === null;
}

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';

/** One answered call: `text` is the response object's JSON, or undefined for a notification. */
type Answer = string | undefined;

function errorText(id: string, e: { code: number; message: string; data?: unknown }): string {
  const err: Record<string, unknown> = { code: e.code, message: e.message };
  if (e.data !== undefined) err.data = e.data;
  return `{"jsonrpc":"2.0","id":${id},"error":${stringifyResult(err)}}`;
}

/** JSON text of a JSON-RPC error response with id null (for front doors that answer before dispatch). */
export function errorResponseText(code: number, message: string, data?: unknown): string {
  return errorText('null', { code, message, data });
}

/**
 * JSON text of a refusal (e.g. 429 rate limited) that echoes the request ids it can read: a
 * single request with a valid id → its id; a batch → one error per member with a valid id (in
 * order); otherwise (unparsable body, notifications only, no id) → one error with id null.
 */
export function refusalText(body: string, code: number, message: string, data?: unknown): string {
  let v: unknown;
  try {
    v = parseExact(body);
  } catch {
    return errorResponseText(code, message, data);
  }
  const idOf = (r: unknown): string | undefined =>
    isPlainObject(r) && has(r, 'id') && isValidId(r.id) ? idText(r.id) : undefined;
  if (Array.isArray(v)) {
    const ids = v.map(idOf).filter((x): x is string => x !== undefined);
    if (ids.length > 0) return `[${ids.map((id) => errorText(id, { code, message, data })).join(',')}]`;
    return errorResponseText(code, message, data);
  }
  return errorText(idOf(v) ?? 'null', { code, message, data });
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

export class Dispatcher {
  private readonly methods = new Map<string, Entry>();
  /** `rpc_requests_total{method="unknown"}` (undeclared methods, unparsable or invalid requests). */
  private readonly unknown?: RpcMethodMeter;
  private openRpc?: Record<string, unknown>;

  constructor(private readonly o: DispatcherOptions) {
    const methods = o.methods ?? METHODS;
    this.unknown = o.metrics?.rpcCalls.method('unknown');
    for (const decl of methods) {
      const h = (o.handlers as Record<string, Impl | undefined>)[decl.name];
      // Own-property read only: a handler map is data, never its prototype.
      this.methods.set(decl.name, {
        decl,
        impl: has(o.handlers, decl.name) ? h : undefined,
        paramless: decl.order.length === 0 && Object.keys(decl.params.shape).length === 0,
        meter: o.metrics?.rpcCalls.method(decl.name),
      });
    }
    this.builtin('rpc.discover', () => (this.openRpc ??= buildOpenRpc(methods, o.info)));
    this.builtin('chain.subscribe', (p: { topic: TopicName }, ctx, after) =>
      this.subscribe(p.topic, ctx, after),
    );
    this.builtin('chain.unsubscribe', (p: { subscription: string }, ctx) => {
      if (!ctx.session) throw needsSession();
      return ctx.session.remove(p.subscription);
    });
  }

  private builtin(name: string, impl: Impl): void {
    const e = this.methods.get(name);
    if (!e) throw new Error(`built-in ${name} is not declared in METHODS`);
    e.impl = impl;
  }

  /** Names of declared methods (for metric labels). */
  isDeclared(name: string): boolean {
    return this.methods.has(name);
  }

  /** Whether a declared method requires auth when a token is configured. */
  isMutating(name: string): boolean {
    return this.methods.get(name)?.decl.mutating === true;
  }

  /**
   * Handles a request body (single request or batch) given as JSON text.
   * @returns the response body, or undefined when nothing must be sent (notifications only).
   */
  handleText(text: string, ctx: RequestContext): Promise<string | undefined> {
    return Promise.resolve(this.answerText(text, ctx));
  }

  /**
   * {@link handleText} without a promise when every handler answered synchronously (most reads,
   * e.g. `chain.tip`): the HTTP front door answers in the same tick. A promise otherwise.
   */
  answerText(text: string, ctx: RequestContext): Maybe<string | undefined> {
    const after: (() => void)[] = [];
    return settle(this.handleTextDeferred(text, ctx, after), after);
  }

  /** Same as {@link handleText} for an already-parsed value (IPC structured messages). */
  handleValue(value: unknown, ctx: RequestContext): Promise<string | undefined> {
    const after: (() => void)[] = [];
    return Promise.resolve(settle(this.handleParsed(value, ctx, after), after));
  }

  /**
   * Opens a subscription session on a connection. `send` receives every response and notification
   * as JSON text. Call `close()` when the connection ends: every subscription is freed.
   */
  openSession(send: (text: string) => void, ctx: Omit<RequestContext, 'session'>) {
    const gauge = this.o.metrics?.rpcSubscriptions;
    const session = new Session(send, (d) => gauge?.inc(d));
    const full: RequestContext = { ...ctx, session };
    const run = async (f: (after: (() => void)[]) => Maybe<Answer>) => {
      const after: (() => void)[] = [];
      const out = await f(after);
      if (out !== undefined) session.deliver(out);
      for (const g of after) g();
    };
    return {
      session,
      handleText: (text: string) => run((after) => this.handleTextDeferred(text, full, after)),
      handleValue: (value: unknown) => run((after) => this.handleParsed(value, full, after)),
      close: () => session.close(),
    };
  }

  private handleTextDeferred(text: string, ctx: RequestContext, after: (() => void)[]): Maybe<Answer> {
    let value: unknown;
    try {
      value = parseExact(text);
    } catch (e) {
      this.countUnknown(ErrorCode.ParseError);
      const detail = e instanceof SyntaxError ? e.message : 'JSON nested too deeply';
      return errorText('null', { code: ErrorCode.ParseError, message: 'parse error', data: { detail } });
    }
    return this.handleParsed(value, ctx, after);
  }

  private handleParsed(value: unknown, ctx: RequestContext, after: (() => void)[]): Maybe<Answer> {
    if (!Array.isArray(value)) return this.handleOne(value, ctx, after);
    return this.handleBatch(value, ctx, after);
  }

  private async handleBatch(value: unknown[], ctx: RequestContext, after: (() => void)[]): Promise<Answer> {
    if (value.length === 0) return this.invalid('empty batch');
    if (value.length > MAX_BATCH) return this.invalid(`batch too large: at most ${MAX_BATCH} requests`);
    const parts: string[] = [];
    const seen = new Set<string>();
    for (const item of value) {
      if (isPlainObject(item) && has(item, 'id') && isValidId(item.id)) {
        const id = idText(item.id);
        if (seen.has(id)) {
          this.countUnknown(ErrorCode.InvalidRequest);
          parts.push(
            errorText(id, {
              code: ErrorCode.InvalidRequest,
              message: 'invalid request',
              data: { reason: 'duplicate_id', detail: `id ${id} was already used by an earlier member of this batch; this member was not run` },
            }),
          );
          continue;
        }
        seen.add(id);
      }
      const a = await this.handleOne(item, ctx, after);
      if (a !== undefined) parts.push(a);
    }
    return parts.length ? `[${parts.join(',')}]` : undefined;
  }

  private invalid(message: string, id = 'null'): string {
    this.countUnknown(ErrorCode.InvalidRequest);
    return errorText(id, {
      code: ErrorCode.InvalidRequest,
      message: 'invalid request',
      data: { detail: message },
    });
  }

  private handleOne(req: unknown, ctx: RequestContext, after: (() => void)[]): Maybe<Answer> {
    if (!isPlainObject(req)) return this.invalid('a request must be a JSON object');
    const hasId = has(req, 'id');
    if (hasId && !isValidId(req.id)) return this.invalid('id must be a string, a number or null');
    const id = hasId ? idText(req.id) : 'null';
    if (req.jsonrpc !== '2.0') return this.invalid('jsonrpc must be "2.0"', id);
    if (typeof req.method !== 'string') return this.invalid('method must be a string', id);
    const answer = this.call(req.method, has(req, 'params') ? req.params : undefined, ctx, after, id);
    if (hasId) return answer;
    return isThenable(answer) ? answer.then(() => undefined) : undefined;
  }

  /** `data` of a −32601: the served methods of the name's namespace (`chain.get_block` → `chain.*`), and where to find the rest. */
  private notFoundHint(method: string): { namespace_methods?: string[]; hint: string } {
    const dot = typeof method === 'string' ? method.indexOf('.') : -1;
    const ns = dot > 0 ? method.slice(0, dot + 1) : undefined;
    const same = ns ? [...this.methods].filter(([n, e]) => e.impl && n.startsWith(ns)).map(([n]) => n).slice(0, 30) : [];
    return { ...(same.length ? { namespace_methods: same } : {}), hint: 'rpc.discover lists every method with its params' };
  }

  /**
   * Runs one call. Synchronous handlers (most reads, e.g. `chain.tip`) are answered without a
   * promise; asynchronous ones through one `then`.
   */
  private call(method: string, rawParams: unknown, ctx: RequestContext, after: (() => void)[], id: string): Maybe<string> {
    const entry = this.methods.get(method);
    const t0 = performance.now();
    let result: unknown;
    try {
      if (!entry || !entry.impl) throw new RpcError(ErrorCode.MethodNotFound, 'method not found', this.notFoundHint(method));
      if (entry.decl.mutating && !ctx.authorized)
        throw new RpcError(
          ErrorCode.Unauthorized,
          `${method} changes state: send Authorization: Bearer <token>`,
          {
            reason: Reason.unauthorized,
          },
        );
      // Param-less methods called without params skip zod (same result: a fresh `{}`).
      const params = entry.paramless && emptyParams(rawParams) ? {} : parseParams(entry.decl, paramsForSchemas(rawParams));
      result = entry.impl(params, ctx, after);
    } catch (e) {
      return this.failed(entry, method, id, e, t0);
    }
    if (isThenable(result))
      return Promise.resolve(result).then(
        (r) => this.succeeded(entry!, method, id, r, t0),
        (e: unknown) => this.failed(entry, method, id, e, t0),
      );
    return this.succeeded(entry!, method, id, result, t0);
  }

  private succeeded(entry: Entry, method: string, id: string, result: unknown, t0: number): string {
    let text: string;
    try {
      text = `{"jsonrpc":"2.0","id":${id},"result":${stringifyResult(result)}}`;
    } catch (e) {
      return this.failed(entry, method, id, e, t0);
    }
    this.counted(entry, 0, t0);
    return text;
  }

  private failed(entry: Entry | undefined, method: string, id: string, e: unknown, t0: number): string {
    const err = e instanceof RpcError ? e : this.internal(e, method);
    if (entry) this.counted(entry, err.code, t0);
    else this.countUnknown(err.code);
    return errorText(id, err.toJSON());
  }

  /**
   * `rpc_requests_total{method,code}` and `rpc_latency_seconds{method}` (seconds since `t0`, a
   * `performance.now()` in ms) through the method's meter.
   */
  private counted(entry: Entry, code: number, t0: number): void {
    const m = entry.meter;
    if (!m) return;
    m.count(code);
    m.observe((performance.now() - t0) / 1e3);
  }

  private internal(e: unknown, method: string): RpcError {
    this.o.logger?.error({ err: e, method }, 'rpc handler failed');
    return new RpcError(ErrorCode.Internal, 'internal error');
  }

  /** `rpc_requests_total{method="unknown",code}` (undeclared methods, unparsable or invalid requests). */
  private countUnknown(code: number): void {
    this.unknown?.count(code);
  }

  private subscribe(topic: TopicName, ctx: RequestContext, after: (() => void)[]): string {
    const s = ctx.session;
    if (!s) throw needsSession();
    if (s.size >= MAX_SUBSCRIPTIONS_PER_SESSION)
      throw RpcError.app(
        Reason.too_many_subscriptions,
        `at most ${MAX_SUBSCRIPTIONS_PER_SESSION} subscriptions per connection`,
      );
    const replay = (this.o.replay?.[topic] as (() => readonly unknown[]) | undefined)?.();
    const { id, release } = s.add(
      topic,
      (deliver) => this.o.events.on(topic, deliver as (p: TopicPayload<typeof topic>) => void),
      replay,
    );
    after.push(release);
    return id;
  }
}

function needsSession(): RpcError {
  return RpcError.app('needs_session', 'subscriptions need a WebSocket or IPC connection (not plain HTTP)');
}
