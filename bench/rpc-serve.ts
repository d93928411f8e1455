/**
 * Server side of bench/rpc.ts (`node --import tsx bench/rpc-serve.ts`, forked with an IPC channel):
 * a real chain (classic-level in a temp dir, 3 blocks) behind the real Dispatcher and RPC server,
 * plus a bare `node:http` hello-world server. On each `{read}` message it answers what happened
 * since the last read — CPU time, event-loop delay, GC pauses, RPC handling time (request parsed →
 * answer written, node:http diagnostics channels, only while `timing` is on), blocks produced — and
 * switches block production (`produce`) and timing on or off.
 */
import dc from 'node:diagnostics_channel';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import {
  constants as perfConstants,
  createHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
} from 'node:perf_hooks';
import { addressOf } from '../src/node-core/chain/address.js';
import { Chain } from '../src/node-core/chain/chain.js';
import { chainHandlers } from '../src/node-core/chain/handlers.js';
import { genesisHash, type Genesis } from '../src/node-core/chain/genesis.js';
import { generateKeys } from '../src/node-core/crypto/ed25519.js';
import { toHex } from '../src/node-core/crypto/hash.js';
import { NodeEvents } from '../src/node-core/events.js';
import { Dispatcher } from '../src/node-core/rpc/dispatcher.js';
import { startRpcServer } from '../src/node-core/rpc/server.js';
import { createMetrics } from '../src/node-core/telemetry/metrics.js';
import { NODE_VERSION } from '../src/node-core/version.js';
import { distOf, type Dist } from './rpc-load.js';

/** What the server process saw during one fixed-rate phase. */
export interface ServerView {
  /** Request parsed → answer written (node:http diagnostics channels), RPC server only. */
  handling: Dist & { count: number };
  /** Event-loop delay (perf_hooks, 1 ms resolution): how long a ready answer could wait. */
  event_loop_delay: Dist;
  /** GC pauses of the server's main thread (all kinds; `major`: mark-compact only). */
  gc: { count: number; max_ms: number; total_ms: number; major: number; major_max_ms: number };
  /** Server CPU (user + system) over the phase, µs. */
  cpu_us: number;
  blocks_produced: number;
}

export type ServerReading = Omit<ServerView, 'blocks_produced'> & { produced: number };

/** The server process: a real chain behind the real RPC server, plus a bare hello-world server. */
export async function serve(): Promise<void> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-bench-rpc-'));
  const k = generateKeys();
  const nodeKey = { ...k, address: addressOf(k.publicKey) };
  const body = {
    network: 'bench',
    chain_id: 31338,
    block_time_ms: 1000,
    timestamp_ms: Date.now(),
    validators: [{ address: nodeKey.address, public_key: toHex(nodeKey.publicKey), stake: '1' }],
    accounts: [{ address: nodeKey.address, balance: '1000000' }],
  };
  const genesis: Genesis = { ...body, hash: genesisHash(body) };
  const events = new NodeEvents();
  const metrics = createMetrics();
  const chain = await Chain.open({ dir: path.join(root, 'chain'), genesis, nodeKey, metrics, events });
  for (let i = 0; i < 3; i++) await chain.produceBlock();
  const dispatcher = new Dispatcher({
    handlers: chainHandlers(chain, { network: 'bench' }),
    events,
    metrics,
    info: { title: 'bench', version: NODE_VERSION },
  });
  const rpc = await startRpcServer({ addr: '127.0.0.1:0', dispatcher, metrics, rateLimitPerSec: 0 });
  const bare = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('hello world');
  });
  bare.listen(0, '127.0.0.1');
  await once(bare, 'listening');

  // Server-side handling time of RPC requests, only while the parent asks for it (fixed-rate phases).
  const handling = createHistogram();
  const started = new WeakMap<object, number>();
  const onStart = (m: unknown) => {
    const { response, server } = m as { response: object; server: unknown };
    if (server !== bare) started.set(response, performance.now());
  };
  const onFinish = (m: unknown) => {
    const t0 = started.get((m as { response: object }).response);
    if (t0 !== undefined) handling.record(Math.max(1, Math.round((performance.now() - t0) * 1e6)));
  };
  const gc = { count: 0, max: 0, total: 0, major: 0, majorMax: 0 };
  const gcObs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gc.count++;
      gc.total += e.duration;
      gc.max = Math.max(gc.max, e.duration);
      if (
        (e as unknown as { detail?: { kind?: number } }).detail?.kind ===
        perfConstants.NODE_PERFORMANCE_GC_MAJOR
      ) {
        gc.major++;
        gc.majorMax = Math.max(gc.majorMax, e.duration);
      }
    }
  });
  gcObs.observe({ entryTypes: ['gc'] });
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let producer: NodeJS.Timeout | undefined;
  let produced = 0;
  let timing = false;
  let cpu0 = process.cpuUsage();
  process.send!({ rpc: rpc.port, bare: (bare.address() as { port: number }).port });
  // On request from the parent: what happened since the last read (then reset); block production
  // and server-side timing on or off.
  process.on('message', (m: { read?: number; produce?: boolean; timing?: boolean }) => {
    if (m?.read === undefined) return;
    const u = process.cpuUsage(cpu0);
    const reading: ServerReading = {
      handling: { ...distOf(handling), count: handling.count },
      event_loop_delay: distOf(eld),
      gc: {
        count: gc.count,
        max_ms: Number(gc.max.toFixed(2)),
        total_ms: Number(gc.total.toFixed(2)),
        major: gc.major,
        major_max_ms: Number(gc.majorMax.toFixed(2)),
      },
      cpu_us: u.user + u.system,
      produced,
    };
    if (m.timing !== undefined && m.timing !== timing) {
      timing = m.timing;
      const sub = timing ? dc.subscribe : dc.unsubscribe;
      sub('http.server.request.start', onStart);
      sub('http.server.response.finish', onFinish);
    }
    if (m.produce === true && !producer) {
      producer = setInterval(() => void chain.produceBlock().then(() => produced++), body.block_time_ms);
    } else if (m.produce === false && producer) {
      clearInterval(producer);
      producer = undefined;
    }
    handling.reset();
    eld.reset();
    Object.assign(gc, { count: 0, max: 0, total: 0, major: 0, majorMax: 0 });
    produced = 0;
    cpu0 = process.cpuUsage();
    process.send!({ read: m.read, reading });
  });
  process.once('disconnect', () => {
    void (async () => {
      clearInterval(producer);
      gcObs.disconnect();
      bare.closeAllConnections();
      bare.close();
      await rpc.close();
      await chain.close();
      await fs.rm(root, { recursive: true, force: true });
      process.exit(0);
    })();
  });
}

if (process.send) await serve();
