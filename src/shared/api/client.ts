/**
 * Typed JSON-RPC client of the node (pure TypeScript: global `fetch`, no Node imports), used by the
 * CLI, the tests and — through another {@link Transport} — the renderer. Method names, params and
 * result types come from the one contract (`methods.ts`). Results are returned as the JSON the node
 * sent: amounts stay decimal strings (never converted to floats).
 */
import { RpcError } from './errors.js';
import type { ParamsIn, ResultOf } from './define.js';
import type { MethodByName, MethodName } from './methods.js';

/** Carries one call to the node. Throws {@link RpcError} for JSON-RPC errors, {@link TransportError} otherwise. */
export interface Transport {
  request(method: string, params: unknown): Promise<unknown>;
}

/** The node could not be asked at all (unreachable, timed out, non-JSON-RPC HTTP answer). */
export class TransportError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'timeout' | 'http' | 'protocol',
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}

function bigintToString(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Turns a parsed JSON-RPC response object into its result, or throws its error as an {@link RpcError}. */
export function unwrapResponse(body: unknown, url: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new TransportError(
      'protocol',
      url,
      `unexpected answer from ${url}: not a JSON-RPC response object`,
    );
  const b = body as { result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
  if (b.error !== undefined) {
    const e = b.error ?? {};
    throw new RpcError(
      typeof e.code === 'number' ? e.code : -32603,
      typeof e.message === 'string' ? e.message : 'error without message',
      e.data as RpcError['data'],
    );
  }
  if (!('result' in b))
    throw new TransportError('protocol', url, `unexpected answer from ${url}: neither result nor error`);
  return b.result;
}

function causeCode(e: unknown): string | undefined {
  const c = (e as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof c?.code === 'string' ? c.code : undefined;
}

/**
 * JSON-RPC over HTTP POST.
 * @param url node endpoint, e.g. `http://127.0.0.1:8545`.
 * @param o.token sent as `Authorization: Bearer <token>` (needed for mutating methods when the node has one).
 * @param o.timeoutMs whole-call timeout in ms (default 30 000).
 * @param o.headers extra request headers; they replace the token's `authorization` when they set one.
 * Errors: {@link RpcError} (code, message, data) for JSON-RPC errors; {@link TransportError}
 * "cannot reach node at <url>: is it running?" when the connection fails, "no answer from <url>
 * within N ms" on timeout, "HTTP <status> from <url>: …" for non-JSON-RPC answers.
 */
export function httpTransport(url: string, o: { token?: string; timeoutMs?: number; headers?: Record<string, string> } = {}): Transport {
  const timeoutMs = o.timeoutMs ?? 30_000;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  // Extra headers (lower-case names) win: e.g. `authorization: Advertiser <account>:<token>`.
  for (const [k, v] of Object.entries(o.headers ?? {})) headers[k.toLowerCase()] = v;
  let nextId = 1;
  return {
    async request(method, params) {
      const body = JSON.stringify(
        { jsonrpc: '2.0', id: nextId++, method, params: params ?? [] },
        bigintToString,
      );
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), timeoutMs);
      let status: number;
      let text: string;
      try {
        const res = await fetch(url, { method: 'POST', headers, body, signal: ac.signal });
        status = res.status;
        text = await res.text();
      } catch (e) {
        if (ac.signal.aborted)
          throw new TransportError('timeout', url, `no answer from ${url} within ${timeoutMs} ms`, {
            cause: e,
          });
        const code = causeCode(e);
        throw new TransportError(
          'unreachable',
          url,
          `cannot reach node at ${url}: is it running?${code ? ` (${code})` : ''}`,
          { cause: e },
        );
      } finally {
        clearTimeout(timer);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        const snippet = text.trim().slice(0, 200);
        throw new TransportError(
          status === 200 ? 'protocol' : 'http',
          url,
          `HTTP ${status} from ${url}: ${snippet || '(empty body)'}`,
        );
      }
      return unwrapResponse(parsed, url);
    },
  };
}

/** Typed calls over any transport: `await client.call('chain.tip')`, `client.call('account.get', ['tb1…'])`. */
export function createClient(t: Transport) {
  return {
    transport: t,
    call<N extends MethodName>(
      name: N,
      params?: ParamsIn<MethodByName<N>> | unknown[],
    ): Promise<ResultOf<MethodByName<N>>> {
      return t.request(name, params ?? []) as Promise<ResultOf<MethodByName<N>>>;
    },
  };
}
export type Client = ReturnType<typeof createClient>;
