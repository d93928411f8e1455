/**
 * Prometheus scrape endpoint: `GET /metrics` (also `HEAD`) in the text exposition format
 * (prom-client's registry content type, format 0.0.4). Same guards as the RPC server: Host must be
 * loopback or configured (403), other methods → 405, other paths → 404, header/request timeouts and
 * connection caps (64 in all, 16 per address, idle sockets evicted for newcomers, 2 s to the first byte).
 * A scrape is written metric by metric, giving the event loop back every {@link SCRAPE_SLICE_MS}
 * (issue 17: RPC answers are not held behind one long collect on a loaded machine).
 */
import http from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
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

/** Longest run of collection work (ms) before a scrape yields to the event loop. */
export const SCRAPE_SLICE_MS = 2;

/**
 * The registry's exposition text, the same as `registry.metrics()` (Prometheus text 0.0.4, or
 * OpenMetrics with `# EOF` when the registry is set to it), but collected one metric at a time with
 * a turn of the event loop (`setImmediate`) whenever `sliceMs` of work has run: `registry.metrics()`
 * runs every collect and formats every series in one tick (its promises settle as microtasks).
 * Each metric is read whole, so each family is consistent in itself (as with `registry.metrics()`,
 * whose collects are asynchronous too).
 * @param sliceMs work between yields, ms (default {@link SCRAPE_SLICE_MS}).
 */
export async function metricsText(registry: Registry, sliceMs = SCRAPE_SLICE_MS): Promise<string> {
  const open = (registry.contentType as string) === Registry.OPENMETRICS_CONTENT_TYPE;
  if (open) return registry.metrics(); // counters are renamed by metrics() itself in this format
  const parts: string[] = [];
  let t0 = performance.now();
  for (const m of registry.getMetricsAsArray()) {
    parts.push(await registry.getSingleMetricAsString(m.name));
    if (performance.now() - t0 >= sliceMs) {
      await yieldToLoop();
      t0 = performance.now();
    }
  }
  return `${parts.join('\n\n')}\n`;
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
      metricsText(registry).then(
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
