// Console server against a real child node (fixture speaking the node's IPC protocol) and real
// sockets: static files + CSP, Host/Origin/token checks, the JSON-RPC bridge with subscriptions
// (id before events, capped, freed on close), batches and notifications.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAppHandlers } from '../../../src/host/app-handlers.js';
import { Broker } from '../../../src/host/broker.js';
import { startConsoleServer, type ConsoleServer } from '../../../src/host/console-server.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor } from '../../../src/host/supervisor.js';
import { MAX_SUBSCRIPTIONS_PER_CONNECTION } from '../../../src/host/ws-session.js';

const FAKE = fileURLToPath(new URL('./fixtures/fake-node.mjs', import.meta.url));
let dir: string;
let sup: Supervisor;
let server: ConsoleServer;
const logged: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-console-srv-'));
  await mkdir(path.join(dir, 'ui', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'ui', 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(path.join(dir, 'ui', 'assets', 'a.js'), 'export {}');
  await writeFile(path.join(dir, 'secret'), 'no');
  sup = new Supervisor({ launcher: forkLauncher(), spec: { entry: FAKE, args: ['--data-dir', dir] }, probeIntervalMs: 50 });
  const broker = new Broker(sup, createAppHandlers({ mode: 'server', supervisor: sup }));
  sup.start();
  server = await startConsoleServer({ broker, rendererDir: path.join(dir, 'ui'), log: (l) => logged.push(l) });
});
afterAll(async () => {
  await server.close();
  await sup.stop();
  await rm(dir, { recursive: true, force: true });
});

function open(o: { token?: string; origin?: string } = {}): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const token = o.token ?? server.token;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`, ['tb.v1', `tb.token.${token}`], { origin: o.origin ?? server.origin });
    ws.once('unexpected-response', (_q, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('error', (e) => (/Unexpected server response/.test(e.message) ? undefined : reject(e)));
  });
}

/** Collects every message of a socket; `next(n)` resolves once n have arrived. */
function inbox(ws: WebSocket) {
  const got: any[] = [];
  let waiters: { n: number; r: () => void }[] = [];
  ws.on('message', (d) => {
    got.push(JSON.parse(String(d)));
    waiters = waiters.filter((w) => (got.length >= w.n ? (w.r(), false) : true));
  });
  return {
    got,
    next: (n: number) => new Promise<void>((r) => (got.length >= n ? r() : waiters.push({ n, r }))),
  };
}

describe('console server', () => {
  it('prints a loopback URL with a 32-byte token in the fragment', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
  });

  it('serves the UI with CSP, refuses foreign Hosts, other methods and paths outside the UI', async () => {
    const r = await fetch(`${server.origin}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'.*script-src 'self'/);
    expect(await r.text()).toContain('<title>console</title>');
    expect((await fetch(`${server.origin}/assets/a.js`)).headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${server.origin}/%2e%2e/secret`)).status).toBe(404);
    expect((await fetch(`${server.origin}/`, { method: 'DELETE' })).status).toBe(405);
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) =>
      http.get({ host: '127.0.0.1', port: server.port, path: '/', headers: { host: 'attacker.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }),
    );
    expect(status).toBe(421);
  });

  it('refuses a wrong or missing token and a foreign Origin, and never logs the token', async () => {
    expect((await open({ token: '0'.repeat(64) })).status).toBe(401);
    expect((await open({ token: '' })).status).toBe(401);
    expect((await open({ origin: 'http://localhost:1' })).status).toBe(403);
    expect(logged.some((l) => l.includes('wrong token'))).toBe(true);
    expect(logged.join('\n')).not.toContain(server.token);
  });

  it('answers calls, delivers subscription events after the subscription id, and unsubscribes', async () => {
    const { ws } = await open();
    const box = inbox(ws!);
    ws!.send(JSON.stringify({ jsonrpc: '2.0', id: 'a', method: 'chain.subscribe', params: ['log.line'] }));
    await box.next(2);
    expect(box.got[0]).toMatchObject({ id: 'a', result: expect.stringMatching(/^c\d+$/) });
    expect(box.got[1]).toMatchObject({ method: 'subscription', params: { subscription: box.got[0].result, topic: 'log.line', result: { msg: 'hello from fake node' } } });

    ws!.send(JSON.stringify([
      { jsonrpc: '2.0', id: 1, method: 'node.status' },
      { jsonrpc: '2.0', method: 'node.status' },
      { jsonrpc: '2.0', id: 2, method: 'chain.unsubscribe', params: [box.got[0].result] },
      { jsonrpc: '2.0', id: 3, method: 'chain.subscribe', params: ['no.such.topic'] },
      { id: 4, method: 'node.status' },
    ]));
    await box.next(3);
    const batch = box.got[2] as any[];
    expect(batch).toHaveLength(4);
    expect(batch.find((r) => r.id === 1).result).toMatchObject({ chain_id: 7 });
    expect(batch.find((r) => r.id === 2).result).toBe(true);
    expect(batch.find((r) => r.id === 3).error).toMatchObject({ code: -32602 });
    expect(batch.find((r) => r.id === 4).error).toMatchObject({ code: -32600 });
    ws!.close();
  });

  it('pushes the supervisor state on app.supervisor and caps subscriptions per connection', async () => {
    const { ws } = await open();
    const box = inbox(ws!);
    ws!.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'chain.subscribe', params: { topic: 'app.supervisor' } }));
    await box.next(2);
    expect(box.got[1].params.result).toMatchObject({ state: 'running', launcher: 'fork', restarts: 0 });
    const many = Array.from({ length: MAX_SUBSCRIPTIONS_PER_CONNECTION }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'chain.subscribe', params: ['newHeads'] }));
    ws!.send(JSON.stringify(many.slice(0, 50)));
    ws!.send(JSON.stringify(many.slice(50)));
    await box.next(4);
    const answers = [...box.got[2], ...box.got[3]];
    expect(answers.filter((r) => r.result)).toHaveLength(MAX_SUBSCRIPTIONS_PER_CONNECTION - 1);
    expect(answers.find((r) => r.error)?.error).toMatchObject({ data: { reason: 'too_many_subscriptions' } });
    ws!.close();
  });
});
