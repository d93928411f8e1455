/**
 * The node's JSON-RPC front door for operators: HTTP `POST /` and WebSocket (`ws`, same port,
 * path `/` or `/ws`) on one `node:http` server (DESIGN.md "Hard edges → HTTP servers, WebSocket").
 *
 * Answers, in order of checks:
 * - `Host` not loopback / not configured → 403 (DNS rebinding); any other path → 404;
 * - `OPTIONS /` → 204 with CORS headers for a configured Origin, else 403;
 * - not POST → 405; browser `Origin` not configured → 403; `Content-Type` not JSON → 415;
 * - per-IP token bucket empty → 429 with JSON-RPC −32001 "rate limited", echoing the request's id
 *   (a batch: one error per member id) when the body can be read;
 * - body over `maxBodyBytes` (1 MiB) → 413 with JSON-RPC −32600 "invalid request", sent once the
 *   body has been read and discarded (up to 16 MiB more), then the connection is closed;
 * - otherwise 200 with the JSON-RPC response, or 204 when the body held only notifications.
 * WebSocket: Host/Origin/rate checked at upgrade (403); a frame over `maxBodyBytes` closes that
 * socket with 1009; each message costs one rate token (−32001 in-band when empty); the socket's
 * subscriptions are freed when it closes.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { ErrorCode } from '../../shared/api/index.js';
import type { Metrics } from '../telemetry/metrics.js';
import { errorResponseText, refusalText, type Dispatcher, type RequestContext } from './dispatcher.js';
import { callHeaders } from './types.js';
import { bearerChecker, guardConnections, hostChecker, isJsonContentType, listen, originChecker, RateLimiter, sendPlain } from '../http/index.js';

export const DEFAULT_MAX_BODY_BYTES = 1_048_576;

export interface RpcServerOptions {
  /** Listen address "host:port" (port 0 = any free port). */
  addr: string;
  dispatcher: Dispatcher;
  /** When set, mutating methods require `Authorization: Bearer <token>` (−32004 otherwise). */
  authToken?: string;
  /** Extra Host header names accepted besides loopback. */
  allowedHosts?: string[];
  /** Browser origins allowed to call (CORS headers and WebSocket Origin). Default: none. */
  corsOrigins?: string[];
  logger?: Logger;
  metrics?: Metrics;
  /** How the operator changes the address, for the port-in-use message. */
  flagHint?: string;
  /** Per-IP requests per second (`TB_RPC_TOKENS_PER_SEC`, default 100; 0 disables). */
  rateLimitPerSec?: number;
  /** Request body / WebSocket frame limit in bytes (default 1 MiB). */
  maxBodyBytes?: number;
  /** Concurrent TCP connections (default 512); beyond it the oldest idle one is closed. */
  maxConnections?: number;
  /** Concurrent TCP connections per client address (default min(128, maxConnections)). */
  maxConnectionsPerAddress?: number;
  /** A connection that sends no byte within this many ms is closed (default 2 000). */
  firstByteMs?: number;
  /** Time to receive request headers / the whole request, ms (defaults 10 000 / 30 000). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface RpcServer {
  port: number;
  /** Closes the listener, every HTTP connection and every WebSocket (1001). */
  close(): Promise<void>;
}

/** A WebSocket whose peer does not read: drop it rather than buffer without bound. */
const MAX_WS_BUFFERED = 8 * 1024 * 1024;
const WS_PING_MS = 30_000;
/** Bytes of an over-limit body read and discarded after the 413 before the socket is cut. */
const DRAIN_LIMIT = 16 * 1024 * 1024;
/** Shared empty header set (no CORS headers): never mutated. */
const NO_HEADERS: http.OutgoingHttpHeaders = Object.freeze({});
const pathOf = (url: string | undefined) => (url ?? '/').split('?', 1)[0];

/** What an HTTP call needs from its server (set once per server, shared by every call). */
interface FrontDoor {
  dispatcher: Dispatcher;
  maxBody: number;
  authOk: (authorization: string | undefined) => boolean;
  logger?: Logger;
  /** `rpc_requests_total{method="unknown",code}` for the refusals answered here (413, 429). */
  count(code: number): void;
}

/** The request being read by an {@link HttpCall} (the call rides on it for the shared listeners). */
type CallRequest = http.IncomingMessage & { [CALL]?: HttpCall };
const CALL = Symbol('rpc http call');

/** Shared body listeners (no closures per request): `this` is the request. */
function onBodyData(this: CallRequest, c: Buffer): void {
  this[CALL]!.data(c);
}
function onBodyError(this: CallRequest): void {
  this[CALL]!.aborted = true;
}
function onBodyEnd(this: CallRequest): void {
  this[CALL]!.end();
}

/**
 * One HTTP POST: reads the body within the size limit, then answers (hot path of issue 17: one
 * object per request, shared listeners, the answer written in the same tick when the dispatcher
 * answers synchronously). It is also the call's context: `headers` (a lower-cased copy) and
 * `authorized` (a SHA-256 of the bearer token) are computed on first read: most calls are reads
 * that need neither (the dispatcher reads `authorized` only for mutating methods).
 *
 * An over-limit body is answered 413 only once the client has finished sending it (read and
 * discarded, up to DRAIN_LIMIT): a client still writing when the server closes gets EPIPE / "fetch
 * failed" instead of our answer (undici fetch does). Beyond DRAIN_LIMIT the 413 goes out at once
 * and the socket is closed after it. Over the rate limit, the body is still read (within the size
 * limit) so the 429 echoes its ids.
 */
class HttpCall implements RequestContext {
  readonly transport = 'http' as const;
  aborted = false;
  private rejected = false;
  private answered = false;
  /** Bytes of an over-limit body read and discarded so far. */
  private drained = 0;
  private first: Buffer | undefined = undefined;
  private chunks: Buffer[] | undefined = undefined;
  private size = 0;
  private copied?: Record<string, string>;
  private auth?: boolean;

  constructor(
    private readonly door: FrontDoor,
    private readonly req: CallRequest,
    private readonly res: http.ServerResponse,
    private readonly cors: http.OutgoingHttpHeaders,
    readonly remote: string,
    /** The rate limiter refused this call (answered 429 once the body is read). */
    private readonly limited: boolean,
  ) {
    req[CALL] = this;
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > door.maxBody) {
      this.tooLarge();
      if (declared > door.maxBody + DRAIN_LIMIT) this.send413(true);
    }
    req.on('data', onBodyData);
    req.on('error', onBodyError);
    req.on('end', onBodyEnd);
  }

  get headers(): Record<string, string> {
    return (this.copied ??= callHeaders(this.req.headers));
  }

  get authorized(): boolean {
    return (this.auth ??= this.door.authOk(this.req.headers.authorization));
  }

  data(c: Buffer): void {
    if (this.rejected) {
      this.drained += c.length;
      if (this.drained > DRAIN_LIMIT) {
        this.req.pause();
        this.send413(true);
      }
      return;
    }
    this.size += c.length;
    if (this.size > this.door.maxBody) this.tooLarge();
    else if (this.first === undefined) this.first = c;
    else (this.chunks ??= [this.first]).push(c);
  }

  end(): void {
    if (this.rejected && !this.aborted) return this.send413(false);
    if (this.aborted || this.rejected) return;
    const text = this.chunks
      ? Buffer.concat(this.chunks, this.size).toString('utf8')
      : (this.first?.toString('utf8') ?? '');
    this.first = this.chunks = undefined;
    if (this.limited) {
      this.door.count(ErrorCode.RateLimited);
      return sendJson(this.res, 429, refusalText(text, ErrorCode.RateLimited, 'rate limited'), {
        ...this.cors,
        'retry-after': '1',
      });
    }
    let out: ReturnType<Dispatcher['answerText']>;
    try {
      out = this.door.dispatcher.answerText(text, this);
    } catch (e) {
      return this.failed(e);
    }
    if (out === undefined || typeof out === 'string') return this.answer(out);
    out.then(
      (body) => this.answer(body),
      (e: unknown) => this.failed(e),
    );
  }

  /** The answer of a served call: 200 with the body, 204 for notifications only. */
  private answer(body: string | undefined): void {
    const res = this.res;
    if (body === undefined) {
      res.writeHead(204, this.cors);
      res.end();
    } else if (this.cors === NO_HEADERS)
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) })
        .end(body);
    else sendJson(res, 200, body, this.cors);
  }

  private failed(e: unknown): void {
    this.door.logger?.error({ err: e }, 'rpc request failed');
    sendJson(this.res, 500, errorResponseText(ErrorCode.Internal, 'internal error'), this.cors);
  }

  private tooLarge(): void {
    if (this.rejected) return;
    this.rejected = true;
    this.first = this.chunks = undefined;
    this.door.count(ErrorCode.InvalidRequest);
  }

  private send413(cut: boolean): void {
    if (this.answered) return;
    this.answered = true;
    sendJson(
      this.res,
      413,
      errorResponseText(ErrorCode.InvalidRequest, 'invalid request', { detail: `request body exceeds ${this.door.maxBody} bytes` }),
      { ...this.cors, connection: 'close' },
    );
    if (cut) this.res.once('finish', () => this.req.socket.destroySoon());
  }
}

/** A JSON answer with Content-Length instead of chunked encoding: one write of head + body, no chunk framing. */
function sendJson(res: http.ServerResponse, status: number, body: string, headers: http.OutgoingHttpHeaders): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/**
 * Starts the RPC server.
 * @throws PortInUseError ("port 8545 is already in use (…); change it with <flagHint>") or ListenError.
 */
export async function startRpcServer(o: RpcServerOptions): Promise<RpcServer> {
  const flagHint = o.flagHint ?? '--rpc-addr / TB_RPC_ADDR';
  const maxBody = o.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const hostOk = hostChecker(o.allowedHosts);
  const originOk = originChecker(o.corsOrigins);
  const authOk = bearerChecker(o.authToken);
  const limiter = new RateLimiter(o.rateLimitPerSec ?? 100);
  const corsEnabled = (o.corsOrigins?.length ?? 0) > 0;
  const unknownCalls = o.metrics?.rpcCalls.method('unknown');
  const count = (code: number) => unknownCalls?.count(code);
  const door: FrontDoor = { dispatcher: o.dispatcher, maxBody, authOk, logger: o.logger, count };
  const plain = sendPlain;
  // Host headers repeat (every poll of one client sends the same): remember the last verdict.
  let lastHost: string | undefined;
  let lastHostOk = false;
  const hostAllowed = (host: string | undefined): boolean => {
    if (host === undefined || host !== lastHost) {
      lastHostOk = hostOk(host);
      lastHost = host;
    }
    return lastHostOk;
  };

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const h = req.headers;
    if (!hostAllowed(h.host))
      return plain(res, 403, 'forbidden: Host header is not an allowed host (DNS rebinding protection)');
    if (req.url !== '/' && pathOf(req.url) !== '/') return plain(res, 404, 'not found: JSON-RPC is served at POST /');
    const origin = h.origin;
    const cors: http.OutgoingHttpHeaders =
      corsEnabled && origin !== undefined && originOk(origin)
        ? { 'access-control-allow-origin': origin, vary: 'Origin' }
        : NO_HEADERS;
    if (req.method === 'OPTIONS') {
      if (!cors['access-control-allow-origin']) return plain(res, 403, 'forbidden: origin not allowed');
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST',
        'access-control-allow-headers': 'content-type, authorization',
        'access-control-max-age': '600',
      });
      return res.end();
    }
    if (req.method !== 'POST')
      return plain(res, 405, 'method not allowed: use POST with a JSON-RPC body', { allow: 'POST, OPTIONS' });
    if (origin !== undefined && !originOk(origin)) return plain(res, 403, 'forbidden: origin not allowed');
    const ct = h['content-type'];
    if (ct !== 'application/json' && !isJsonContentType(ct))
      return plain(res, 415, 'unsupported media type: send Content-Type: application/json', cors);
    const remote = req.socket.remoteAddress ?? 'unknown';
    new HttpCall(door, req, res, cors, remote, !limiter.take(remote));
  };

  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  const server = http.createServer(
    {
      headersTimeout,
      requestTimeout: o.requestTimeoutMs ?? 30_000,
      // Node checks these timeouts on this interval (default 30 s): check often enough to matter.
      connectionsCheckingInterval: Math.min(5_000, Math.max(50, Math.floor(headersTimeout / 4))),
      keepAliveTimeout: 5_000,
      // A missing Host gets our explicit 403 below rather than Node's bare 400.
      requireHostHeader: false,
    },
    onRequest,
  );
  const maxConnections = o.maxConnections ?? 512;
  guardConnections(server, {
    maxConnections,
    maxPerAddress: o.maxConnectionsPerAddress ?? Math.min(128, maxConnections),
    firstByteMs: o.firstByteMs,
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: maxBody });
  const reject = (socket: Socket, status: string) => {
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const path = pathOf(req.url);
    if (!hostOk(req.headers.host)) return reject(socket, '403 Forbidden');
    if (path !== '/' && path !== '/ws') return reject(socket, '404 Not Found');
    if (!originOk(req.headers.origin)) return reject(socket, '403 Forbidden');
    const remote = req.socket.remoteAddress ?? 'unknown';
    if (!limiter.take(remote)) return reject(socket, '429 Too Many Requests');
    wss.handleUpgrade(req, socket, head, (ws) => onWs(ws, remote, authOk(req.headers.authorization), callHeaders(req.headers)));
  });

  const onWs = (ws: WebSocket, remote: string, authorized: boolean, headers: Record<string, string>) => {
    const conn = o.dispatcher.openSession(
      (text) => {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_WS_BUFFERED) {
          o.logger?.warn({ remote }, 'websocket peer is not reading; closing it');
          ws.terminate();
          return;
        }
        ws.send(text);
      },
      { transport: 'ws', remote, authorized, headers },
    );
    let alive = true;
    ws.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, WS_PING_MS);
    ping.unref();
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      // Binary frames are read as UTF-8 JSON too; ws delivers Buffer by default.
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      if (!limiter.take(remote)) {
        count(ErrorCode.RateLimited);
        return conn.session.deliver(refusalText(buf.toString('utf8'), ErrorCode.RateLimited, 'rate limited'));
      }
      conn
        .handleText(buf.toString('utf8'))
        .catch((e: unknown) => o.logger?.error({ err: e }, 'websocket request failed'));
    });
    ws.on('error', (e) => o.logger?.debug({ err: e, remote }, 'websocket error'));
    ws.on('close', () => {
      clearInterval(ping);
      conn.close();
    });
  };

  const port = await listen(server, o.addr, flagHint);
  o.logger?.info({ addr: o.addr, port }, 'rpc listening (HTTP POST / and WebSocket)');

  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= (async () => {
        const sockets = [...wss.clients];
        const wsClosed = sockets.map(
          (ws) =>
            new Promise<void>((resolve) => {
              if (ws.readyState === ws.CLOSED) return resolve();
              ws.once('close', () => resolve());
              ws.close(1001, 'server shutting down');
              // A peer that never answers the close handshake is cut after 1 s.
              setTimeout(() => ws.terminate(), 1_000).unref();
            }),
        );
        const listenerClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await Promise.all(wsClosed);
        wss.close();
        await listenerClosed;
      })()),
  };
}
