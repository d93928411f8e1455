// JSON-RPC 2.0 exactness over real HTTP (DESIGN.md "Hard edges → JSON-RPC 2.0 exactly").
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, METHODS } from '../../../src/shared/api/index.js';
import { MAX_BATCH } from '../../../src/node-core/rpc/dispatcher.js';
import { ADDR, post, rpc, startFixture, type Fixture } from './helpers.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(() => f.close());

const req = (method: string, extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', method, ...extra });

describe('single requests', () => {
  it('answers a positional call with the result', async () => {
    const r = await rpc(f.url, 'chain.tip', []);
    expect(r).toEqual({ jsonrpc: '2.0', id: 1, result: f.chain.tip() });
  });

  it('accepts named params the same as positional ones', async () => {
    f.chain.mine();
    const a = await rpc(f.url, 'chain.block', [1]);
    const b = await rpc(f.url, 'chain.block', { height: 1 });
    expect(a.result.height).toBe(1);
    expect(b.result).toEqual(a.result);
  });

  it.each([
    ['null', 'null'],
    ['0', '0'],
    ['""', '""'],
    ['"abc"', '"abc"'],
    ['-5', '-5'],
    ['1.50', '1.50'],
    ['1e3', '1e3'],
    ['123456789012345678901234567890', '123456789012345678901234567890'],
  ])('echoes id %s exactly', async (idJson, expected) => {
    const r = await post(f.url, `{"jsonrpc":"2.0","method":"chain.tip","id":${idJson}}`);
    expect(r.status).toBe(200);
    expect(r.text.startsWith(`{"jsonrpc":"2.0","id":${expected},"result":`)).toBe(true);
  });

  it('treats a missing id as a notification: no body (204), but the call runs', async () => {
    const before = f.chain.height;
    const r = await post(f.url, JSON.stringify(req('dev.mine_one')));
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(f.chain.height).toBe(before + 1);
  });

  it('rejects an id that is not a string, number or null', async () => {
    for (const id of ['{}', '[]', 'true']) {
      const r = await post(f.url, `{"jsonrpc":"2.0","method":"chain.tip","id":${id}}`);
      expect(r.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest } });
    }
  });

  it('requires jsonrpc "2.0" and a string method', async () => {
    expect((await post(f.url, '{"method":"chain.tip","id":3}')).json).toMatchObject({
      id: 3,
      error: { code: -32600 },
    });
    expect((await post(f.url, '{"jsonrpc":"1.0","method":"chain.tip","id":3}')).json).toMatchObject({
      id: 3,
      error: { code: -32600 },
    });
    expect((await post(f.url, '{"jsonrpc":"2.0","method":5,"id":4}')).json).toMatchObject({
      id: 4,
      error: { code: -32600 },
    });
    expect((await post(f.url, '"just a string"')).json).toMatchObject({ id: null, error: { code: -32600 } });
  });

  it('answers malformed JSON with −32700 and id null', async () => {
    for (const body of ['{', '{"jsonrpc":"2.0",}', 'nul', '{"a":1}{"b":2}', '[1,]', '\u0000']) {
      const r = await post(f.url, body);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: ErrorCode.ParseError, message: 'parse error' },
      });
    }
  });

  it('answers −32700 for duplicate keys with different values (ambiguous request)', async () => {
    const r = await post(f.url, '{"jsonrpc":"2.0","method":"chain.tip","method":"dev.mine_one","id":1}');
    expect(r.json.error.code).toBe(ErrorCode.ParseError);
  });

  it('survives absurdly deep nesting with a parse or params error', async () => {
    const r = await post(
      f.url,
      `{"jsonrpc":"2.0","method":"chain.tip","id":1,"params":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    expect([ErrorCode.ParseError, ErrorCode.InvalidParams]).toContain(r.json.error.code);
    expect((await rpc(f.url, 'chain.tip')).result).toBeDefined();
  });
});

describe('method lookup', () => {
  it.each(['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'no.such', '', 'CHAIN.TIP'])(
    '%s → −32601',
    async (m) => {
      const r = await rpc(f.url, m, [], 7);
      expect(r).toMatchObject({
        jsonrpc: '2.0',
        id: 7,
        error: { code: ErrorCode.MethodNotFound, message: 'method not found', data: { hint: expect.stringContaining('rpc.discover') } },
      });
      expect(r.error.data.namespace_methods).toBeUndefined();
    },
  );

  it('a near miss lists the served methods of its namespace (chain.get_block → chain.*)', async () => {
    const r = await rpc(f.url, 'chain.get_block', [1]);
    expect(r.error.code).toBe(ErrorCode.MethodNotFound);
    expect(r.error.data.namespace_methods).toContain('chain.tip');
    expect(r.error.data.namespace_methods.every((n: string) => n.startsWith('chain.'))).toBe(true);
  });

  it('declared methods without a handler → −32601', async () => {
    const r = await rpc(f.url, 'node.status', []);
    expect(r.error.code).toBe(ErrorCode.MethodNotFound);
  });

  it('rpc.discover lists every declared method exactly once', async () => {
    const r = await rpc(f.url, 'rpc.discover');
    expect(r.result.openrpc).toBe('1.2.6');
    expect(r.result.methods.map((m: { name: string }) => m.name)).toEqual(METHODS.map((m) => m.name));
  });
});

describe('params', () => {
  it('wrong types → −32602 with field-level issues', async () => {
    const r = await rpc(f.url, 'account.get', { address: 42 });
    expect(r.error.code).toBe(ErrorCode.InvalidParams);
    expect(r.error.data.issues[0].path).toEqual(['address']);
    const p = await rpc(f.url, 'wallet.transfer', ['faucet', 'not-an-address', 'x']);
    expect(p.error.code).toBe(ErrorCode.InvalidParams);
    const paths = p.error.data.issues.map((i: { path: unknown[] }) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['to', 'amount']));
  });

  it('params that are neither array nor object → −32602', async () => {
    for (const params of ['"x"', '5', 'true']) {
      const r = await post(f.url, `{"jsonrpc":"2.0","method":"chain.tip","params":${params},"id":1}`);
      expect(r.json.error).toMatchObject({ code: ErrorCode.InvalidParams, data: { issues: [{ path: [] }] } });
    }
  });

  it('too many positional params and unknown named keys → −32602', async () => {
    expect((await rpc(f.url, 'chain.tip', [1])).error.code).toBe(ErrorCode.InvalidParams);
    expect((await rpc(f.url, 'account.get', { address: ADDR, extra: 1 })).error.code).toBe(
      ErrorCode.InvalidParams,
    );
    expect((await rpc(f.url, 'account.get', { address: ADDR, __proto__x: 1 })).error.code).toBe(
      ErrorCode.InvalidParams,
    );
  });

  it('a literal "__proto__" params key is just an unknown key', async () => {
    const r = await post(
      f.url,
      `{"jsonrpc":"2.0","method":"account.get","params":{"address":"${ADDR}","__proto__":{"x":1}},"id":1}`,
    );
    expect(r.json.error.code).toBe(ErrorCode.InvalidParams);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('errors from handlers', () => {
  it('RpcError passes through with its code and data', async () => {
    const r = await rpc(f.url, 'tx.status', ['ab'.repeat(32)]);
    expect(r.error).toEqual({
      code: ErrorCode.NotFound,
      message: `unknown tx ${'ab'.repeat(32)}`,
      data: { reason: 'not_found' },
    });
  });

  it('an internal exception → −32603 "internal error" without its text', async () => {
    const r = await post(f.url, JSON.stringify(req('tx.submit', { params: ['00'], id: 1 })));
    expect(r.json).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: ErrorCode.Internal, message: 'internal error' },
    });
    expect(r.text).not.toContain('secret');
    expect(r.text).not.toContain('ENOENT');
  });

  it('the internal exception is logged for the operator (not sent to the caller)', async () => {
    const lines: any[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()));
        cb();
      },
    });
    const g = await startFixture({ logger: pino(sink) });
    try {
      await rpc(g.url, 'tx.submit', ['00']);
      const line = lines.find((l) => l.msg === 'rpc handler failed');
      expect(line).toMatchObject({
        level: 50,
        method: 'tx.submit',
        err: { message: expect.stringContaining('ENOENT') },
      });
    } finally {
      await g.close();
    }
  });

  it('results with bigint are serialised as decimal strings', async () => {
    const r = await rpc(f.url, 'wallet.transfer', ['faucet', ADDR, '18446744073709551615']);
    expect(r.result.nonce).toBe('18446744073709551615');
  });
});

describe('batches', () => {
  it('[] → one −32600 with id null (not an array)', async () => {
    const r = await post(f.url, '[]');
    expect(r.json).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.InvalidRequest } });
  });

  it('answers members in order; invalid members get their own error; notifications get no entry', async () => {
    const body = [
      req('chain.tip', { id: 'a' }),
      1,
      req('dev.mine_one'),
      req('nope', { id: 0 }),
      { jsonrpc: '2.0', id: 'x' },
      req('chain.tip', { id: null }),
    ];
    const r = await post(f.url, JSON.stringify(body));
    expect(r.status).toBe(200);
    expect(r.json).toHaveLength(5);
    expect(r.json[0]).toMatchObject({ id: 'a', result: { height: expect.any(Number) } });
    expect(r.json[1]).toMatchObject({ id: null, error: { code: ErrorCode.InvalidRequest } });
    expect(r.json[2]).toMatchObject({ id: 0, error: { code: ErrorCode.MethodNotFound } });
    expect(r.json[3]).toMatchObject({ id: 'x', error: { code: ErrorCode.InvalidRequest } });
    expect(r.json[4]).toMatchObject({ id: null, result: expect.any(Object) });
  });

  it('an all-notification batch gets no body', async () => {
    const before = f.chain.height;
    const r = await post(f.url, JSON.stringify([req('dev.mine_one'), req('dev.mine_one'), req('chain.tip')]));
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
    expect(f.chain.height).toBe(before + 2);
  });

  it(`batches above ${MAX_BATCH} members → one −32600`, async () => {
    const big = Array.from({ length: MAX_BATCH + 1 }, (_, i) => req('chain.tip', { id: i }));
    const r = await post(f.url, JSON.stringify(big));
    expect(r.json).toMatchObject({ id: null, error: { code: ErrorCode.InvalidRequest } });
    const ok = await post(f.url, JSON.stringify(big.slice(0, MAX_BATCH)));
    expect(ok.json).toHaveLength(MAX_BATCH);
  });
});

describe('metrics', () => {
  it('counts requests by declared method and code; undeclared names are "unknown"', async () => {
    await rpc(f.url, 'chain.tip');
    await rpc(f.url, 'made.up.method');
    const text = await f.metrics.registry.metrics();
    expect(text).toMatch(/rpc_requests_total\{method="chain.tip",code="0"\} \d+/);
    expect(text).toMatch(/rpc_requests_total\{method="unknown",code="-32601"\} \d+/);
    expect(text).not.toContain('made.up.method');
    expect(text).toMatch(/rpc_latency_seconds_count\{method="chain.tip"\} \d+/);
  });
});
