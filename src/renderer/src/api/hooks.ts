/**
 * React Query hooks generated from the contract: `rpc['chain.tip'].useQuery()`,
 * `rpc['wallet.transfer'].useMutation()`, `rpc['account.get'].key({address})` — one entry per
 * method of METHODS and APP_METHODS, never a hand-written list. Query keys are
 * `[method, params]`, so live events can write results straight into the cache.
 */
import { useMutation, useQuery, type QueryKey, type UseMutationResult, type UseQueryResult } from '@tanstack/react-query';
import type { RpcError } from '../../../shared/api/errors';
import type { CallName, CallParams, CallResult } from '../../../preload/api';
import { call, CALL_NAMES } from './client';

export interface QueryOpts {
  enabled?: boolean;
  /** `'always'`: ask again whenever a component using it mounts (results that age with wall time, e.g. uptime). */
  refetchOnMount?: boolean | 'always';
}

export interface MethodHooks<N extends CallName> {
  /** Cache key of this method with these params. */
  key(params?: CallParams<N>): QueryKey;
  useQuery(params?: CallParams<N>, opts?: QueryOpts): UseQueryResult<CallResult<N>, RpcError>;
  useMutation(): UseMutationResult<CallResult<N>, RpcError, CallParams<N> | undefined>;
}

/** The cache key of a method call (params normalised so `undefined` and `{}` share an entry). */
export function rpcKey<N extends CallName>(name: N, params?: CallParams<N>): QueryKey {
  const p = params === undefined || (typeof params === 'object' && params !== null && !Array.isArray(params) && Object.keys(params).length === 0) ? null : params;
  return [name, p];
}

function hooksFor<N extends CallName>(name: N): MethodHooks<N> {
  return {
    key: (params) => rpcKey(name, params),
    useQuery: (params, opts) =>
      useQuery<CallResult<N>, RpcError>({
        queryKey: rpcKey(name, params),
        queryFn: () => call(name, params),
        enabled: opts?.enabled ?? true,
        ...(opts?.refetchOnMount !== undefined ? { refetchOnMount: opts.refetchOnMount } : {}),
      }),
    useMutation: () => useMutation<CallResult<N>, RpcError, CallParams<N> | undefined>({ mutationFn: (params) => call(name, params) }),
  };
}

export type RpcHooks = { [N in CallName]: MethodHooks<N> };

export const rpc = Object.fromEntries(CALL_NAMES.map((n) => [n, hooksFor(n)])) as RpcHooks;
