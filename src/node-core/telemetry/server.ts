/**
 * Prometheus scrape endpoint: `GET /metrics` (also `HEAD`) in the text exposition format
 * (prom-client's registry content type, format 0.0.4). Same guards as the RPC server: Host must be
 * loopback or configured (403), other methods → 405, other paths → 404, header/request timeouts and
 * connection caps (64 in all, 16 per address, idle sockets evicted for newcomers, 2 s to the first byte).
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { guardConnections, hostChecker, listen, sendPlain } from '../http/index.js';
import type { Metrics } from './metrics.js';

export interface MetricsServerOptions {
  /** Listen address "host:port" (default in config: 127.0.0.1:26658). */
  addr: string;
  metrics: Metrics;
  allowedHosts?: string[];
  /** How the operator changes the address, for the port-in-use message. */
  flagHint?: string;
  logger?: Logger;
  /** A connection that sends no byte within this many ms is closed (default 2 000). */
  firstByteMs?: number;
}

/**
 * Starts the metrics server.
 * @throws PortInUseError ("port 26658 is already in use (…); change it with --metrics-addr / TB_METRICS_ADDR") or ListenError.
 */
export async function startMetricsServer(
  o: MetricsServerOptions,
): Promise<{ port: number; close(): Promise<void> }> {
  const hostOk = hostChecker(o.allowedHosts);
  const registry = o.metrics.registry;
  const plain = sendPlain;
  const server = http.createServer(
    {
      headersTimeout: 10_000,
      requestTimeout: 30_000,
      connectionsCheckingInterval: 2_500,
      keepAliveTimeout: 5_000,
      requireHostHeader: false,
    },
    (req, res) => {
      if (!hostOk(req.headers.host))
        return plain(res, 403, 'forbidden: Host header is not an allowed host (DNS rebinding protection)');
      if ((req.url ?? '/').split('?', 1)[0] !== '/metrics')
        return plain(res, 404, 'not found: metrics are served at GET /metrics');
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return plain(res, 405, 'method not allowed: use GET', { allow: 'GET, HEAD' });
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : text);
        },
        (e: unknown) => {
          o.logger?.error({ err: e }, 'collecting metrics failed');
          plain(res, 500, 'internal error while collecting metrics');
        },
      );
    },
  );
  // 64 in all, 16 per client address; the oldest idle socket gives way to a newcomer, and a
  // socket silent for 2 s is closed — idle sockets cannot keep a scrape out.
  guardConnections(server, { maxConnections: 64, maxPerAddress: 16, firstByteMs: o.firstByteMs });
  const port = await listen(server, o.addr, o.flagHint ?? '--metrics-addr / TB_METRICS_ADDR');
  o.logger?.info({ addr: o.addr, port }, 'metrics listening (GET /metrics)');
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
