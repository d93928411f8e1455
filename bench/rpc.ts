/**
 * RPC benchmark (issue 2 "Benchmarks", targets of issue 17): `chain.tip` over HTTP on loopback,
 * served by the real RPC server + Dispatcher + real Chain (classic-level in a temp dir), measured
 * with autocannon beside a bare `node:http` hello-world server in the same run: req/s and p50/p99
 * latency at full load, and p99 at a fixed 1,000 req/s twice — idle (the reference) and with two
 * CPU-burning processes running (one per core here). Targets: RPC ≥ 0.7 × bare req/s; p99 < 10 ms
 * at 1,000 req/s with the burners. The 1-minute load average is recorded around each phase (the
 * machine is shared). A third fixed-rate run keeps the burners while the chain produces a block every
 * second (a validator serving RPC), and the server's event-loop delay (perf_hooks, 1 ms resolution)
 * is recorded for each fixed-rate phase, so a missed p99 says whether our own loop stalled. Writes
 * bench/results/rpc.json (with `figures` for `npm run bench`'s summary).
 *
 * The servers run in a child process (this file with `--serve`) so that the load generator does not
 * share their event loop. Full-load runs alternate bare/RPC for `rounds` rounds and keep the best
 * of each, so neither side profits from a quiet moment of the shared machine the other did not get.
 * The per-IP rate limit is disabled for the run (one loopback client would otherwise get 100 req/s).
 * Run: `node --import tsx bench/rpc.ts [--duration 3] [--connections 10] [--rounds 6]`.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

export interface Load {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non_2xx: number;
}

/** Event-loop delay of the server process during one phase (perf_hooks, 1 ms resolution). */
export interface LoopDelay {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

export interface RpcBenchResult {
  name: 'rpc';
  method: 'chain.tip';
  /** Full load: best round of each. */
  bare: Load;
  rpc: Load;
  /** rpc.req_per_s / bare.req_per_s */
  ratio: number;
  target_ratio: 0.7;
  meets_ratio: boolean;
  /** `chain.tip` at a fixed offered rate, nothing else of ours running (the reference). */
  fixed_rate: Load & { offered_req_per_s: number };
  /** The same with `burners` CPU-burning processes running. */
  fixed_rate_burners: Load & { offered_req_per_s: number; burners: number };
  /**
   * The burners run again while the chain produces a block every second (what a validator's node
   * does while it serves): block production, apply and its writes share the RPC's event loop.
   */
  fixed_rate_burners_producing: Load & { offered_req_per_s: number; burners: number; blocks_produced: number };
  /** Server event-loop delay in each fixed-rate phase: what held answers back. */
  event_loop_delay: { fixed_idle: LoopDelay; fixed_burners: LoopDelay; fixed_burners_producing: LoopDelay };
  /** fixed_rate_burners.p99_ms / fixed_rate.p99_ms */
  p99_burners_vs_idle: number;
  target_p99_ms: 10;
  meets_p99: boolean;
  /** 1-minute load average before/after each phase (full load, idle fixed rate, with burners). */
  loadavg_1m: {
    full_load: [number, number];
    fixed_idle: [number, number];
    fixed_burners: [number, number];
    fixed_burners_producing: [number, number];
  };
  connections: number;
  duration_s: number;
  rounds: number;
  samples: { bare_req_per_s: number[]; rpc_req_per_s: number[] };
  /** Median over rounds of rpc/bare within the round (a second view of the ratio, less luck-prone than best-of). */
  ratio_median_of_rounds: number;
  /** Server CPU (user + system µs) per answered request over all full-load rounds. */
  server_cpu_us_per_req: { bare: number; rpc: number };
  /**
   * bare ÷ rpc CPU per request: the req/s ratio a CPU-bound server reaches, measured by CPU time
   * instead of wall time, so other processes' load on a shared machine does not move it.
   */
  cpu_ratio: number;
  /** The issue-17 target figures beside their references (read by `npm run bench`'s summary). */
  figures: Figure[];
  chain: string;
  node: string;
  version: string;
  cpus: number;
  date: string;
}

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
  process.send!({ rpc: rpc.port, bare: (bare.address() as { port: number }).port });
  // On request from the parent: this process's CPU time (both servers) and its event-loop delay
  // since the last read (what stalls the answers), and block production on or off.
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let producer: NodeJS.Timeout | undefined;
  let produced = 0;
  process.on('message', (m: { cpu?: number; produce?: boolean }) => {
    if (m?.cpu === undefined) return;
    if (m.produce === true && !producer) {
      produced = 0;
      producer = setInterval(() => void chain.produceBlock().then(() => produced++), body.block_time_ms);
    } else if (m.produce === false && producer) {
      clearInterval(producer);
      producer = undefined;
    }
    const u = process.cpuUsage();
    const loop: LoopDelay = {
      p50_ms: Number((eld.percentile(50) / 1e6).toFixed(2)),
      p99_ms: Number((eld.percentile(99) / 1e6).toFixed(2)),
      max_ms: Number((eld.max / 1e6).toFixed(2)),
    };
    eld.reset();
    process.send!({ cpu: m.cpu, us: u.user + u.system, loop, produced });
  });
  process.once('disconnect', () => {
    void (async () => {
      clearInterval(producer);
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

/** CPU µs per request over runs. */
function cpuPerReq(us: number, runs: Load[]): number {
  return Number((us / Math.max(1, runs.reduce((a, r) => a + r.requests, 0))).toFixed(1));
}

const load1 = () => Number(os.loadavg()[0].toFixed(2));

function load(
  url: string,
  o: { duration: number; connections: number; overallRate?: number },
): Promise<Load> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: TIP_BODY,
        duration: o.duration,
        connections: o.connections,
        ...(o.overallRate ? { overallRate: o.overallRate } : {}),
      },
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
 * Runs the benchmark and writes `o.out` (default bench/results/rpc.json).
 * @param o.duration seconds per full-load measurement (default 5); o.connections (default 10);
 *   o.rounds alternating bare/RPC rounds (default 6; duration default 3 s); o.rate fixed offered rate (default 1,000 req/s);
 *   o.burners CPU burners during the second fixed-rate run (default 2).
 * @throws Error when the RPC answer is wrong or a run has errors (a benchmark of failures is no benchmark).
 */
export async function runRpcBench(
  o: {
    duration?: number;
    connections?: number;
    rounds?: number;
    rate?: number;
    /** CPU-burning processes during the second fixed-rate run (default 2). */
    burners?: number;
    out?: string;
    log?: (s: string) => void;
  } = {},
): Promise<RpcBenchResult> {
  const duration = o.duration ?? 3;
  const connections = o.connections ?? 10;
  // Many short alternating rounds: on a shared machine a single round is mostly luck.
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
      once(child, 'exit').then(([code]) =>
        Promise.reject(new Error(`bench server exited with code ${code}`)),
      ),
    ])) as [{ rpc: number; bare: number }];
    const rpcUrl = `http://127.0.0.1:${ports.rpc}/`;
    const bareUrl = `http://127.0.0.1:${ports.bare}/`;
    const check = (await (
      await fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: TIP_BODY })
    ).json()) as {
      result?: { height?: number };
    };
    if (check.result?.height !== 3) throw new Error(`chain.tip answered ${JSON.stringify(check)}`);

    log('warming up…');
    await load(bareUrl, { duration: 1, connections });
    await load(rpcUrl, { duration: 2, connections });
    const bares: Load[] = [];
    const rpcs: Load[] = [];
    const cpu = { bare: 0, rpc: 0 };
    let asked = 0;
    type Reading = { us: number; loop: LoopDelay; produced: number };
    /** The server's CPU time so far (µs, user + system), its event-loop delay since the last read; `produce` switches block production. */
    const serverRead = (produce?: boolean) =>
      new Promise<Reading>((resolve) => {
        const id = ++asked;
        const on = (m: { cpu?: number } & Reading) => {
          if (m?.cpu !== id) return;
          child.off('message', on);
          resolve(m);
        };
        child.on('message', on);
        child.send({ cpu: id, produce });
      });
    const serverCpuUs = async () => (await serverRead()).us;
    const la0 = load1();
    for (let r = 0; r < rounds; r++) {
      log(
        `round ${r + 1}/${rounds}: bare node:http, then chain.tip over RPC (${duration} s each, ${connections} connections)…`,
      );
      let c0 = await serverCpuUs();
      bares.push(await load(bareUrl, { duration, connections }));
      let c1 = await serverCpuUs();
      cpu.bare += c1 - c0;
      c0 = c1;
      rpcs.push(await load(rpcUrl, { duration, connections }));
      c1 = await serverCpuUs();
      cpu.rpc += c1 - c0;
    }
    const la1 = load1();
    await serverRead();
    log(`chain.tip at a fixed ${rate} req/s for ${duration * 2} s…`);
    const fixed = await load(rpcUrl, { duration: duration * 2, connections, overallRate: rate });
    const loopIdle = (await serverRead()).loop;
    const la2 = load1();
    log(`chain.tip at a fixed ${rate} req/s for ${duration * 2} s with ${burnerCount} CPU burners…`);
    const burners = startBurners(burnerCount);
    let fixedBurn: Load;
    try {
      fixedBurn = await load(rpcUrl, { duration: duration * 2, connections, overallRate: rate });
    } finally {
      await stopBurners(burners);
    }
    const la3 = load1();
    const loopBurners = (await serverRead(true)).loop;
    log(`chain.tip at a fixed ${rate} req/s for ${duration * 2} s with ${burnerCount} CPU burners, producing a block every second…`);
    const burners2 = startBurners(burnerCount);
    let fixedProd: Load;
    try {
      fixedProd = await load(rpcUrl, { duration: duration * 2, connections, overallRate: rate });
    } finally {
      await stopBurners(burners2);
    }
    const prod = await serverRead(false);
    const la4 = load1();
    for (const l of [...bares, ...rpcs, fixed, fixedBurn, fixedProd])
      if (l.errors > 0 || l.non_2xx > 0)
        throw new Error(`load run had ${l.errors} errors and ${l.non_2xx} non-2xx answers`);

    const best = (ls: Load[]) => ls.reduce((a, b) => (b.req_per_s > a.req_per_s ? b : a));
    const bare = best(bares);
    const rpc = best(rpcs);
    const ratio = Number((rpc.req_per_s / bare.req_per_s).toFixed(3));
    const result: RpcBenchResult = {
      name: 'rpc',
      method: 'chain.tip',
      bare,
      rpc,
      ratio,
      target_ratio: 0.7,
      meets_ratio: ratio >= 0.7,
      fixed_rate: { ...fixed, offered_req_per_s: rate },
      fixed_rate_burners: { ...fixedBurn, offered_req_per_s: rate, burners: burnerCount },
      fixed_rate_burners_producing: {
        ...fixedProd,
        offered_req_per_s: rate,
        burners: burnerCount,
        blocks_produced: prod.produced,
      },
      event_loop_delay: { fixed_idle: loopIdle, fixed_burners: loopBurners, fixed_burners_producing: prod.loop },
      p99_burners_vs_idle: Number((fixedBurn.p99_ms / Math.max(1, fixed.p99_ms)).toFixed(2)),
      target_p99_ms: 10,
      meets_p99: fixedBurn.p99_ms < 10,
      loadavg_1m: {
        full_load: [la0, la1],
        fixed_idle: [la1, la2],
        fixed_burners: [la2, la3],
        fixed_burners_producing: [la3, la4],
      },
      connections,
      duration_s: duration,
      rounds,
      samples: { bare_req_per_s: bares.map((b) => b.req_per_s), rpc_req_per_s: rpcs.map((b) => b.req_per_s) },
      ratio_median_of_rounds: median(rpcs.map((r, i) => r.req_per_s / bares[i].req_per_s)),
      server_cpu_us_per_req: { bare: cpuPerReq(cpu.bare, bares), rpc: cpuPerReq(cpu.rpc, rpcs) },
      cpu_ratio: Number((cpuPerReq(cpu.bare, bares) / cpuPerReq(cpu.rpc, rpcs)).toFixed(3)),
      figures: [
        {
          figure: 'RPC chain.tip req/s',
          value: rpc.req_per_s,
          unit: 'req/s',
          reference: 'bare node:http hello world (best round each)',
          reference_value: bare.req_per_s,
          ratio,
          target: '≥ 0.7 × reference',
          meets: ratio >= 0.7,
        },
        {
          figure: `RPC p99 at ${rate} req/s, ${burnerCount} burners`,
          value: fixedBurn.p99_ms,
          unit: 'ms',
          reference: 'same, idle',
          reference_value: fixed.p99_ms,
          ratio: Number((fixedBurn.p99_ms / Math.max(1, fixed.p99_ms)).toFixed(2)),
          target: '< 10 ms',
          meets: fixedBurn.p99_ms < 10,
        },
        {
          figure: `RPC p99 at ${rate} req/s, ${burnerCount} burners, producing`,
          value: fixedProd.p99_ms,
          unit: 'ms',
          reference: 'same, idle, not producing',
          reference_value: fixed.p99_ms,
          ratio: Number((fixedProd.p99_ms / Math.max(1, fixed.p99_ms)).toFixed(2)),
          target: '< 10 ms',
          meets: fixedProd.p99_ms < 10,
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
    log(
      `bare ${bare.req_per_s} req/s (p50 ${bare.p50_ms} ms, p99 ${bare.p99_ms} ms); chain.tip ${rpc.req_per_s} req/s ` +
        `(p50 ${rpc.p50_ms} ms, p99 ${rpc.p99_ms} ms) = ${ratio} × bare (target ≥ 0.7); at ${rate} req/s p99 ${fixed.p99_ms} ms idle, ` +
        `${fixedBurn.p99_ms} ms with ${burnerCount} burners (target < 10); server CPU per request ${result.server_cpu_us_per_req.bare} µs bare, ` +
        `${result.server_cpu_us_per_req.rpc} µs chain.tip = ${result.cpu_ratio} ×; ${fixedProd.p99_ms} ms with burners while producing ` +
        `${prod.produced} blocks (server event-loop delay p99/max ${loopIdle.p99_ms}/${loopIdle.max_ms} ms idle, ` +
        `${loopBurners.p99_ms}/${loopBurners.max_ms} burners, ${prod.loop.p99_ms}/${prod.loop.max_ms} producing); load average ${la0} → ${la4}`,
    );
    log(`wrote ${path.relative(process.cwd(), out)}`);
    return result;
  } finally {
    if (child.connected) child.disconnect();
    if (child.exitCode === null) await once(child, 'exit');
  }
}

function arg(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv.includes('--serve')) await serve();
  else
    await runRpcBench({ duration: arg('duration'), connections: arg('connections'), rounds: arg('rounds') });
}
