/**
 * Typed calls through the bridge, derived from the contract: every node method (METHODS) and
 * every app method (APP_METHODS) is callable by name with its params and result types.
 * Errors always come out as {@link RpcError}.
 */
import { APP_METHODS } from '../../../shared/api/app';
import { METHODS } from '../../../shared/api/methods';
import type { CallName, CallParams, CallResult } from '../../../preload/api';
import { toRpcError } from '../transport/errors';
import { createBridge, type Bridge } from '../transport';

export const bridge: Bridge = createBridge();

/** Every method the UI may call, straight from the contract (subscriptions go through `subscribe`). */
export const CALL_NAMES = [...METHODS, ...APP_METHODS]
  .map((m) => m.name)
  .filter((n): n is CallName => n !== 'chain.subscribe' && n !== 'chain.unsubscribe');

export async function call<N extends CallName>(name: N, params?: CallParams<N>): Promise<CallResult<N>> {
  try {
    return await bridge.tb.call(name, params ?? ([] as unknown as CallParams<N>));
  } catch (e) {
    throw toRpcError(e);
  }
}
