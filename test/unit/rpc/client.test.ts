// The typed client (src/shared/api/client.ts) against the real server and against broken endpoints.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, httpTransport, TransportError } from '../../../src/shared/api/client.js';
import { ErrorCode, RpcError } from '../../../src/shared/api/index.js';
import { ADDR, startFixture, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ authToken: 'tok' });
});
afterAll(() => f.close());

async function caught(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

describe('createClient + httpTransport', () => {
  it('calls methods with positional or named params and returns the result JSON', async () => {
    const c = createClient(httpTransport(f.url));
    expect(await c.call('chain.tip')).toEqual(f.chain.tip());
    const acc = await c.call('account.get', { address: ADDR });
    expect(acc.balance).toBe('18446744073709551615');
    expect((await c.call('account.get', [ADDR])).address).toBe(ADDR);
  });

  it('re-throws JSON-RPC errors as RpcError with code, message and data', async () => {
    const c = createClient(httpTransport(f.url));
    const e = await caught(c.call('account.get', { address: 'nope' }));
    expect(e).toBeInstanceOf(RpcError);
    expect(e.code).toBe(ErrorCode.InvalidParams);
    expect(e.data.issues[0].path).toEqual(['address']);
    const m = await caught(c.call('dev.mine_one'));
    expect(m).toMatchObject({ code: ErrorCode.Unauthorized, data: { reason: 'unauthorized' } });
  });

  it('sends the bearer token and bigint params as decimal strings', async () => {
    const c = createClient(httpTransport(f.url, { token: 'tok' }));
    expect((await c.call('dev.mine_one')).height).toBeGreaterThan(0);
    const r = await c.call('wallet.transfer', { from: 'faucet', to: ADDR, amount: 18446744073709551615n });
    expect(r.nonce).toBe('18446744073709551615');
  });

  it('an oversize request comes back as RpcError −32600 (HTTP 413 with a JSON-RPC body)', async () => {
    const c = createClient(httpTransport(f.url));
    const e = await caught(c.call('tx.status', ['a'.repeat(1_100_000)]));
    expect(e).toBeInstanceOf(RpcError);
    expect(e.code).toBe(ErrorCode.InvalidRequest);
  });

  it('a non-JSON-RPC HTTP answer is a TransportError naming the status', async () => {
    const e = await caught(createClient(httpTransport(`${f.url}/elsewhere`)).call('chain.tip'));
    expect(e).toBeInstanceOf(TransportError);
    expect(e.kind).toBe('http');
    expect(e.message).toMatch(/^HTTP 404 from /);
  });

  it('connection refused → "cannot reach node at <url>: is it running?"', async () => {
    const s = net.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as net.AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const url = `http://127.0.0.1:${port}`;
    const e = await caught(createClient(httpTransport(url)).call('chain.tip'));
    expect(e).toBeInstanceOf(TransportError);
    expect(e.kind).toBe('unreachable');
    expect(e.message).toContain(`cannot reach node at ${url}: is it running?`);
  });

  it('a node that never answers → "no answer from <url> within N ms"', async () => {
    const held: http.ServerResponse[] = [];
    const s = http.createServer((_req, res) => held.push(res));
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`;
    try {
      const e = await caught(createClient(httpTransport(url, { timeoutMs: 150 })).call('chain.tip'));
      expect(e).toBeInstanceOf(TransportError);
      expect(e.kind).toBe('timeout');
      expect(e.message).toBe(`no answer from ${url} within 150 ms`);
    } finally {
      s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  });
});
