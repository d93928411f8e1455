/**
 * The typed surface the preload exposes on `window.tb` (and which console server mode reproduces
 * over WebSocket): three members, typed from the one contract (src/shared/api).
 */
import type { AppMethodByName, AppMethodName, AppTopicName, AppTopicPayload } from '../shared/api/app';
import type { ParamsIn, ResultOf } from '../shared/api/define';
import type { TopicName, TopicPayload } from '../shared/api/events';
import type { MethodByName, MethodName } from '../shared/api/methods';

/** Node methods callable through the bridge (subscriptions use `subscribe`) and the `app.*` methods. */
export type CallName = Exclude<MethodName, 'chain.subscribe' | 'chain.unsubscribe'> | AppMethodName;
export type CallParams<N extends CallName> = N extends MethodName
  ? ParamsIn<MethodByName<N>> | unknown[]
  : N extends AppMethodName
    ? ParamsIn<AppMethodByName<N>>
    : never;
export type CallResult<N extends CallName> = N extends MethodName
  ? ResultOf<MethodByName<N>>
  : N extends AppMethodName
    ? ResultOf<AppMethodByName<N>>
    : never;

export type BridgeTopic = TopicName | AppTopicName;
export type BridgePayload<T extends BridgeTopic> = T extends TopicName ? TopicPayload<T> : T extends AppTopicName ? AppTopicPayload<T> : never;

type Short<N extends string> = N extends `app.${infer S}` ? S : never;
/** `window.tb.app.info()`, `.restartNode()`, `.openDataDir()`, `.openLogs({lines})`. */
export type AppBridge = {
  [N in AppMethodName as Short<N>]: (params?: ParamsIn<AppMethodByName<N>>) => Promise<ResultOf<AppMethodByName<N>>>;
};

/** Errors reject with this shape (the JSON-RPC error object). */
export interface BridgeError {
  code: number;
  message: string;
  data?: unknown;
}

export interface TbBridge {
  call<N extends CallName>(method: N, params?: CallParams<N>): Promise<CallResult<N>>;
  /** Returns the unsubscribe function. */
  subscribe<T extends BridgeTopic>(topic: T, cb: (payload: BridgePayload<T>) => void): () => void;
  app: AppBridge;
}

declare global {
  interface Window {
    /** Present in the Electron window (preload); absent in console server mode. */
    tb?: TbBridge;
  }
}
