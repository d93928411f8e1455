/**
 * `npm run sim -- [--seeds N] [--from S] [--seed S] [--validators N] [--broken ignore_lock|half_quorum|forget_lock|forget_signatures] [--trace] [--jobs N] [--out FILE]`
 *
 * Runs the deterministic consensus simulator over seeds S..S+N−1 (default 1..10,000) and writes
 * `bench/results/consensus-sim.json` (seeds, simulated blocks, violations, decision-round
 * percentiles) unless a single `--seed` is replayed. A failing seed prints the one-line command
 * that replays it with a trace. Exit 1 when any seed violates an invariant. `--jobs N` runs N
 * shards in child processes and merges them (same figures as one process; `--raw` is the shard mode).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { replayCommand, runSeedsRaw, summarize, type SimRaw } from './run.js';
import { BROKEN, type Broken, type SimResult } from './world.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '10000' },
    from: { type: 'string', default: '1' },
    seed: { type: 'string' },
    validators: { type: 'string' },
    broken: { type: 'string' },
    trace: { type: 'boolean', default: false },
    out: { type: 'string' },
    jobs: { type: 'string', default: '1' },
    raw: { type: 'string' },
  },
});

function int(name: string, s: string): number {
  if (!/^\d+$/.test(s)) {
    process.stderr.write(`error: --${name} must be a non-negative integer, got ${JSON.stringify(s)}\n`);
    process.exit(2);
  }
  return Number(s);
}

if (values.broken !== undefined && !(BROKEN as readonly string[]).includes(values.broken)) {
  process.stderr.write(`error: --broken must be one of ${BROKEN.join(', ')}\n`);
  process.exit(2);
}
const broken = values.broken as Broken | undefined;
const validators = values.validators === undefined ? undefined : int('validators', values.validators);
const single = values.seed !== undefined;
const from = single ? int('seed', values.seed!) : int('from', values.from!);
const count = single ? 1 : int('seeds', values.seeds!);
const jobs = int('jobs', values.jobs!);
const started = performance.now();
let lastReport = started;
const onFailure = (r: SimResult) => process.stderr.write(`seed ${r.seed}: ${r.violations.join('; ')}\n  replay: ${replayCommand(r.seed, { validators, broken })}\n`);
const onProgress = (done: number) => {
  const now = performance.now();
  if (now - lastReport < 10_000) return;
  lastReport = now;
  const rate = done / ((now - started) / 1000);
  process.stderr.write(`${values.raw ? `[shard ${from}] ` : ''}${done}/${count} seeds, ${rate.toFixed(0)} seeds/s, ETA ${((count - done) / rate).toFixed(0)} s\n`);
};
let shards: SimRaw[];
if (jobs > 1 && !single) {
  // Shards in child processes (one per core), merged in seed order.
  const per = Math.ceil(count / jobs);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tb-sim-'));
  const here = fileURLToPath(import.meta.url);
  const runs = Array.from({ length: jobs }, (_, j) => {
    const f = from + j * per;
    const n = Math.max(0, Math.min(per, from + count - f));
    const raw = path.join(dir, `${j}.json`);
    const args = [here, '--from', String(f), '--seeds', String(n), '--raw', raw, ...(validators ? ['--validators', String(validators)] : []), ...(broken ? ['--broken', broken] : [])];
    return new Promise<SimRaw>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('exit', () => {
        try {
          resolve(JSON.parse(readFileSync(raw, 'utf8')) as SimRaw);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
  });
  shards = await Promise.all(runs);
  rmSync(dir, { recursive: true, force: true });
} else {
  shards = [runSeedsRaw({ from, count, validators, broken, trace: values.trace ? (l) => process.stdout.write(`${l}\n`) : undefined, onFailure, onProgress })];
}
if (values.raw) {
  writeFileSync(values.raw, JSON.stringify(shards[0]));
  process.exit(0);
}
const summary = summarize(shards);
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ ...summary, failing_seeds: summary.failing_seeds.slice(0, 20), wall_seconds: Number(seconds.toFixed(1)) }, null, 2)}\n`);
if (!single) {
  const out = values.out ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bench/results/consensus-sim.json');
  mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ generated_by: 'npm run sim', ...summary, failing_seeds: summary.failing_seeds.slice(0, 100), wall_seconds: Number(seconds.toFixed(1)) }, null, 2)}\n`);
  renameSync(tmp, out);
  process.stderr.write(`wrote ${out}\n`);
}
process.exit(summary.violations > 0 ? 1 : 0);
