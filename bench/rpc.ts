/**
 * RPC benchmark (issue 2 "Benchmarks", targets of issue 17): `chain.tip` over HTTP on loopback,
 * served by the real RPC server + Dispatcher + real Chain (classic-level in a temp dir), beside a
 * bare `node:http` hello-world server in the same run. Targets: RPC ≥ 0.7 × bare req/s; p99 < 10 ms
 * at 1,000 req/s with two CPU-burning processes running. Writes bench/results/rpc.json (with
 * `figures` for `npm run bench`'s summary).
 *
 * Method (the machine may be shared, so every figure stands beside its reference from the same run):
 * - The servers run in a child process (bench/rpc-serve.ts); the load generators (bench/rpc-load.ts)
 *   run in this process, so neither shares the other's event loop.
 * - Throughput: autocannon at full load (10 connections), `rounds` rounds of bare and RPC back to
 *   back, the order alternating each round (bare-RPC, RPC-bare, …). The ratio is the median of the
 *   per-round ratios (one quiet or busy moment moves one pair, not the figure); best-of and the
 *   server's CPU time per request (user + system, `process.cpuUsage`, which other processes' load
 *   moves far less than rates) are reported beside it.
 * - Latency at a fixed rate: an open-loop generator (raw keep-alive sockets, at most `connections`
 *   of them) sends one request every 1/rate s on a schedule. autocannon's `overallRate` is not a
 *   fixed rate (each connection sends its per-second quota back to back, then waits for the next
 *   second) and its coordinated-omission correction assumes 1 ms between requests, so it is not used
 *   here. Client latency is measured from the actual send (the figure) and from the scheduled send
 *   (adds the generator's own lateness). The server reports its own handling time (request parsed →
 *   answer written, node:http diagnostics channels), its event-loop delay (1 ms resolution) and its
 *   GC pauses, so a missed p99 says whether the time was lost in our process or outside it.
 *   The generator's own event-loop delay is reported beside them (a late generator delays the
 *   reading of answers too). Phases: idle (the reference), with `burners` CPU burners, and with
 *   burners while the chain produces a block a second (a validator serving RPC). The 1-minute load
 *   average is recorded around each phase. The figure compared with the < 10 ms target is the
 *   client's p99 from send with burners, not producing (`p99_figure` in the result). The loaded
 *   phases run `repeats` times (alternating); the figure is the median run's p99, every run's p99
 *   is listed beside it. The generator's CPU per request is reported too (it must stay far below
 *   the server's for the client figures to be the server's).
 * - The server process runs with the node process's V8 flags (`NODE_V8_FLAGS`, src/host/launcher.ts:
 *   what the supervisor gives the node), or `--server-flags "…"` for a side-by-side comparison.
 * The per-IP rate limit is disabled for the run (one loopback client would otherwise get 100 req/s).
 * Run: `node --import tsx bench/rpc.ts [--duration 3] [--connections 10] [--rounds 6] [--rate 1000]
 *   [--burners 2] [--repeats 3] [--server-flags "--max-semi-space-size=2"] [--out file]`.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { NODE_V8_FLAGS } from '../src/host/launcher.js';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';
import { NODE_VERSION } from '../src/node-core/version.js';
import {
  distOf,
  fullLoad,
  load1,
  median,
  openLoop,
  startBurners,
  stopBurners,
  TIP_BODY,
  type Dist,
  type FullLoad,
} from './rpc-load.js';
import type { ServerReading, ServerView } from './rpc-serve.js';
import type { Figure } from './run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** One full-load autocannon run, with the server's CPU time over it. */
export interface Load extends FullLoad {
  /** Server process CPU (user + system) per answered request, µs. */
  server_cpu_us_per_req: number;
}

/** One fixed-rate phase: client view, server view, machine load. */
export interface FixedRate {
  offered_req_per_s: number;
  achieved_req_per_s: number;
  requests: number;
  errors: number;
  /** Failed answers by HTTP status (`closed`: connection closed with a request in flight). */
  failed_by_status: Record<string, number>;
  burners: number;
  producing: boolean;
  /** Client latency from the actual send to the end of the answer (the figure). */
  client: Dist;
  /** Client latency from the scheduled send (adds the generator's own lateness). */
  client_from_schedule: Dist;
  /** The generator's own event-loop delay over the measured part (a reference: its lateness is in both client figures). */
  generator_event_loop_delay: Dist;
  /** The generator's CPU (bench process, user + system) per request, µs. */
  generator_cpu_us_per_req: number;
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
  /** The run with the median client p99 of `fixed_repeats` runs (each run's p99 in `fixed_burners_p99_ms`). */
  fixed_burners: FixedRate;
  fixed_burners_producing: FixedRate;
  fixed_repeats: number;
  /** Client p99 (from send) of every loaded run, in run order. */
  fixed_burners_p99_ms: number[];
  fixed_burners_producing_p99_ms: number[];
  target_p99_ms: 10;
  meets_p99: boolean;
  /** Which p99 is compared with the target. */
  p99_figure: string;
  /** V8 flags of the server process (the node's own by default). */
  server_flags: string[];
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

/**
 * Runs the benchmark and writes `o.out` (default bench/results/rpc.json).
 * @param o.duration seconds per full-load round (default 3; fixed-rate phases last 2 × duration);
 *   o.connections (default 10); o.rounds (default 6); o.rate fixed offered rate (default 1,000 req/s);
 *   o.burners CPU burners in the loaded phases (default 2).
 * @throws Error when the RPC answer is wrong or a run has errors (a benchmark of failures is no benchmark).
 */
export async function runRpcBench(
  o: {
    duration?: number;
    connections?: number;
    rounds?: number;
    rate?: number;
    burners?: number;
    repeats?: number;
    serverFlags?: string[];
    out?: string;
    log?: (s: string) => void;
  } = {},
): Promise<RpcBenchResult> {
  const duration = o.duration ?? 3;
  const connections = o.connections ?? 10;
  const rounds = o.rounds ?? 6;
  const rate = o.rate ?? 1000;
  const burnerCount = o.burners ?? 2;
  const serverFlags = o.serverFlags ?? [...NODE_V8_FLAGS];
  const repeats = Math.max(1, o.repeats ?? 3);
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const child = fork(path.join(HERE, 'rpc-serve.ts'), [], {
    execArgv: [...serverFlags, '--import', 'tsx'],
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
      log(
        `chain.tip at a fixed ${rate} req/s for ${duration * 2} s, ${burners} burners${producing ? ', producing a block a second' : ''}…`,
      );
      const b = startBurners(burners);
      const l0 = load1();
      let run: Awaited<ReturnType<typeof openLoop>>;
      let server: ServerReading;
      let cpu0 = process.cpuUsage();
      try {
        await serverRead({ timing: true, produce: producing });
        cpu0 = process.cpuUsage();
        run = await openLoop(ports.rpc, { rate, seconds: duration * 2, warmup: 1, connections });
        cpu0 = process.cpuUsage(cpu0);
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
        failed_by_status: run.failed_by_status,
        burners,
        producing,
        client: distOf(run.fromSend),
        client_from_schedule: distOf(run.fromSchedule),
        generator_event_loop_delay: distOf(run.loopDelay),
        generator_cpu_us_per_req: Number(((cpu0.user + cpu0.system) / (run.requests + rate)).toFixed(1)),
        server: { ...view, blocks_produced: produced },
        loadavg_1m: [l0, load1()],
      };
    };
    const idle = await fixed(0, false);
    // Loaded phases `repeats` times, alternating (one busy moment moves one run, not the figure).
    const burningRuns: FixedRate[] = [];
    const producingRuns: FixedRate[] = [];
    for (let i = 0; i < repeats; i++) {
      burningRuns.push(await fixed(burnerCount, false));
      producingRuns.push(await fixed(burnerCount, true));
    }
    const medianRun = (rs: FixedRate[]) => [...rs].sort((a, b) => a.client.p99_ms - b.client.p99_ms)[(rs.length - 1) >> 1];
    const burning = medianRun(burningRuns);
    const producing = medianRun(producingRuns);

    for (const r of done)
      for (const l of [r.bare, r.rpc])
        if (l.errors > 0 || l.non_2xx > 0)
          throw new Error(`load run had ${l.errors} errors and ${l.non_2xx} non-2xx answers`);
    for (const f of [idle, ...burningRuns, ...producingRuns])
      if (f.errors > 0)
        throw new Error(`fixed-rate run (${f.burners} burners${f.producing ? ', producing' : ''}) had ${f.errors} errors or non-200 answers: ${JSON.stringify(f.failed_by_status)}`);

    const best = (ls: Load[]) => ls.reduce((a, b) => (b.req_per_s > a.req_per_s ? b : a));
    const bareBest = best(done.map((r) => r.bare));
    const rpcBest = best(done.map((r) => r.rpc));
    const sumCpu = (k: 'bare' | 'rpc') =>
      done.reduce((a, r) => a + r[k].server_cpu_us_per_req * r[k].requests, 0) /
      done.reduce((a, r) => a + r[k].requests, 0);
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
      best: {
        bare: bareBest,
        rpc: rpcBest,
        ratio: Number((rpcBest.req_per_s / bareBest.req_per_s).toFixed(3)),
      },
      cpu_ratio: cpuRatio,
      server_cpu_us_per_req: cpu,
      rounds: done,
      fixed_idle: idle,
      fixed_burners: burning,
      fixed_burners_producing: producing,
      fixed_repeats: repeats,
      fixed_burners_p99_ms: burningRuns.map((f) => f.client.p99_ms),
      fixed_burners_producing_p99_ms: producingRuns.map((f) => f.client.p99_ms),
      target_p99_ms: 10,
      meets_p99: p99 < 10,
      p99_figure: `client latency from send (open-loop generator), ${rate} req/s, ${burnerCount} burners, not producing: median of ${repeats} runs`,
      server_flags: serverFlags,
      loadavg_1m_full_load: [la0, la1],
      load_generator:
        'full load: autocannon 9 in the bench process; fixed rate: open-loop raw-socket keep-alive generator in the bench process (servers in a child process)',
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
          figure: `RPC p99 at ${rate} req/s, ${burnerCount} burners (client, from send; median of ${repeats} runs)`,
          value: p99,
          unit: 'ms',
          reference: 'same, idle',
          reference_value: idle.client.p99_ms,
          ratio: Number((p99 / Math.max(0.01, idle.client.p99_ms)).toFixed(2)),
          target: '< 10 ms',
          meets: p99 < 10,
        },
        {
          figure: `RPC p99 at ${rate} req/s, ${burnerCount} burners, producing (client, from send; median of ${repeats} runs)`,
          value: producing.client.p99_ms,
          unit: 'ms',
          reference: 'same, idle, not producing',
          reference_value: idle.client.p99_ms,
          ratio: Number((producing.client.p99_ms / Math.max(0.01, idle.client.p99_ms)).toFixed(2)),
          target: '< 10 ms',
          meets: producing.client.p99_ms < 10,
        },
      ],
      chain:
        'real Chain (classic-level in a temp dir, 3 blocks; a block a second in the producing phase) behind the real Dispatcher and RPC server',
      node: process.version,
      version: NODE_VERSION,
      cpus: os.availableParallelism(),
      date: new Date().toISOString(),
    };
    const out = o.out ?? path.join(HERE, 'results', 'rpc.json');
    await fs.mkdir(path.dirname(out), { recursive: true });
    await writeFileAtomic(out, JSON.stringify(result, null, 2) + '\n');
    const phase = (f: FixedRate) =>
      `client p99 ${f.client.p99_ms} ms (from schedule ${f.client_from_schedule.p99_ms}; generator loop delay p99 ` +
      `${f.generator_event_loop_delay.p99_ms} ms, CPU ${f.generator_cpu_us_per_req} µs/req), server handling p99/max ` +
      `${f.server.handling.p99_ms}/${f.server.handling.max_ms} ms, loop delay p99/max ${f.server.event_loop_delay.p99_ms}/` +
      `${f.server.event_loop_delay.max_ms} ms, GC max ${f.server.gc.max_ms} ms (${f.server.gc.major} major)`;
    log(
      `chain.tip ${medRpc} req/s vs bare ${medBare} (median of ${rounds} paired rounds: ${ratio} ×, target ≥ 0.7; best-of ` +
        `${result.best.ratio}); server CPU per request ${cpu.rpc} µs vs ${cpu.bare} µs bare = ${cpuRatio} ×\n` +
        `at ${rate} req/s — idle: ${phase(idle)}\n  ${burnerCount} burners (median of ${repeats} runs, p99s ` +
        `${result.fixed_burners_p99_ms.join(' / ')} ms): ${phase(burning)} (target p99 < 10 ms)\n` +
        `  burners + producing (p99s ${result.fixed_burners_producing_p99_ms.join(' / ')} ms; ${producing.server.blocks_produced} ` +
        `blocks): ${phase(producing)}\nload average ${la0} → ${load1()}`,
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
  await runRpcBench({
    duration: num('duration'),
    connections: num('connections'),
    rounds: num('rounds'),
    rate: num('rate'),
    burners: num('burners'),
    repeats: num('repeats'),
    serverFlags: arg('server-flags')?.split(/\s+/).filter(Boolean),
    out: arg('out'),
  });
}
