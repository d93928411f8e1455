/** Handler types: how subsystems plug their implementation of contract methods into the dispatcher. */
import type { MethodByName, MethodName, ParamsOf, ResultOf } from '../../shared/api/index.js';

export interface CallContext {
  /** Which front door the call came through. */
  transport: 'http' | 'ws' | 'ipc' | 'internal';
  /** Remote address for HTTP/WS (for logs and rate limits). */
  remote?: string;
  /** The `Authorization: Bearer` token presented (HTTP/WS), for modules with their own roles (energy). */
  bearer?: string;
}

export type Handler<N extends MethodName> = (
  params: ParamsOf<MethodByName<N>>,
  ctx: CallContext,
) => Promise<ResultOf<MethodByName<N>>> | ResultOf<MethodByName<N>>;

/** A subsystem's contribution: implementations for some of the contract's methods. */
export type HandlerMap = { [N in MethodName]?: Handler<N> };
