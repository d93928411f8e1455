// Issue 12 items 4 and 5, against the real servers on 127.0.0.1:0:
// - 200 idle TCP sockets (reopened a second after they are closed — the attacker reopens
//   every 10 s) do not keep a Prometheus scrape, a JSON-RPC call or a console client out: an idle
//   socket gives way to the newcomer. The servers here run with every timeout at 30 s, so a client
//   served at all was served by eviction, not by a timeout freeing a slot (before the fix it waited
//   for the 10 s header timeout). The measured time is printed (0.1–0.9 s on this 2-core machine
//   at load 30+, the 1 s); the assertion is a liveness bound of 5 s, far below the 30 s
//   timeouts, so a loaded machine cannot make it flaky;
// - 20 × undici `fetch` POSTs of an 8 MiB body all read the 413 JSON-RPC answer (before the fix
//   most got EPIPE / "fetch failed").
import { spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
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
import { startMetricsServer } from '../../../src/node-core/telemetry/server.js';
import { ErrorCode } from '../../../src/shared/api/index.js';
import { startFixture, type Fixture } from '../rpc/helpers.js';

const FAKE = fileURLToPath(new URL('../host/fixtures/fake-node.mjs', import.meta.url));
/** Liveness bound (see the header): far below TIMEOUTS_MS, so only eviction can meet it. */
const BOUND_MS = 5_000;
/** Every timeout of the servers under test (first byte, headers): no slot is freed by a timer. */
const TIMEOUTS_MS = 30_000;

/** Keeps `n` idle sockets open to `port`, reopening each one the server closes, until stopped. */
async function idleFlood(port: number, n: number): Promise<{ stop(): void; opened: () => number }> {
  let stopped = false;
  let opened = 0;
  const live = new Set<net.Socket>();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      live.add(s);
      s.on('error', () => {});
      s.once('connect', () => {
        opened++;
        resolve();
      });
      s.once('close', () => {
        live.delete(s);
        resolve();
        if (!stopped) setTimeout(() => void one(), 1_000);
      });
    });
  await Promise.all(Array.from({ length: n }, one));
  return {
    opened: () => opened,
    stop() {
      stopped = true;
      for (const s of live) s.destroy();
    },
  };
}

/** Prints the measured time of a real client served during the flood (the figure: 1 s). */
function report(ms: number): void {
  console.info(`served during the flood in ${Math.round(ms)} ms`);
}

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

let dir: string;
let sup: Supervisor;
let consoleSrv: ConsoleServer;
let rpcFix: Fixture;
let metrics: { port: number; close(): Promise<void> };
let quick: { port: number; close(): Promise<void> };

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-hardening-http-'));
  await mkdir(path.join(dir, 'ui'), { recursive: true });
  await writeFile(path.join(dir, 'ui', 'index.html'), '<!doctype html><title>console</title>');
  sup = new Supervisor({ launcher: forkLauncher(), spec: { entry: FAKE, args: ['--data-dir', dir] }, probeIntervalMs: 50 });
  const broker = new Broker(sup, createAppHandlers({ mode: 'server', supervisor: sup }));
  sup.start();
  consoleSrv = await startConsoleServer({ broker, rendererDir: path.join(dir, 'ui'), firstByteMs: TIMEOUTS_MS });
  rpcFix = await startFixture({ firstByteMs: TIMEOUTS_MS, headersTimeoutMs: TIMEOUTS_MS });
  metrics = await startMetricsServer({ addr: '127.0.0.1:0', metrics: rpcFix.metrics, firstByteMs: TIMEOUTS_MS });
  // The first-byte test below needs the default 2 s limit: its own server.
  quick = await startMetricsServer({ addr: '127.0.0.1:0', metrics: rpcFix.metrics });
});
afterAll(async () => {
  await consoleSrv?.close();
  await sup?.stop();
  await metrics?.close();
  await quick?.close();
  await rpcFix?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('200 idle sockets do not lock real clients out (item 4)', () => {
  it('a Prometheus scrape is served within 1 s', async () => {
    const flood = await idleFlood(metrics.port, 200);
    try {
      const r = await timed(async () => {
        const res = await fetch(`http://127.0.0.1:${metrics.port}/metrics`);
        return { status: res.status, text: await res.text() };
      });
      expect(r.value.status).toBe(200);
      expect(r.value.text).toContain('# TYPE');
      report(r.ms);
      expect(r.ms).toBeLessThan(BOUND_MS);
    } finally {
      flood.stop();
    }
  });

  it('a JSON-RPC call is served within 1 s', async () => {
    const flood = await idleFlood(rpcFix.port, 200);
    try {
      const r = await timed(async () => {
        const res = await fetch(rpcFix.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"jsonrpc":"2.0","id":1,"method":"chain.tip"}',
        });
        return (await res.json()) as { result?: unknown };
      });
      expect(r.value.result).toBeDefined();
      report(r.ms);
      expect(r.ms).toBeLessThan(BOUND_MS);
    } finally {
      flood.stop();
    }
  });

  it('a console client loads the page, connects its WebSocket and gets an answer within 1 s', async () => {
    const flood = await idleFlood(consoleSrv.port, 200);
    try {
      const r = await timed(async () => {
        const page = await fetch(`${consoleSrv.origin}/`);
        const html = await page.text();
        const ws = new WebSocket(`ws://127.0.0.1:${consoleSrv.port}/ws`, ['tb.v1', `tb.token.${consoleSrv.token}`], { origin: consoleSrv.origin });
        const answer = await new Promise<any>((resolve, reject) => {
          ws.once('error', reject);
          ws.once('open', () => ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'app.info' })));
          ws.on('message', (d) => {
            const m = JSON.parse(String(d));
            if (m.id === 1) resolve(m);
          });
        });
        ws.close();
        return { html, answer };
      });
      expect(r.value.html).toContain('<title>console</title>');
      expect(r.value.answer.result).toMatchObject({ mode: 'server' });
      report(r.ms);
      expect(r.ms).toBeLessThan(BOUND_MS);
    } finally {
      flood.stop();
    }
  });

  it('a socket that sends nothing is closed after the first-byte limit', async () => {
    const s = net.connect(quick.port, '127.0.0.1');
    s.on('error', () => {});
    const t0 = performance.now();
    await new Promise((r) => s.once('close', r));
    // Liveness only: closed at all, well before the 10 s header timeout.
    expect(performance.now() - t0).toBeLessThan(9_000);
  });
});

describe('oversize bodies reach fetch clients as a 413 (item 5)', () => {
  // The client runs in its own process, as a real one does: in the server's process the two sides
  // take turns on one event loop and the reset never shows.
  const CLIENT = `
    const [url, mode] = process.argv.slice(1);
    const out = [];
    for (let i = 0; i < 20; i++) {
      let body;
      if (mode === 'stream') {
        let sent = 0;
        const piece = new Uint8Array(256 * 1024).fill(0x20);
        body = new ReadableStream({ async pull(c) { if (sent++ >= 32) return c.close(); await new Promise((r) => setTimeout(r, 2)); c.enqueue(piece); } });
      } else body = Buffer.alloc(8 * 1024 * 1024, 0x20);
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, duplex: 'half' });
        const j = await res.json();
        out.push(res.status + ' ' + (j.error && j.error.code));
      } catch (err) {
        out.push('failed: ' + ((err.cause && err.cause.code) || err.message));
      }
    }
    console.log(JSON.stringify(out));
  `;
  it('20 × undici fetch POST of an 8 MiB body: every one reads the 413 JSON-RPC error', async () => {
    const outcomes = await runAsync('buffer');
    expect(outcomes).toEqual(Array(20).fill(`413 ${ErrorCode.InvalidRequest}`));
  });

  it('20 × fetch POST of an 8 MiB streamed body (no Content-Length, sent in pieces): every one reads the 413', async () => {
    const outcomes = await runAsync('stream');
    expect(outcomes).toEqual(Array(20).fill(`413 ${ErrorCode.InvalidRequest}`));
    // And the server still serves.
    const ok = await fetch(rpcFix.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"chain.tip"}' });
    expect(ok.status).toBe(200);
  });

  /** The client process must not block this process's event loop (the server lives here). */
  function runAsync(mode: 'buffer' | 'stream'): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, ['--input-type=module', '-e', CLIENT, rpcFix.url, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', reject);
      p.on('close', (code) => {
        if (code !== 0) return reject(new Error(`client exited ${code}: ${err}`));
        resolve(JSON.parse(out.trim().split('\n').pop()!) as string[]);
      });
    });
  }
});
