/** Handler types: how subsystems plug their implementation of contract methods into the dispatcher. */
import type { MethodByName, MethodName, ParamsOf, ResultOf } from '../../shared/api/index.js';

export interface CallContext {
  /** Which front door the call came through. */
  transport: 'http' | 'ws' | 'ipc' | 'internal';
  /** Remote address for HTTP/WS (for logs and rate limits). */
  remote?: string;
  /**
   * Request headers of HTTP/WS calls (the WebSocket upgrade request's for WS), names lower-cased,
   * repeated headers joined with ", ". Absent for IPC/internal calls. Methods that authenticate a
   * caller other than the operator (e.g. with their own `Authorization` scheme) read them here.
   */
  headers?: Readonly<Record<string, string>>;
}

/** Request headers as a CallContext carries them (lower-case names, string values). */
export function callHeaders(h: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export type Handler<N extends MethodName> = (
  params: ParamsOf<MethodByName<N>>,
  ctx: CallContext,
) => Promise<ResultOf<MethodByName<N>>> | ResultOf<MethodByName<N>>;

/** A subsystem's contribution: implementations for some of the contract's methods. */
export type HandlerMap = { [N in MethodName]?: Handler<N> };
