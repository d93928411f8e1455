/**
 * RPC benchmark (issue 2 "Benchmarks", targets of issue 17): `chain.tip` over HTTP on loopback,
 * served by the real RPC server + Dispatcher + real Chain (classic-level in a temp dir), beside a
 * bare `node:http` hello-world server in the same run. Targets: RPC ≥ 0.7 × bare req/s; p99 < 10 ms
 * at 1,000 req/s with two CPU-burning processes running. Writes bench/results/rpc.json (with
 * `figures` for `npm run bench`'s summary).
 *
 * Method (the machine may be shared, so every figure stands beside its reference from the same run):
 * - The servers run in a child process (this file with `--serve`); the load generator runs in this
 *   process, so neither shares the other's event loop.
 * - Throughput: autocannon at full load (10 connections), `rounds` rounds of bare and RPC back to
 *   back, the order alternating each round (bare-RPC, RPC-bare, …). The ratio is the median of the
 *   per-round ratios (one quiet or busy moment moves one pair, not the figure); best-of and the
 *   server's CPU time per request (user + system, `process.cpuUsage`, which other processes' load
 *   moves far less than rates) are reported beside it.
 * - Latency at a fixed rate: an open-loop generator (node:http, keep-alive, at most `connections`
 *   sockets) sends one request every 1/rate s on a schedule. autocannon's `overallRate` is not a
 *   fixed rate (each connection sends its per-second quota back to back, then waits for the next
 *   second) and its coordinated-omission correction assumes 1 ms between requests, so it is not used
 *   here. Client latency is measured from the actual send (the figure) and from the scheduled send
 *   (adds the generator's own lateness). The server reports its own handling time (request parsed →
 *   answer written, node:http diagnostics channels), its event-loop delay (1 ms resolution) and its
 *   GC pauses, so a missed p99 says whether the time was lost in our process or outside it.
 *   Phases: idle (the reference), with `burners` CPU burners, and with burners while the chain
 *   produces a block a second (a validator serving RPC). The 1-minute load average is recorded
 *   around each phase.
 * The per-IP rate limit is disabled for the run (one loopback client would otherwise get 100 req/s).
 * Run: `node --import tsx bench/rpc.ts [--duration 3] [--connections 10] [--rounds 6] [--out file]`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import dc from 'node:diagnostics_channel';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  constants as perfConstants,
  createHistogram,
  monitorEventLoopDelay,
  PerformanceObserver,
  type RecordableHistogram,
} from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import { addressOf } from '../src/node-core/chain/address.js';
import { Chain } from '../src/node-core/chain/chain.js';
import { chainHandlers } from '../src/node-core/chain/handlers.js';
import { genesisHash, type Genesis } from '../src/node-core/chain/genesis.js';
import { generateKeys } from '../src/node-core/crypto/ed25519.js';
import { toHex } from '../src/node-core/crypto/hash.js';
import { NodeEvents } from '../src/node-core/events.js';
import { Dispatcher } from '../src/node-core/rpc/dispatcher.js';
import { startRpcServer } from '../src/node-core/rpc/server.js';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';
import { createMetrics } from '../src/node-core/telemetry/metrics.js';
import { NODE_VERSION } from '../src/node-core/version.js';
import type { Figure } from './run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TIP_BODY = '{"jsonrpc":"2.0","method":"chain.tip","params":[],"id":1}';

/** One full-load autocannon run, with the server's CPU time over it. */
export interface Load {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non_2xx: number;
  /** Server process CPU (user + system) per answered request, µs. */
  server_cpu_us_per_req: number;
}

/** Percentiles of one distribution, ms. */
export interface Dist {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

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

/** One fixed-rate phase: client view, server view, machine load. */
export interface FixedRate {
  offered_req_per_s: number;
  achieved_req_per_s: number;
  requests: number;
  errors: number;
  burners: number;
  producing: boolean;
  /** Client latency from the actual send to the end of the answer (the figure). */
  client: Dist;
  /** Client latency from the scheduled send (adds the generator's own lateness). */
  client_from_schedule: Dist;
  server: ServerView;
  loadavg_1m: [number, number];
}

export interface RpcBenchResult {
  name: 'rpc';
  method: 'chain.tip';
  /** Median over rounds of rpc/bare req/s within each round (the figure). */
  ratio: number;
  target_ratio: 0.7;
  meets_ratio: boolean;
  /** Best round of each and their ratio (luck-prone: shown for continuity with earlier runs). */
  best: { bare: Load; rpc: Load; ratio: number };
  /** bare ÷ rpc server CPU per request over all rounds (the req/s ratio of a CPU-bound server). */
  cpu_ratio: number;
  server_cpu_us_per_req: { bare: number; rpc: number };
  rounds: { order: 'bare-rpc' | 'rpc-bare'; bare: Load; rpc: Load; ratio: number; cpu_ratio: number }[];
  fixed_idle: FixedRate;
  fixed_burners: FixedRate;
  fixed_burners_producing: FixedRate;
  target_p99_ms: 10;
  meets_p99: boolean;
  loadavg_1m_full_load: [number, number];
  load_generator: string;
  connections: number;
  duration_s: number;
  /** The issue-17 target figures beside their references (read by `npm run bench`'s summary). */
  figures: Figure[];
  chain: string;
  node: string;
  version: string;
  cpus: number;
  date: string;
}

type ServerReading = Omit<ServerView, 'blocks_produced'> & { produced: number };
const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
const distOf = (h: { percentile(p: number): number; max: number; count?: number }): Dist => ({
  p50_ms: ms(h.percentile(50)),
  p99_ms: ms(h.percentile(99)),
  max_ms: ms(h.max),
});

/** Child side: a real chain behind the real RPC server, plus a bare hello-world server. */
async function serve(): Promise<void> {
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
      if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
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

/** Starts `n` processes that each spin one core until killed (the "two CPU burners" of issue 17). */
function startBurners(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

async function stopBurners(burners: ChildProcess[]): Promise<void> {
  await Promise.all(
    burners.map((b) => (b.exitCode === null && b.signalCode === null ? (b.kill('SIGKILL'), once(b, 'exit')) : undefined)),
  );
}

/** Median of a non-empty list, rounded to 3 decimals. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Number(m.toFixed(3));
}

const load1 = () => Number(os.loadavg()[0].toFixed(2));

/** Full-load autocannon run (closed loop, `connections` in flight). */
function fullLoad(url: string, duration: number, connections: number): Promise<Omit<Load, 'server_cpu_us_per_req'>> {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, method: 'POST', headers: { 'content-type': 'application/json' }, body: TIP_BODY, duration, connections },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          req_per_s: Math.round(r.requests.average),
          p50_ms: r.latency.p50,
          p99_ms: r.latency.p99,
          requests: r.requests.total,
          errors: r.errors + r.timeouts,
          non_2xx: r.non2xx,
        });
      },
    );
  });
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate s (a 1 ms timer sends whatever
 * is due) on `connections` keep-alive sockets; a due request waits for a free socket. Raw sockets
 * with one prebuilt request and Content-Length framing of the answers (our servers always send it):
 * a node:http client costs several times more CPU per request, which on a loaded machine turns
 * into client-side queueing that is not the server's. The first `warmup` s are sent, not recorded.
 * @returns client latencies (ns histograms) from the actual send and from the schedule, counts.
 */
async function openLoop(
  port: number,
  o: { rate: number; seconds: number; warmup: number; connections: number },
): Promise<{ fromSend: RecordableHistogram; fromSchedule: RecordableHistogram; requests: number; errors: number; wall_s: number }> {
  const request = Buffer.from(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(TIP_BODY)}\r\n\r\n${TIP_BODY}`,
  );
  const fromSend = createHistogram();
  const fromSchedule = createHistogram();
  const total = Math.round(o.rate * (o.warmup + o.seconds));
  const skip = Math.round(o.rate * o.warmup);
  let errors = 0;
  let done = 0;
  let measuredFrom = 0;
  const waiting: number[] = [];
  type Conn = { socket: net.Socket; busy: number; t0: number; buf: Buffer };
  const free: Conn[] = [];
  const start = performance.now();
  let resolveAll!: () => void;
  const finished = new Promise<void>((r) => (resolveAll = r));
  const send = (c: Conn, i: number) => {
    c.busy = i;
    c.t0 = performance.now();
    if (i === skip) measuredFrom = c.t0;
    c.socket.write(request);
  };
  const answered = (c: Conn, ok: boolean) => {
    const t1 = performance.now();
    const i = c.busy;
    if (!ok) errors++;
    else if (i >= skip) {
      fromSend.record(Math.max(1, Math.round((t1 - c.t0) * 1e6)));
      fromSchedule.record(Math.max(1, Math.round((t1 - (start + (i * 1000) / o.rate)) * 1e6)));
    }
    c.busy = -1;
    if (++done === total) return resolveAll();
    if (c.socket.destroyed) return;
    const next = waiting.shift();
    if (next !== undefined) send(c, next);
    else free.push(c);
  };
  const conns = await Promise.all(
    Array.from({ length: o.connections }, async () => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      await once(socket, 'connect');
      const c: Conn = { socket, busy: -1, t0: 0, buf: Buffer.alloc(0) };
      socket.on('data', (d: Buffer) => {
        c.buf = c.buf.length ? Buffer.concat([c.buf, d]) : d;
        for (;;) {
          const end = c.buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = c.buf.subarray(0, end).toString('latin1');
          const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
          if (!Number.isFinite(len)) throw new Error(`answer without Content-Length: ${head}`);
          if (c.buf.length < end + 4 + len) return;
          c.buf = c.buf.subarray(end + 4 + len);
          answered(c, head.startsWith('HTTP/1.1 200 '));
        }
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        if (c.busy >= 0) answered(c, false);
      });
      free.push(c);
      return c;
    }),
  );
  let sent = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const c = free.pop();
      if (c) send(c, sent);
      else waiting.push(sent);
    }
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
  // Answers still missing 30 s after the last send count as errors (the run then fails).
  const timeout = setTimeout(() => {
    errors += total - done;
    resolveAll();
  }, (o.warmup + o.seconds + 30) * 1000);
  await finished;
  clearTimeout(timeout);
  const wall_s = (performance.now() - measuredFrom) / 1000;
  for (const c of conns) c.socket.destroy();
  return { fromSend, fromSchedule, requests: total - skip, errors, wall_s };
}

/**
 * Runs the benchmark and writes `o.out` (default bench/results/rpc.json).
 * @param o.duration seconds per full-load round (default 3; fixed-rate phases last 2 × duration);
 *   o.connections (default 10); o.rounds (default 6); o.rate fixed offered rate (default 1,000 req/s);
 *   o.burners CPU burners in the loaded phases (default 2).
 * @throws Error when the RPC answer is wrong or a run has errors (a benchmark of failures is no benchmark).
 */
export async function runRpcBench(
  o: { duration?: number; connections?: number; rounds?: number; rate?: number; burners?: number; out?: string; log?: (s: string) => void } = {},
): Promise<RpcBenchResult> {
  const duration = o.duration ?? 3;
  const connections = o.connections ?? 10;
  const rounds = o.rounds ?? 6;
  const rate = o.rate ?? 1000;
  const burnerCount = o.burners ?? 2;
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const [ports] = (await Promise.race([
      once(child, 'message'),
      once(child, 'exit').then(([code]) => Promise.reject(new Error(`bench server exited with code ${code}`))),
    ])) as [{ rpc: number; bare: number }];
    const rpcUrl = `http://127.0.0.1:${ports.rpc}/`;
    const bareUrl = `http://127.0.0.1:${ports.bare}/`;
    const check = (await (
      await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: TIP_BODY })
    ).json()) as { result?: { height?: number } };
    if (check.result?.height !== 3) throw new Error(`chain.tip answered ${JSON.stringify(check)}`);

    let asked = 0;
    /** What the server saw since the last read; `produce` / `timing` switch block production / handling timing. */
    const serverRead = (set: { produce?: boolean; timing?: boolean } = {}) =>
      new Promise<ServerReading>((resolve) => {
        const id = ++asked;
        const on = (m: { read?: number; reading: ServerReading }) => {
          if (m?.read !== id) return;
          child.off('message', on);
          resolve(m.reading);
        };
        child.on('message', on);
        child.send({ read: id, ...set });
      });
    const measured = async (url: string) => {
      await serverRead();
      const l = await fullLoad(url, duration, connections);
      const { cpu_us } = await serverRead();
      return { ...l, server_cpu_us_per_req: Number((cpu_us / Math.max(1, l.requests)).toFixed(1)) };
    };

    log('warming up…');
    await fullLoad(bareUrl, 1, connections);
    await fullLoad(rpcUrl, 2, connections);
    const la0 = load1();
    const done: RpcBenchResult['rounds'] = [];
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? 'bare-rpc' : 'rpc-bare';
      log(`round ${r + 1}/${rounds} (${order}, ${duration} s each, ${connections} connections)…`);
      const first = await measured(order === 'bare-rpc' ? bareUrl : rpcUrl);
      const second = await measured(order === 'bare-rpc' ? rpcUrl : bareUrl);
      const [bare, rpc] = order === 'bare-rpc' ? [first, second] : [second, first];
      done.push({
        order,
        bare,
        rpc,
        ratio: Number((rpc.req_per_s / bare.req_per_s).toFixed(3)),
        cpu_ratio: Number((bare.server_cpu_us_per_req / rpc.server_cpu_us_per_req).toFixed(3)),
      });
    }
    const la1 = load1();

    const fixed = async (burners: number, producing: boolean): Promise<FixedRate> => {
      log(`chain.tip at a fixed ${rate} req/s for ${duration * 2} s, ${burners} burners${producing ? ', producing a block a second' : ''}…`);
      const b = startBurners(burners);
      const l0 = load1();
      let run: Awaited<ReturnType<typeof openLoop>>;
      let server: ServerReading;
      try {
        await serverRead({ timing: true, produce: producing });
        run = await openLoop(ports.rpc, { rate, seconds: duration * 2, warmup: 1, connections });
        server = await serverRead({ timing: false, produce: false });
      } finally {
        await stopBurners(b);
      }
      const { produced, ...view } = server;
      return {
        offered_req_per_s: rate,
        achieved_req_per_s: Math.round(run.requests / run.wall_s),
        requests: run.requests,
        errors: run.errors,
        burners,
        producing,
        client: distOf(run.fromSend),
        client_from_schedule: distOf(run.fromSchedule),
        server: { ...view, blocks_produced: produced },
        loadavg_1m: [l0, load1()],
      };
    };
    const idle = await fixed(0, false);
    const burning = await fixed(burnerCount, false);
    const producing = await fixed(burnerCount, true);

    for (const r of done)
      for (const l of [r.bare, r.rpc])
        if (l.errors > 0 || l.non_2xx > 0) throw new Error(`load run had ${l.errors} errors and ${l.non_2xx} non-2xx answers`);
    for (const f of [idle, burning, producing])
      if (f.errors > 0) throw new Error(`fixed-rate run had ${f.errors} errors or non-200 answers`);

    const best = (ls: Load[]) => ls.reduce((a, b) => (b.req_per_s > a.req_per_s ? b : a));
    const bareBest = best(done.map((r) => r.bare));
    const rpcBest = best(done.map((r) => r.rpc));
    const sumCpu = (k: 'bare' | 'rpc') =>
      done.reduce((a, r) => a + r[k].server_cpu_us_per_req * r[k].requests, 0) / done.reduce((a, r) => a + r[k].requests, 0);
    const cpu = { bare: Number(sumCpu('bare').toFixed(1)), rpc: Number(sumCpu('rpc').toFixed(1)) };
    const ratio = median(done.map((r) => r.ratio));
    const cpuRatio = Number((cpu.bare / cpu.rpc).toFixed(3));
    const medBare = median(done.map((r) => r.bare.req_per_s));
    const medRpc = median(done.map((r) => r.rpc.req_per_s));
    const p99 = burning.client.p99_ms;
    const result: RpcBenchResult = {
      name: 'rpc',
      method: 'chain.tip',
      ratio,
      target_ratio: 0.7,
      meets_ratio: ratio >= 0.7,
      best: { bare: bareBest, rpc: rpcBest, ratio: Number((rpcBest.req_per_s / bareBest.req_per_s).toFixed(3)) },
      cpu_ratio: cpuRatio,
      server_cpu_us_per_req: cpu,
      rounds: done,
      fixed_idle: idle,
      fixed_burners: burning,
      fixed_burners_producing: producing,
      target_p99_ms: 10,
      meets_p99: p99 < 10,
      loadavg_1m_full_load: [la0, la1],
      load_generator:
        'full load: autocannon 9 in the bench process; fixed rate: open-loop node:http client in the bench process (servers in a child process)',
      connections,
      duration_s: duration,
      figures: [
        {
          figure: 'RPC chain.tip req/s (median of paired rounds)',
          value: medRpc,
          unit: 'req/s',
          reference: 'bare node:http hello world, same rounds',
          reference_value: medBare,
          ratio,
          target: '≥ 0.7 × reference',
          meets: ratio >= 0.7,
        },
        {
          figure: 'RPC chain.tip server CPU per request',
          value: cpu.rpc,
          unit: 'µs',
          reference: 'bare node:http hello world, same rounds',
          reference_value: cpu.bare,
          ratio: cpuRatio,
          target: '≥ 0.7 (reference ÷ value)',
          meets: cpuRatio >= 0.7,
        },
        {
          figure: `RPC p99 at ${rate} req/s, ${burnerCount} burners`,
          value: p99,
          unit: 'ms',
          reference: 'same, idle',
          reference_value: idle.client.p99_ms,
          ratio: Number((p99 / Math.max(0.01, idle.client.p99_ms)).toFixed(2)),
          target: '< 10 ms',
          meets: p99 < 10,
        },
        {
          figure: `RPC p99 at ${rate} req/s, ${burnerCount} burners, producing`,
          value: producing.client.p99_ms,
          unit: 'ms',
          reference: 'same, idle, not producing',
          reference_value: idle.client.p99_ms,
          ratio: Number((producing.client.p99_ms / Math.max(0.01, idle.client.p99_ms)).toFixed(2)),
          target: '< 10 ms',
          meets: producing.client.p99_ms < 10,
        },
      ],
      chain: 'real Chain (classic-level in a temp dir, 3 blocks; a block a second in the producing phase) behind the real Dispatcher and RPC server',
      node: process.version,
      version: NODE_VERSION,
      cpus: os.availableParallelism(),
      date: new Date().toISOString(),
    };
    const out = o.out ?? path.join(HERE, 'results', 'rpc.json');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await writeFileAtomic(out, JSON.stringify(result, null, 2) + '\n');
    const phase = (f: FixedRate) =>
      `client p99 ${f.client.p99_ms} ms (from schedule ${f.client_from_schedule.p99_ms}), server handling p99/max ` +
      `${f.server.handling.p99_ms}/${f.server.handling.max_ms} ms, loop delay p99/max ${f.server.event_loop_delay.p99_ms}/` +
      `${f.server.event_loop_delay.max_ms} ms, GC max ${f.server.gc.max_ms} ms (${f.server.gc.major} major)`;
    log(
      `chain.tip ${medRpc} req/s vs bare ${medBare} (median of ${rounds} paired rounds: ${ratio} ×, target ≥ 0.7; best-of ` +
        `${result.best.ratio}); server CPU per request ${cpu.rpc} µs vs ${cpu.bare} µs bare = ${cpuRatio} ×\n` +
        `at ${rate} req/s — idle: ${phase(idle)}\n  ${burnerCount} burners: ${phase(burning)} (target p99 < 10 ms)\n` +
        `  burners + producing (${producing.server.blocks_produced} blocks): ${phase(producing)}\nload average ${la0} → ${load1()}`,
    );
    log(`wrote ${path.relative(process.cwd(), out)}`);
    return result;
  } finally {
    if (child.connected) child.disconnect();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const num = (name: string) => (arg(name) === undefined ? undefined : Number(arg(name)));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--serve')) await serve();
  else
    await runRpcBench({
      duration: num('duration'),
      connections: num('connections'),
      rounds: num('rounds'),
      rate: num('rate'),
      burners: num('burners'),
      out: arg('out'),
    });
}
