// The RPC hot path of issue 17 keeps every behaviour: param-less calls without zod still refuse
// bad params field by field, metrics keep their names and labels and count every call once,
// answers carry Content-Length, and handlers still read the request headers and auth.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineMethod, ErrorCode } from '../../../src/shared/api/index.js';
import { Dispatcher } from '../../../src/node-core/rpc/dispatcher.js';
import { startRpcServer, type RpcServer } from '../../../src/node-core/rpc/server.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';
import { post, rpc, startFixture, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

/** The value of one series of a prom-client metric (0 when absent). */
async function series(metric: { get(): Promise<{ values: { labels: object; value: number; metricName?: string }[] }> }, labels: object, name?: string) {
  const v = (await metric.get()).values.find(
    (x) => (name === undefined || x.metricName === name) && JSON.stringify(x.labels) === JSON.stringify(labels),
  );
  return v?.value ?? 0;
}

describe('param-less methods', () => {
  it.each([
    ['absent', ''],
    ['null', ',"params":null'],
    ['[]', ',"params":[]'],
    ['{}', ',"params":{}'],
  ])('answer with params %s', async (_name, params) => {
    const r = await post(f.url, `{"jsonrpc":"2.0","method":"chain.tip"${params},"id":7}`);
    expect(r.json).toEqual({ jsonrpc: '2.0', id: 7, result: f.chain.tip() });
  });

  it.each([
    ['an unknown named key', '{"height":1}'],
    ['a positional value', '[null]'],
    ['a "__proto__" key', '{"__proto__":1}'],
    ['a non-integer number', '[1.5]'],
  ])('refuse %s with −32602 and its issues', async (_name, params) => {
    const r = await post(f.url, `{"jsonrpc":"2.0","method":"chain.tip","params":${params},"id":1}`);
    expect(r.json.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.json.error.data.issues.length).toBeGreaterThan(0);
  });
});

describe('metrics through kept children', () => {
  it('count each call once under the same names and labels, success and error alike', async () => {
    const m = f.metrics;
    const ok0 = await series(m.rpcRequestsTotal, { method: 'chain.tip', code: '0' });
    const bad0 = await series(m.rpcRequestsTotal, { method: 'chain.tip', code: String(ErrorCode.InvalidParams) });
    const unk0 = await series(m.rpcRequestsTotal, { method: 'unknown', code: String(ErrorCode.MethodNotFound) });
    const lat0 = await series(m.rpcLatencySeconds, { method: 'chain.tip' }, 'rpc_latency_seconds_count');
    for (let i = 0; i < 3; i++) await rpc(f.url, 'chain.tip', []);
    await rpc(f.url, 'chain.tip', [1]);
    await rpc(f.url, 'no.such.method');
    expect(await series(m.rpcRequestsTotal, { method: 'chain.tip', code: '0' })).toBe(ok0 + 3);
    expect(await series(m.rpcRequestsTotal, { method: 'chain.tip', code: String(ErrorCode.InvalidParams) })).toBe(bad0 + 1);
    expect(await series(m.rpcRequestsTotal, { method: 'unknown', code: String(ErrorCode.MethodNotFound) })).toBe(unk0 + 1);
    expect(await series(m.rpcLatencySeconds, { method: 'chain.tip' }, 'rpc_latency_seconds_count')).toBe(lat0 + 4);
  });
});

describe('HTTP answers', () => {
  it('carry Content-Length (no chunked framing) and keep the connection alive', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const body = '{"jsonrpc":"2.0","method":"chain.tip","params":[],"id":1}';
    const ask = () =>
      new Promise<{ headers: http.IncomingHttpHeaders; text: string; socket: unknown }>((resolve, reject) => {
        const req = http.request(f.url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ headers: res.headers, text, socket: req.socket }));
        });
        req.on('error', reject);
        req.end(body);
      });
    try {
      const a = await ask();
      const b = await ask();
      expect(a.headers['content-length']).toBe(String(Buffer.byteLength(a.text)));
      expect(a.headers['transfer-encoding']).toBeUndefined();
      expect(a.headers['content-type']).toBe('application/json');
      expect(a.headers['cache-control']).toBe('no-store');
      expect(JSON.parse(b.text).result).toEqual(f.chain.tip());
      expect(b.socket).toBe(a.socket);
    } finally {
      agent.destroy();
    }
  });
});

describe('call context read on demand', () => {
  const whoami = defineMethod({
    name: 'test.whoami',
    summary: 'Echoes a request header (test only).',
    params: z.object({}),
    order: [],
    result: z.unknown(),
    mutating: false,
  });
  const poke = defineMethod({
    name: 'test.poke',
    summary: 'A mutating call (test only).',
    params: z.object({}),
    order: [],
    result: z.unknown(),
    mutating: true,
  });
  const builtins = ['rpc.discover', 'chain.subscribe', 'chain.unsubscribe'].map((name) =>
    defineMethod({ name, summary: name, params: z.object({}).passthrough(), order: [], result: z.unknown(), mutating: false }),
  );
  let server: RpcServer;
  let url: string;
  beforeAll(async () => {
    const handlers = {
      'test.whoami': (_p: unknown, ctx: { headers?: Record<string, string>; transport: string; remote?: string }) => ({
        tag: ctx.headers?.['x-tag'] ?? null,
        transport: ctx.transport,
        remote: ctx.remote,
      }),
      'test.poke': () => 'poked',
    };
    const dispatcher = new Dispatcher({
      handlers: handlers as never,
      methods: [whoami, poke, ...builtins],
      events: new NodeEvents(),
      metrics: createMetrics(),
      info: { title: 'test', version: '0' },
    });
    server = await startRpcServer({ addr: '127.0.0.1:0', dispatcher, rateLimitPerSec: 0, authToken: 'sesame' });
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('a handler still reads the request headers, transport and remote address', async () => {
    const r = await rpc(url, 'test.whoami', [], 1, { 'X-Tag': 'abc' });
    expect(r.result).toEqual({ tag: 'abc', transport: 'http', remote: '127.0.0.1' });
  });

  it('a mutating call still needs the bearer token (−32004 without, wrong or absent)', async () => {
    expect((await rpc(url, 'test.poke')).error.code).toBe(ErrorCode.Unauthorized);
    expect((await rpc(url, 'test.poke', [], 1, { authorization: 'Bearer nope' })).error.code).toBe(ErrorCode.Unauthorized);
    expect((await rpc(url, 'test.poke', [], 1, { authorization: 'Bearer sesame' })).result).toBe('poked');
    // Reads never needed the token.
    expect((await rpc(url, 'test.whoami')).result.transport).toBe('http');
  });
});

