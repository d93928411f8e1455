// /metrics server: scrape over real HTTP and validate with `promtool check metrics` (Debian package
// `prometheus`, installed by .ci/run); guards (Host, method, path); port-in-use message.
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortInUseError } from '../../../src/node-core/http/index.js';
import { startMetricsServer } from '../../../src/node-core/telemetry/server.js';
import { post, rpc, startFixture, type Fixture } from '../rpc/helpers.js';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';

/** Runs `promtool check metrics` on `text`; returns its exit code and combined output. */
function promtoolCheck(text: string): Promise<{ code: number; output: string }> {
  const probe = spawnSync(PROMTOOL, ['--version'], { encoding: 'utf8' });
  if (probe.error)
    throw new Error(
      `promtool not found (${probe.error.message}): install the Debian package "prometheus" (apt-get install prometheus; .ci/run does this)`,
    );
  return new Promise((resolve, reject) => {
    const p = spawn(PROMTOOL, ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, output }));
    p.stdin.end(text);
  });
}

function get(
  port: number,
  o: { path?: string; method?: string; host?: string } = {},
): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: o.path ?? '/metrics',
        method: o.method ?? 'GET',
        headers: { host: o.host ?? `127.0.0.1:${port}` },
        setHost: false,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let f: Fixture;
let metricsPort: number;
let closeMetrics: () => Promise<void>;
beforeAll(async () => {
  f = await startFixture();
  const s = await startMetricsServer({ addr: '127.0.0.1:0', metrics: f.metrics });
  metricsPort = s.port;
  closeMetrics = s.close;
  // Populate the RPC and chain metrics through real traffic.
  await rpc(f.url, 'chain.tip');
  await rpc(f.url, 'no.such.method');
  await rpc(f.url, 'account.get', { address: 5 });
  await post(f.url, '{oops');
  await rpc(f.url, 'tx.submit', ['00']);
  f.metrics.blockHeight.set(12);
  f.metrics.finalizedHeight.set(11);
  f.metrics.blockIntervalSeconds.observe(1.02);
  f.metrics.txsAppliedTotal.inc(3);
  f.metrics.mempoolSize.set(2);
  // A label value with characters that must be escaped in the text format.
  f.metrics.mempoolRejectTotal.inc({ reason: 'quote " backslash \\ newline \n end' });
});
afterAll(async () => {
  await closeMetrics();
  await f.close();
});

describe('GET /metrics', () => {
  it('serves Prometheus text that passes `promtool check metrics`', async () => {
    const r = await get(metricsPort);
    expect(r.status).toBe(200);
    expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
    for (const name of [
      'block_height',
      'finalized_height',
      'block_interval_seconds_bucket',
      'txs_applied_total',
      'mempool_size',
      'rpc_requests_total',
      'rpc_latency_seconds_bucket',
      'rpc_subscriptions',
    ])
      expect(r.body).toMatch(new RegExp(`^${name}[{ ]`, 'm'));
    expect(r.body).toContain('rpc_requests_total{method="chain.tip",code="0"} 1');
    expect(r.body).toContain('rpc_requests_total{method="unknown",code="-32601"} 1');
    expect(r.body).toContain('rpc_requests_total{method="unknown",code="-32700"} 1');
    expect(r.body).toContain('rpc_requests_total{method="tx.submit",code="-32603"} 1');
    expect(r.body).toContain('mempool_reject_total{reason="quote \\" backslash \\\\ newline \\n end"} 1');
    const check = await promtoolCheck(r.body);
    expect(check.output).toBe('');
    expect(check.code).toBe(0);
  });

  it('promtool does catch a broken exposition (the check above can fail)', async () => {
    const check = await promtoolCheck('# TYPE x counter\nx 1\n# TYPE x counter\n');
    expect(check.code).not.toBe(0);
  });

  it('HEAD works; other methods → 405; other paths → 404', async () => {
    expect((await get(metricsPort, { method: 'HEAD' })).status).toBe(200);
    expect((await get(metricsPort, { method: 'POST' })).status).toBe(405);
    expect((await get(metricsPort, { path: '/' })).status).toBe(404);
  });

  it('refuses a foreign Host header (DNS rebinding) with 403', async () => {
    const r = await get(metricsPort, { host: 'evil.example.com' });
    expect(r.status).toBe(403);
    expect((await get(metricsPort, { host: 'localhost:26658' })).status).toBe(200);
  });

  it('a busy port names the port and --metrics-addr / TB_METRICS_ADDR', async () => {
    const e = await startMetricsServer({ addr: `127.0.0.1:${metricsPort}`, metrics: f.metrics }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(PortInUseError);
    expect((e as Error).message).toBe(
      `port ${metricsPort} is already in use (127.0.0.1:${metricsPort}); change it with --metrics-addr / TB_METRICS_ADDR`,
    );
  });
});
