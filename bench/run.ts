/**
 * `npm run bench` (`node --import tsx bench/run.ts [name…]`): runs the benchmark modules that
 * exist — `bench/import.ts` (`runImportBench`), `bench/rpc.ts` (`runRpcBench`), `bench/console.ts`
 * (its exported `run…Bench`), `bench/sync.ts` (`runSyncBench`, p2p sync vs local import),
 * `bench/snapshot.ts` (`runSnapshotBench`, create/verify/restore vs tar/sha256sum/cp -r), `bench/finality.ts`
 * (`runFinalityBench`, 4 Tendermint validators on loopback, idle and with 3 CPU burners) — one after another (they measure throughput; running them in
 * parallel would skew each other). Each module writes its own `bench/results/<name>.json` with
 * its figure beside the physical reference measured in the same run; this runner adds
 * `bench/results/summary.json` (machine, Node version, each result or error; a run of a subset
 * keeps the other benchmarks' previous entries).
 * The summary also holds `figures`: one row per target figure — value, the reference measured in
 * the same run, their ratio, the target and whether it is met — taken from each result's own
 * `figures` array (`Figure` below) when it has one.
 * Benchmarks are targets, not tests: a missed target is reported, never a failure exit.
 * Exit 1 only when a benchmark throws.
 */
import '../src/node-core/polyfills.js';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODULES = ['import', 'rpc', 'console', 'sync', 'snapshot', 'state-scale', 'energy', 'finality'] as const;

type BenchFn = (o?: { log?: (s: string) => void }) => Promise<unknown>;

/** One target figure of a benchmark, beside its reference from the same run. */
export interface Figure {
  figure: string;
  value: number;
  unit: string;
  /** What the value is compared with (measured in the same run), or null (an absolute target). */
  reference: string | null;
  reference_value: number | null;
  /** value ÷ reference_value (or, for "lower is better" figures, as the benchmark defines it). */
  ratio: number | null;
  /** The target, as text (e.g. "≥ 0.8 × reference", "< 1000 ms"). */
  target: string;
  meets: boolean | null;
}

/** Figures of every result that lists them (results without `figures` are left out). */
function figuresOf(results: Record<string, unknown>): (Figure & { bench: string })[] {
  const out: (Figure & { bench: string })[] = [];
  for (const [bench, r] of Object.entries(results)) {
    const f = (r as { figures?: Figure[] } | null)?.figures;
    if (Array.isArray(f)) for (const x of f) out.push({ bench, ...x });
  }
  return out;
}

/** The module's `run<Name>Bench` export (or any `run…Bench` function). */
function benchFn(mod: Record<string, unknown>, name: string): BenchFn | undefined {
  const exact = `run${name[0].toUpperCase()}${name.slice(1)}Bench`;
  if (typeof mod[exact] === 'function') return mod[exact] as BenchFn;
  const any = Object.entries(mod).find(([k, v]) => /^run\w*Bench$/.test(k) && typeof v === 'function');
  return any?.[1] as BenchFn | undefined;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !(MODULES as readonly string[]).includes(w));
  if (unknown.length > 0) {
    process.stderr.write(`error: unknown benchmark ${unknown.join(', ')} (known: ${MODULES.join(', ')})\n`);
    process.exit(2);
  }
  const names = MODULES.filter(
    (m) => (wanted.length === 0 || wanted.includes(m)) && existsSync(path.join(HERE, `${m}.ts`)),
  );
  const summary: Record<string, unknown> = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0]?.model ?? 'unknown',
    results: {},
  };
  const out = path.join(HERE, 'results', 'summary.json');
  // A partial run (`npm run bench -- rpc`) keeps the other benchmarks' last results.
  const previous = await fs
    .readFile(out, 'utf8')
    .then((t) => (JSON.parse(t) as { results?: Record<string, unknown> }).results ?? {})
    .catch(() => ({}));
  summary.results = wanted.length > 0 ? { ...previous } : {};
  const results = summary.results as Record<string, unknown>;
  let failed = false;
  for (const name of names) {
    process.stdout.write(`\n== ${name} ==\n`);
    const mod = (await import(pathToFileURL(path.join(HERE, `${name}.ts`)).href)) as Record<string, unknown>;
    const fn = benchFn(mod, name);
    if (!fn) {
      results[name] = { error: `bench/${name}.ts exports no run…Bench function` };
      failed = true;
      continue;
    }
    try {
      results[name] = await fn({ log: (s) => process.stdout.write(s + '\n') });
    } catch (err) {
      failed = true;
      results[name] = { error: (err as Error).message };
      process.stderr.write(`error: benchmark ${name} failed: ${(err as Error).message}\n`);
    }
  }
  summary.figures = figuresOf(results);
  for (const f of summary.figures as (Figure & { bench: string })[])
    process.stdout.write(`${f.bench.padEnd(12)} ${f.figure.padEnd(34)} ${String(f.value).padStart(9)} ${f.unit.padEnd(9)} ref ${f.reference_value ?? '-'} ratio ${f.ratio ?? '-'} target ${f.target} ${f.meets === null ? '' : f.meets ? 'met' : 'MISSED'}\n`);
  await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
  await writeFileAtomic(out, JSON.stringify(summary, null, 2) + '\n');
  process.stdout.write(
    `\nwrote ${path.relative(process.cwd(), out)} (${names.join(', ') || 'no benchmarks found'})\n`,
  );
  process.exit(failed ? 1 : 0);
}

await main();
