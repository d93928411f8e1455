/** Normalises whatever a bridge rejects with into an {@link RpcError} (code, message, data.reason, data.issues). */
import { ErrorCode, RpcError } from '../../../shared/api/errors';

export function toRpcError(e: unknown): RpcError {
  if (e instanceof RpcError) return e;
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'number') {
    const o = e as { code: number; message?: unknown; data?: unknown };
    return new RpcError(o.code, typeof o.message === 'string' ? o.message : 'error', o.data as RpcError['data']);
  }
  return new RpcError(ErrorCode.Internal, e instanceof Error ? e.message : String(e));
}

/** The stable reason string of an error, when it has one. */
export function reasonOf(e: unknown): string | undefined {
  const r = toRpcError(e).data?.reason;
  return typeof r === 'string' ? r : undefined;
}
