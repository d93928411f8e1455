// WebSocket front door: same port as HTTP, subscriptions (delivery, unsubscribe, cap, cleanup on
// disconnect, gauge), replay ordering, Origin/Host checks, 1009 on an oversize frame for that socket only.
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { MAX_SUBSCRIPTIONS_PER_SESSION } from '../../../src/node-core/rpc/session.js';
import { ADDR, header, rpc, startFixture, type Fixture } from './helpers.js';

/** A WebSocket client that queues every message so tests can await the next one. */
class Peer {
  private readonly queue: any[] = [];
  private waiters: ((m: any) => void)[] = [];
  private nextId = 1;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
  }
  static async open(url: string, headers: Record<string, string> = {}): Promise<Peer> {
    const ws = new WebSocket(url, { headers });
    await once(ws, 'open');
    return new Peer(ws);
  }
  next(): Promise<any> {
    const m = this.queue.shift();
    return m !== undefined ? Promise.resolve(m) : new Promise((resolve) => this.waiters.push(resolve));
  }
  async call(method: string, params?: unknown): Promise<any> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    const m = await this.next();
    expect(m.id).toBe(id);
    return m;
  }
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, 'close');
    this.ws.close();
    await closed;
  }
}

async function gauge(f: Fixture): Promise<number> {
  return (await f.metrics.rpcSubscriptions.get()).values[0]?.value ?? 0;
}

/** Resolves once `cond()` holds, re-checking after each server-side event (no fixed sleeps). */
async function until(cond: () => Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setImmediate(r));
}

let f: Fixture;
let wsUrl: string;
beforeEach(async () => {
  f = await startFixture({
    replay: {
      'log.line': () => [
        { level: 30, time: 1, msg: 'old line 1' },
        { level: 30, time: 2, msg: 'old line 2' },
      ],
    },
  });
  wsUrl = `ws://127.0.0.1:${f.port}`;
});
afterEach(() => f.close());

describe('JSON-RPC over WebSocket', () => {
  it('answers calls on the same port as HTTP, including batches', async () => {
    const p = await Peer.open(wsUrl);
    expect((await p.call('chain.tip')).result).toEqual(f.chain.tip());
    p.ws.send(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'chain.tip' },
        { jsonrpc: '2.0', id: 'b', method: 'nope' },
      ]),
    );
    const batch = await p.next();
    expect(batch.map((m: { id: string }) => m.id)).toEqual(['a', 'b']);
    p.ws.send('{not json');
    expect((await p.next()).error.code).toBe(ErrorCode.ParseError);
    await p.close();
  });

  it('also answers on /ws and refuses other paths', async () => {
    const p = await Peer.open(`${wsUrl}/ws`);
    expect((await p.call('chain.tip')).result.height).toBe(0);
    await p.close();
    const bad = new WebSocket(`${wsUrl}/other`);
    const [err] = await once(bad, 'error');
    expect(String(err)).toContain('404');
  });
});

describe('subscriptions', () => {
  it('delivers newHeads as notifications, stops after unsubscribe, frees the gauge', async () => {
    const p = await Peer.open(wsUrl);
    const sub = await p.call('chain.subscribe', ['newHeads']);
    expect(sub.result).toMatch(/^[0-9a-f]{16}$/);
    expect(await gauge(f)).toBe(1);
    f.chain.mine();
    f.chain.mine();
    for (const h of [1, 2]) {
      expect(await p.next()).toEqual({
        jsonrpc: '2.0',
        method: 'subscription',
        params: { subscription: sub.result, topic: 'newHeads', result: header(h) },
      });
    }
    expect((await p.call('chain.unsubscribe', [sub.result])).result).toBe(true);
    expect((await p.call('chain.unsubscribe', { subscription: sub.result })).result).toBe(false);
    expect(await gauge(f)).toBe(0);
    f.chain.mine();
    // The next message must be the answer to this call, not a newHeads notification.
    expect((await p.call('chain.tip')).result.height).toBe(3);
    await p.close();
  });

  it('replays the emitter backlog after the subscribe response, before live events', async () => {
    const p = await Peer.open(wsUrl);
    const sub = await p.call('chain.subscribe', { topic: 'log.line' });
    f.events.emit('log.line', { level: 30, time: 3, msg: 'live line' });
    const msgs = [await p.next(), await p.next(), await p.next()];
    expect(msgs.map((m) => m.params.result.msg)).toEqual(['old line 1', 'old line 2', 'live line']);
    expect(msgs.every((m) => m.params.subscription === sub.result)).toBe(true);
    await p.close();
  });

  it('cannot cancel another connection’s subscription', async () => {
    const a = await Peer.open(wsUrl);
    const b = await Peer.open(wsUrl);
    const sub = await a.call('chain.subscribe', ['newHeads']);
    expect((await b.call('chain.unsubscribe', [sub.result])).result).toBe(false);
    f.chain.mine();
    expect((await a.next()).params.subscription).toBe(sub.result);
    await a.close();
    await b.close();
  });

  it(`caps subscriptions per connection at ${MAX_SUBSCRIPTIONS_PER_SESSION}`, async () => {
    const p = await Peer.open(wsUrl);
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_SESSION; i++)
      expect((await p.call('chain.subscribe', ['node.phase'])).result).toBeTypeOf('string');
    const over = await p.call('chain.subscribe', ['node.phase']);
    expect(over.error).toMatchObject({
      code: ErrorCode.Application,
      data: { reason: 'too_many_subscriptions' },
    });
    expect(await gauge(f)).toBe(MAX_SUBSCRIPTIONS_PER_SESSION);
    await p.close();
    await until(async () => (await gauge(f)) === 0);
  });

  it('frees every subscription of a socket when it disconnects', async () => {
    const p = await Peer.open(wsUrl);
    await p.call('chain.subscribe', ['newHeads']);
    await p.call('chain.subscribe', ['node.phase']);
    expect(await gauge(f)).toBe(2);
    p.ws.terminate();
    await until(async () => (await gauge(f)) === 0);
    // Emitting after the disconnect must not throw or reach anyone.
    f.chain.mine();
    f.events.emit('node.phase', { phase: 'ready' });
  });

  it('rejects unknown topics with −32602 and subscribe over plain HTTP with a clear error', async () => {
    const p = await Peer.open(wsUrl);
    expect((await p.call('chain.subscribe', ['bogus'])).error.code).toBe(ErrorCode.InvalidParams);
    await p.close();
    const r = await rpc(f.url, 'chain.subscribe', ['newHeads']);
    expect(r.error).toMatchObject({ code: ErrorCode.Application, data: { reason: 'needs_session' } });
  });
});

describe('WebSocket guards', () => {
  it('a frame over the size limit closes that socket with 1009; another socket stays up', async () => {
    const victim = await Peer.open(wsUrl);
    const other = await Peer.open(wsUrl);
    const sub = await other.call('chain.subscribe', ['newHeads']);
    const closed = once(victim.ws, 'close');
    victim.ws.send(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chain.tip', params: ['x'.repeat(1_048_577)] }),
    );
    const [code] = await closed;
    expect(code).toBe(1009);
    expect((await other.call('chain.tip')).result).toBeDefined();
    f.chain.mine();
    expect((await other.next()).params.subscription).toBe(sub.result);
    await other.close();
  });

  it('refuses a browser Origin that is not configured, and a foreign Host', async () => {
    for (const headers of [{ origin: 'https://evil.example.com' }, { host: 'evil.example.com' }]) {
      const ws = new WebSocket(wsUrl, { headers });
      const [err] = await once(ws, 'error');
      expect(String(err)).toContain('403');
    }
  });

  it('mutating calls over WebSocket need the token given at connect time', async () => {
    await f.close();
    f = await startFixture({ authToken: 'tok' });
    wsUrl = `ws://127.0.0.1:${f.port}`;
    const anon = await Peer.open(wsUrl);
    expect((await anon.call('dev.mine_one')).error.code).toBe(ErrorCode.Unauthorized);
    const authed = await Peer.open(wsUrl, { authorization: 'Bearer tok' });
    expect((await authed.call('dev.mine_one')).result.height).toBe(1);
    expect((await authed.call('account.get', [ADDR])).result.address).toBe(ADDR);
    await anon.close();
    await authed.close();
  });

  it('close() closes open sockets with 1001', async () => {
    const p = await Peer.open(wsUrl);
    const closed = once(p.ws, 'close');
    await f.close();
    const [code] = await closed;
    expect(code).toBe(1001);
    f = await startFixture();
  });
});
