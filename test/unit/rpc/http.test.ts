// HTTP front door hard edges: Host (DNS rebinding), Content-Type, CORS/Origin, body size, auth,
// rate limit, port in use, close. Raw requests go through node:http so headers are exactly ours.
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { Dispatcher } from '../../../src/node-core/rpc/dispatcher.js';
import { PortInUseError } from '../../../src/node-core/http/index.js';
import { startRpcServer } from '../../../src/node-core/rpc/server.js';
import { NodeEvents } from '../../../src/node-core/events.js';
import { ADDR, post, rpc, startFixture, type Fixture } from './helpers.js';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One raw HTTP request with exactly the given headers (Host included). */
function raw(
  port: number,
  o: { method?: string; path?: string; headers?: Record<string, string | number>; body?: string | Buffer },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: o.method ?? 'POST',
        path: o.path ?? '/',
        headers: o.headers,
        setHost: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

const TIP = '{"jsonrpc":"2.0","method":"chain.tip","id":1}';
const JSON_CT = { 'content-type': 'application/json' };

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({
    authToken: 's3cret-token',
    allowedHosts: ['node.example.org'],
    corsOrigins: ['http://localhost:5173'],
  });
});
afterAll(() => f.close());

describe('Host header (DNS rebinding)', () => {
  it.each([
    '127.0.0.1',
    'localhost',
    'LOCALHOST:8545',
    '127.0.0.1:8545',
    '127.1.2.3',
    '[::1]:8545',
    'node.example.org',
    'Node.Example.Org:80',
  ])('accepts Host %s', async (host) => {
    const r = await raw(f.port, { headers: { host, ...JSON_CT }, body: TIP });
    expect(r.status).toBe(200);
  });

  it.each(['evil.example.com', 'localhost.evil.com', '127.0.0.1.nip.io', '10.0.0.1', '::1', 'attacker:8545'])(
    'refuses Host %s with 403',
    async (host) => {
      const r = await raw(f.port, { headers: { host, ...JSON_CT }, body: TIP });
      expect(r.status).toBe(403);
      expect(r.body).toContain('Host');
    },
  );

  it('refuses a request without Host (HTTP/1.0 style) with 403', async () => {
    const r = await raw(f.port, { headers: JSON_CT, body: TIP });
    expect(r.status).toBe(403);
  });
});

describe('method, path, Content-Type', () => {
  it.each([
    undefined,
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/jsonx',
  ])('Content-Type %s → 415', async (ct) => {
    const headers: Record<string, string> = { host: 'localhost' };
    if (ct) headers['content-type'] = ct;
    const r = await raw(f.port, { headers, body: TIP });
    expect(r.status).toBe(415);
  });

  it('accepts application/json with a charset', async () => {
    const r = await raw(f.port, {
      headers: { host: 'localhost', 'content-type': 'Application/JSON; charset=utf-8' },
      body: TIP,
    });
    expect(r.status).toBe(200);
  });

  it('GET / → 405, other paths → 404', async () => {
    expect((await raw(f.port, { method: 'GET', headers: { host: 'localhost' } })).status).toBe(405);
    expect(
      (await raw(f.port, { path: '/admin', headers: { host: 'localhost', ...JSON_CT }, body: TIP })).status,
    ).toBe(404);
  });
});

describe('CORS and Origin', () => {
  it('no CORS headers without a configured origin', async () => {
    const r = await raw(f.port, { headers: { host: 'localhost', ...JSON_CT }, body: TIP });
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('a configured origin gets CORS headers and a preflight answer', async () => {
    const origin = 'http://localhost:5173';
    const pre = await raw(f.port, {
      method: 'OPTIONS',
      headers: { host: 'localhost', origin, 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(origin);
    expect(pre.headers['access-control-allow-headers']).toContain('authorization');
    const r = await raw(f.port, { headers: { host: 'localhost', origin, ...JSON_CT }, body: TIP });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe(origin);
  });

  it('another browser origin is refused (preflight and POST) without CORS headers', async () => {
    const origin = 'https://evil.example.com';
    const pre = await raw(f.port, { method: 'OPTIONS', headers: { host: 'localhost', origin } });
    expect(pre.status).toBe(403);
    const r = await raw(f.port, { headers: { host: 'localhost', origin, ...JSON_CT }, body: TIP });
    expect(r.status).toBe(403);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('body size limit (1 MiB)', () => {
  it('a declared Content-Length above the limit → 413 with a JSON-RPC −32600', async () => {
    const body = Buffer.alloc(1_048_577, 0x20);
    const r = await raw(f.port, {
      headers: { host: 'localhost', ...JSON_CT, 'content-length': body.length },
      body,
    });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: ErrorCode.InvalidRequest, data: { detail: expect.stringContaining('1048576') } },
    });
  });

  it('a chunked body growing past the limit → 413, and the server keeps serving', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: f.port,
          method: 'POST',
          path: '/',
          headers: { host: 'localhost', ...JSON_CT },
          agent: false,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', (e: NodeJS.ErrnoException) =>
        e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e),
      );
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      for (let i = 0; i < 20; i++) req.write(chunk);
      req.end();
    });
    expect(r).toBe(413);
    expect((await rpc(f.url, 'chain.tip')).result).toBeDefined();
  });

  it('a body just under the limit is parsed normally', async () => {
    const pad = ' '.repeat(1_048_576 - TIP.length);
    const r = await post(f.url, TIP + pad);
    expect(r.status).toBe(200);
    expect(r.json.result).toBeDefined();
  });
});

describe('auth for mutating methods (token configured)', () => {
  const transfer = ['faucet', ADDR, '5'];
  it('mutating methods without a token → −32004 unauthorized', async () => {
    for (const [m, p] of [
      ['wallet.transfer', transfer],
      ['dev.mine_one', []],
      ['tx.submit', ['00']],
    ] as const) {
      const r = await rpc(f.url, m, p);
      expect(r.error).toMatchObject({ code: ErrorCode.Unauthorized, data: { reason: 'unauthorized' } });
    }
  });

  it.each([
    'Bearer wrong',
    'Bearer s3cret-token-and-more',
    'bearer s3cret-token',
    's3cret-token',
    'Basic czNjcmV0LXRva2Vu',
    'Bearer ',
  ])('rejects Authorization "%s"', async (auth) => {
    const r = await rpc(f.url, 'dev.mine_one', [], 1, { authorization: auth });
    expect(r.error.code).toBe(ErrorCode.Unauthorized);
  });

  it('accepts the right Bearer token', async () => {
    const r = await rpc(f.url, 'wallet.transfer', transfer, 1, { authorization: 'Bearer s3cret-token' });
    expect(r.result.status).toBe('pending');
  });

  it('read-only methods need no token', async () => {
    expect((await rpc(f.url, 'chain.tip')).result).toBeDefined();
  });
});

describe('slow clients and connection cap', () => {
  it('a client that never finishes its headers is answered 408 and disconnected', async () => {
    const g = await startFixture({ headersTimeoutMs: 300 });
    try {
      const sock = net.connect(g.port, '127.0.0.1');
      await once(sock, 'connect');
      sock.write('POST / HTTP/1.1\r\nHost: localhost\r\n');
      let got = '';
      sock.on('data', (d: Buffer) => (got += d.toString()));
      await once(sock, 'close');
      expect(got).toMatch(/^HTTP\/1\.1 408/);
      expect((await rpc(g.url, 'chain.tip')).result).toBeDefined();
    } finally {
      await g.close();
    }
  });

  it('a connection beyond maxConnections closes the oldest idle one (or is itself closed when it stays silent); the others keep working', async () => {
    const g = await startFixture({ maxConnections: 2 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const call = () =>
        new Promise<number>((resolve, reject) => {
          const req = http.request(
            { host: '127.0.0.1', port: g.port, method: 'POST', headers: JSON_CT, agent },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          );
          req.on('error', reject);
          req.end(TIP);
        });
      // Two keep-alive connections held open by the agent.
      expect(await Promise.all([call(), call()])).toEqual([200, 200]);
      const third = net.connect(g.port, '127.0.0.1');
      third.on('error', () => {});
      await once(third, 'close');
      expect(await Promise.all([call(), call()])).toEqual([200, 200]);
    } finally {
      agent.destroy();
      await g.close();
    }
  });
});

describe('rate limit, port in use, close', () => {
  it('an IP over its token bucket gets 429 / −32001 while others pass', async () => {
    const g = await startFixture({ rateLimitPerSec: 5 });
    try {
      const answers = [];
      for (let i = 0; i < 12; i++) answers.push(await post(g.url, TIP));
      const limited = answers.filter((a) => a.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0].json).toMatchObject({
        error: { code: ErrorCode.RateLimited, message: 'rate limited' },
      });
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(5);
    } finally {
      await g.close();
    }
  });

  it('a busy port → PortInUseError naming the port and the flag', async () => {
    const d = new Dispatcher({ handlers: {}, events: new NodeEvents(), info: { title: 't', version: '0' } });
    const err = await startRpcServer({
      addr: `127.0.0.1:${f.port}`,
      dispatcher: d,
      flagHint: '--rpc-addr / TB_RPC_ADDR',
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as Error).message).toBe(
      `port ${f.port} is already in use (127.0.0.1:${f.port}); change it with --rpc-addr / TB_RPC_ADDR`,
    );
  });

  it('a malformed address names the flag', async () => {
    const d = new Dispatcher({ handlers: {}, events: new NodeEvents(), info: { title: 't', version: '0' } });
    await expect(startRpcServer({ addr: 'localhost', dispatcher: d })).rejects.toThrow(
      /--rpc-addr \/ TB_RPC_ADDR/,
    );
  });

  it('close() drops keep-alive connections and frees the port', async () => {
    const g = await startFixture();
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: g.port, method: 'POST', headers: JSON_CT, agent },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(TIP);
    });
    await g.close();
    // The port is free again: a plain listener can take it.
    const s = net.createServer();
    await new Promise<void>((resolve, reject) =>
      s.once('error', reject).listen(g.port, '127.0.0.1', resolve),
    );
    await new Promise<void>((resolve) => s.close(() => resolve()));
    agent.destroy();
  });
});
