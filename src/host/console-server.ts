/**
 * Console server mode (DESIGN.md "Processes"): serves the built renderer over HTTP and carries
 * the UI bridge (JSON-RPC calls + subscriptions + `app.*`) over WebSocket, protected by a random
 * per-start token. Hard edges kept (DESIGN.md "Hard edges"): Host header must be loopback (or the
 * configured host), WebSocket `Origin` must be this server, the token is compared in constant
 * time and never logged, frames over 1 MiB close that socket (1009), subscriptions are capped per
 * connection and freed on disconnect, header/request timeouts, connection caps (64 in all, 32 per
 * address; the oldest idle socket is closed for a newcomer, a socket silent for 2 s is closed), a strict CSP.
 *
 * Token transport: the browser reads it from the URL fragment (`#token=…`, never sent in HTTP
 * requests) and offers it as the WebSocket subprotocol `tb.token.<hex>` beside `tb.v1`.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { bearerChecker, guardConnections, hostChecker } from '../node-core/http/index.js';
import { contentSecurityPolicy, SECURITY_HEADERS } from './csp.js';
import { readStatic } from './static-files.js';
import type { Broker } from './broker.js';
import { WsSession } from './ws-session.js';

export const WS_PATH = '/ws';
export const WS_PROTOCOL = 'tb.v1';
export const TOKEN_PROTOCOL_PREFIX = 'tb.token.';
/** Largest accepted WebSocket frame (bytes); bigger frames close that socket with 1009. */
export const MAX_WS_FRAME = 1024 * 1024;
const MAX_WS_CLIENTS = 16;
const MAX_HTTP_CONNECTIONS = 64;
const MAX_HTTP_CONNECTIONS_PER_ADDRESS = 32;

export interface ConsoleServerOptions {
  broker: Broker;
  /** Built renderer directory (`out/renderer`). */
  rendererDir: string;
  /** Listen address (default 127.0.0.1) and port (0 = any free port). */
  host?: string;
  port?: number;
  /** Extra host names accepted in `Host` (a non-loopback `host` is added automatically). */
  allowedHosts?: string[];
  /** Fixed token (tests); default 32 random bytes, hex. */
  token?: string;
  /** A connection that sends no byte within this many ms is closed (default 2 000; tests raise it). */
  firstByteMs?: number;
  /** Diagnostic lines (never contain the token). */
  log?: (line: string) => void;
}

export interface ConsoleServer {
  /** `http://127.0.0.1:PORT/#token=…` — the operator's URL. */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  port: number;
  token: string;
  /** Closes every WebSocket (their subscriptions are freed) and the HTTP server. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Starts the console server. Errors: the listen error (`EADDRINUSE`…) as thrown by `net`. */
export async function startConsoleServer(o: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = o.host ?? '127.0.0.1';
  const root = path.resolve(o.rendererDir);
  const token = o.token ?? randomBytes(32).toString('hex');
  const tokenOk = bearerChecker(token);
  const hostOk = hostChecker([...(o.allowedHosts ?? []), host]);
  const log = o.log ?? (() => {});
  const csp = contentSecurityPolicy();

  const server = http.createServer({ headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000 });
  // Idle sockets give way to newcomers and silent ones are closed after 2 s (http-guard.ts).
  guardConnections(server, { maxConnections: MAX_HTTP_CONNECTIONS, maxPerAddress: MAX_HTTP_CONNECTIONS_PER_ADDRESS, firstByteMs: o.firstByteMs });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_WS_FRAME,
    handleProtocols: (protocols) => (protocols.has(WS_PROTOCOL) ? WS_PROTOCOL : false),
  });

  server.on('request', (req, res) => {
    const send = (status: number, body: string | Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Security-Policy': csp, ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (!hostOk(req.headers.host)) return send(421, 'Host not allowed\n', { 'Content-Type': 'text/plain' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    const url = req.url ?? '/';
    if (url === '/healthz') return send(200, 'ok\n', { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store' });
    void readStatic(root, url).then((f) => {
      if (!f) return send(404, 'Not found\n', { 'Content-Type': 'text/plain' });
      send(200, f.body, {
        'Content-Type': f.contentType,
        'Cache-Control': f.immutable ? 'public, max-age=31536000, immutable' : 'no-store',
      });
    });
  });

  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
  };
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => {});
    const where = req.socket.remoteAddress ?? '?';
    if ((req.url ?? '').split('?')[0] !== WS_PATH) return refuse(socket, 404, 'Not Found');
    if (!hostOk(req.headers.host)) return refuse(socket, 421, 'Misdirected Request');
    // Browsers always send Origin; it must be this very server (no other site may drive the node).
    if (req.headers.origin !== `http://${req.headers.host}`) {
      log(`console: refused WebSocket from ${where}: foreign origin`);
      return refuse(socket, 403, 'Forbidden');
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim());
    const given = offered.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length) ?? '';
    if (!tokenOk(`Bearer ${given}`)) {
      log(`console: refused WebSocket from ${where}: missing or wrong token`);
      return refuse(socket, 401, 'Unauthorized');
    }
    if (wss.clients.size >= MAX_WS_CLIENTS) return refuse(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const sessions = new Set<WsSession>();
  wss.on('connection', (ws: WebSocket, req: http.IncomingMessage) => {
    const s = new WsSession(ws, o.broker);
    sessions.add(s);
    const where = req.socket.remoteAddress ?? '?';
    log(`console: UI connected from ${where} (${sessions.size} open)`);
    ws.on('close', () => {
      s.close();
      sessions.delete(s);
      log(`console: UI disconnected from ${where} (${sessions.size} open)`);
    });
  });
  // Dead peers (laptop asleep, cable pulled) are dropped so their subscriptions are freed.
  const heartbeat = setInterval(() => sessions.forEach((s) => s.heartbeat()), 30_000);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${urlHost(host)}:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      clearInterval(heartbeat);
      for (const s of sessions) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
