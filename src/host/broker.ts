/**
 * The console's bridge logic, shared by both front doors of the UI (Electron IPC in src/main,
 * WebSocket in console server mode): `app.*` methods are answered here, node methods are
 * forwarded to the supervisor, subscriptions are fanned out from the supervisor (node topics) or
 * from the supervisor's own state (`app.supervisor`). Dispatch goes through Maps of declared
 * names only (DESIGN.md "Hard edges": never `handlers[method]`).
 */
import { APP_METHODS, APP_TOPIC_NAMES, type AppTopicName, type AppTopicPayload } from '../shared/api/app.js';
import { parseParams } from '../shared/api/define.js';
import { ErrorCode, RpcError } from '../shared/api/errors.js';
import { TOPIC_NAMES, type TopicName, type TopicPayload } from '../shared/api/events.js';
import { METHODS } from '../shared/api/methods.js';
import { appTopicsOf, desktopOf, type AppHandlers } from './app-handlers.js';
import type { Supervisor } from './supervisor.js';

/** Every topic a UI client may subscribe to. */
export type AnyTopic = TopicName | AppTopicName;
export type AnyTopicPayload<T extends AnyTopic> = T extends TopicName
  ? TopicPayload<T>
  : T extends AppTopicName
    ? AppTopicPayload<T>
    : never;

/** Node methods a UI client may call through the bridge (subscriptions go through {@link Broker.subscribe}). */
const NODE_METHODS = new Set<string>(
  METHODS.map((m) => m.name).filter((n) => n !== 'chain.subscribe' && n !== 'chain.unsubscribe'),
);
const APP = new Map(APP_METHODS.map((m) => [m.name as string, m]));
const TOPICS = new Set<string>([...TOPIC_NAMES, ...APP_TOPIC_NAMES]);

export class Broker {
  constructor(
    private readonly supervisor: Supervisor,
    private readonly app: AppHandlers,
  ) {}

  /**
   * One call from a UI client.
   * @throws RpcError −32601 for names that are neither a node method nor an `app.*` method;
   *   −32602 for bad `app.*` params; the node's errors as they come.
   */
  async call(method: unknown, params: unknown): Promise<unknown> {
    if (typeof method !== 'string') throw new RpcError(ErrorCode.InvalidRequest, 'method must be a string');
    // Disk in the critical tier: writes that could not finish are refused (src/host/desktop).
    desktopOf(this.app)?.guard(method);
    const decl = APP.get(method);
    if (decl) {
      const p = parseParams(decl, params);
      const handler = this.app.get(method);
      if (!handler) throw new RpcError(ErrorCode.MethodNotFound, `method not found: ${method}`);
      return handler(p);
    }
    if (NODE_METHODS.has(method)) return this.supervisor.call(method, params ?? []);
    throw new RpcError(ErrorCode.MethodNotFound, `method not found: ${method.slice(0, 100)}`);
  }

  /**
   * Listens to a node topic, `app.supervisor` or `app.restore` (both deliver the current state first).
   * @throws RpcError −32602 for an unknown topic.
   */
  subscribe<T extends AnyTopic>(topic: T, cb: (payload: AnyTopicPayload<T>) => void): () => void {
    if (typeof topic !== 'string' || !TOPICS.has(topic))
      throw RpcError.invalidParams([{ path: ['topic'], message: `unknown topic; one of ${[...TOPICS].join(', ')}` }]);
    if (topic === 'app.supervisor') {
      const fn = cb as (p: AppTopicPayload<'app.supervisor'>) => void;
      fn(this.supervisor.state());
      return this.supervisor.onState(fn);
    }
    if (topic.startsWith('app.')) {
      const src = appTopicsOf(this.app)?.[topic as Exclude<AppTopicName, 'app.supervisor'>] as ((cb: (p: unknown) => void) => () => void) | undefined;
      if (!src) throw RpcError.invalidParams([{ path: ['topic'], message: `${topic} is not available here` }]);
      return src(cb as (p: unknown) => void);
    }
    return this.supervisor.subscribe(topic as TopicName, cb as (p: unknown) => void);
  }
}
