/**
 * Finality benchmark (issue 10 "Benchmark"): 4 validator processes on loopback (real libp2p,
 * Tendermint, 1 s blocks) for 2 minutes, then the same with three CPU-burning processes beside
 * them. Reported per run:
 *   - blocks_per_s: committed blocks per second over the window;
 *   - proposal_to_finality_block_times p50 / p99: from the block's timestamp (set by its proposer
 *     when it built the proposal) to the moment v1 committed it (its `block` log line), in units of
 *     block time (target p50 ≤ 1.5);
 *   - rounds_above_0_per_100_heights: heights that needed a round above 0, per 100 heights;
 *   - with `TB_BENCH_FINALITY_LOG_LEVEL=debug`, `trace`: v1's consensus-state fsync (`save_ms`,
 *     before each signature leaves) and block commit (`commit_ms`) times, p50 / p99 (ms).
 * `figures` (bench/run.ts `Figure`) compare each run with its target: blocks/s against
 * 1 / block time (target ≥ 0.95 ×) and proposal→finality p50 against 1.5 block times (p99 and
 * rounds above 0 are reported without a target).
 * Writes bench/results/finality.json. Run: `node --import tsx bench/finality.ts [--seconds 120]
 * [--block-time-ms 1000] [--burners 3]` or `npm run bench -- finality`; the same settings from
 * the environment: TB_BENCH_FINALITY_SECONDS, TB_BENCH_FINALITY_BLOCK_TIME_MS,
 * TB_BENCH_FINALITY_BURNERS (0: the idle run only); TB_BENCH_KEEP=1 keeps the nodes' logs.
 */
import '../src/node-core/polyfills.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLocalnet, NODE_MAIN, nodeArgs, REPO_ROOT } from '../src/node-core/net/localnet.js';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';
import type { Figure } from './run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface FinalityRun {
  burners: number;
  seconds: number;
  heights: number;
  blocks_per_s: number;
  proposal_to_finality_block_times: { p50: number; p99: number; max: number };
  rounds_above_0_per_100_heights: number;
  /** 1-minute load average at the end of the window (the machine may be shared). */
  load_average?: number;
  /** v1's state-file save and block commit times (ms), from its debug trace lines (debug log level only). */
  trace?: { state_save_ms: { p50: number; p99: number }; commit_ms: { p50: number; p99: number } };
}

export interface FinalityBenchResult {
  name: 'finality';
  validators: number;
  block_time_ms: number;
  target: { proposal_to_finality_p50_block_times: number; blocks_per_s_vs_one_per_block_time: number };
  runs: FinalityRun[];
  /** Both targets met by the idle run. */
  met: boolean;
  figures: Figure[];
  cores: number;
}

/** A numeric `--name value` flag, else the environment variable, else the default. */
function flag(name: string, env: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  if (i >= 0) return Number(process.argv[i + 1]);
  const e = process.env[env];
  return e !== undefined && e !== '' ? Number(e) : dflt;
}

async function rpc(port: number, method: string, params: unknown = []): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const j = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      /* starting */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function oneRun(o: { validators: number; blockTimeMs: number; seconds: number; burners: number; log: (s: string) => void }): Promise<FinalityRun> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-bench-finality-'));
  const procs: ChildProcess[] = [];
  const burners: ChildProcess[] = [];
  try {
    const plan = await createLocalnet({ dir, validators: o.validators, blockTimeMs: o.blockTimeMs });
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TB_')) env[k] = v;
    for (const n of plan.nodes) {
      const out = openSync(path.join(dir, `${n.name}.log`), 'a');
      // After each run the bench reads every measured block back to back (~120 requests): above
      // the node's default per-IP RPC limit (100/s), so the nodes get a limit that never refuses it.
      procs.push(spawn(process.execPath, ['--import', 'tsx', NODE_MAIN, ...nodeArgs(n, plan.network_file), '--rpc-tokens-per-sec', '100000', '--log-level', process.env.TB_BENCH_FINALITY_LOG_LEVEL || 'info'], { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] }));
    }
    const v1 = plan.nodes[0];
    // Generous: four tsx processes start slowly on a loaded machine.
    await until('every validator at height 3', async () => (await Promise.all(plan.nodes.map((n) => rpc(n.rpc_port, 'chain.tip')))).every((t) => t.height >= 3), 300_000);
    for (let i = 0; i < o.burners; i++) burners.push(spawn('yes', [], { stdio: ['ignore', 'ignore', 'ignore'] }));
    const h0 = (await rpc(v1.rpc_port, 'chain.tip')).height as number;
    const t0 = Date.now();
    o.log(`  ${o.burners} burner(s): measuring ${o.seconds} s from height ${h0}`);
    await new Promise((r) => setTimeout(r, o.seconds * 1000));
    const h1 = (await rpc(v1.rpc_port, 'chain.tip')).height as number;
    const t1 = Date.now();
    for (const b of burners) b.kill('SIGKILL');
    // v1's commit times (log `time` of its `block` lines) and rounds above 0 (its round-change lines).
    const committedAt = new Map<number, number>();
    const roundsAbove0 = new Set<number>();
    const saves: number[] = [];
    const commits: number[] = [];
    for (const line of readFileSync(path.join(dir, 'v1.log'), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const j = JSON.parse(line) as { msg?: string; height?: number; time?: number; round?: number; save_ms?: number; commit_ms?: number };
      if (j.save_ms !== undefined) saves.push(j.save_ms);
      if (j.commit_ms !== undefined) commits.push(j.commit_ms);
      if (j.msg === 'block' && j.height !== undefined && j.time !== undefined) committedAt.set(j.height, j.time);
      else if (j.round !== undefined && j.round > 0 && j.height !== undefined && j.msg?.startsWith('consensus round')) roundsAbove0.add(j.height);
    }
    const lat: number[] = [];
    for (let h = h0 + 1; h <= h1; h++) {
      const b = await rpc(v1.rpc_port, 'chain.block', [h]);
      const at = committedAt.get(h);
      if (at !== undefined) lat.push((at - (b.timestamp_ms as number)) / o.blockTimeMs);
    }
    lat.sort((a, b) => a - b);
    const heights = h1 - h0;
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const res: FinalityRun = {
      burners: o.burners,
      seconds: Math.round((t1 - t0) / 1000),
      heights,
      blocks_per_s: r2((heights * 1000) / (t1 - t0)),
      proposal_to_finality_block_times: { p50: r2(pct(lat, 50)), p99: r2(pct(lat, 99)), max: r2(lat[lat.length - 1] ?? 0) },
      rounds_above_0_per_100_heights: r2(heights > 0 ? ([...roundsAbove0].filter((h) => h > h0 && h <= h1).length * 100) / heights : 0),
      load_average: r2(os.loadavg()[0]),
    };
    if (saves.length > 0) {
      for (const a of [saves, commits]) a.sort((x, y) => x - y);
      res.trace = { state_save_ms: { p50: pct(saves, 50), p99: pct(saves, 99) }, commit_ms: { p50: pct(commits, 50), p99: pct(commits, 99) } };
    }
    o.log(`  ${JSON.stringify(res)}`);
    return res;
  } finally {
    for (const b of burners) b.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise<void>((r) => { p.once('exit', () => r()); p.kill('SIGTERM'); }) : undefined)));
    if (process.env.TB_BENCH_KEEP) o.log(`  kept ${dir} (TB_BENCH_KEEP)`);
    else await fs.rm(dir, { recursive: true, force: true });
  }
}

/** Target: proposal→finality p50 at most this many block times (issue 10). */
const P50_TARGET = 1.5;
/** Target: blocks/s at least this fraction of 1 / block time ("blocks every block_time_ms"). */
const RATE_TARGET = 0.95;

/** Both targets: p50 and the block rate. */
function meets(r: FinalityRun, blockTimeMs: number): boolean {
  return r.heights > 0 && r.proposal_to_finality_block_times.p50 <= P50_TARGET && r.blocks_per_s / (1000 / blockTimeMs) >= RATE_TARGET;
}

/** The run's figures beside their targets (`Figure` of bench/run.ts). */
function figures(r: FinalityRun, blockTimeMs: number): Figure[] {
  const tag = r.burners > 0 ? `, ${r.burners} burners` : ', idle';
  const ref = Math.round((1000 / blockTimeMs) * 1000) / 1000;
  const rate = Math.round((r.blocks_per_s / ref) * 1000) / 1000;
  const p = r.proposal_to_finality_block_times;
  return [
    { figure: `blocks/s${tag}`, value: r.blocks_per_s, unit: 'blocks/s', reference: '1 / block_time_ms', reference_value: ref, ratio: rate, target: `≥ ${RATE_TARGET} × reference`, meets: rate >= RATE_TARGET },
    { figure: `proposal→finality p50${tag}`, value: p.p50, unit: 'blocks', reference: 'target', reference_value: P50_TARGET, ratio: Math.round((p.p50 / P50_TARGET) * 1000) / 1000, target: `≤ ${P50_TARGET} block times`, meets: p.p50 <= P50_TARGET },
    { figure: `proposal→finality p99${tag}`, value: p.p99, unit: 'blocks', reference: null, reference_value: null, ratio: null, target: 'reported', meets: null },
    { figure: `rounds > 0 per 100 heights${tag}`, value: r.rounds_above_0_per_100_heights, unit: 'per 100', reference: null, reference_value: null, ratio: null, target: 'reported', meets: null },
  ];
}

export async function runFinalityBench(o: { log?: (s: string) => void } = {}): Promise<FinalityBenchResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const validators = 4;
  const blockTimeMs = flag('--block-time-ms', 'TB_BENCH_FINALITY_BLOCK_TIME_MS', 1000);
  const seconds = flag('--seconds', 'TB_BENCH_FINALITY_SECONDS', 120);
  const burners = flag('--burners', 'TB_BENCH_FINALITY_BURNERS', 3);
  log(`finality: ${validators} validators on loopback, ${blockTimeMs} ms blocks, ${seconds} s per run`);
  const runs = [await oneRun({ validators, blockTimeMs, seconds, burners: 0, log })];
  if (burners > 0) runs.push(await oneRun({ validators, blockTimeMs, seconds, burners, log }));
  const result: FinalityBenchResult = {
    name: 'finality',
    validators,
    block_time_ms: blockTimeMs,
    target: { proposal_to_finality_p50_block_times: P50_TARGET, blocks_per_s_vs_one_per_block_time: RATE_TARGET },
    runs,
    met: meets(runs[0], blockTimeMs),
    figures: runs.flatMap((r) => figures(r, blockTimeMs)),
    cores: os.cpus().length,
  };
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await writeFileAtomic(path.join(HERE, 'results', 'finality.json'), JSON.stringify(result, null, 2) + '\n');
  log(`wrote bench/results/finality.json`);
  return result;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runFinalityBench();
