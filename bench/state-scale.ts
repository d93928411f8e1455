/**
 * State-at-scale benchmark (issue 17): how long `Chain.open` takes and how much memory the node
 * holds once open, at 10k / 100k / 1M accounts (10M with `--max 10000000`), each reopened in a
 * fresh process. Reference: the same node at 10k accounts in the same run. Targets: open < 1 s
 * and RSS < 300 MB at 1M accounts, open time flat in the number of accounts (ratio to 10k).
 * After the open, the child produces one block of 10 transfers (accounts and buckets read on
 * demand), so the figure includes a working state, not just an opened file.
 * Writes bench/results/state-scale.json.
 * Run: `node --import tsx bench/state-scale.ts [--max 1000000] [--opens 3] [--out file.json]`, or through the runner
 * `STATE_SCALE_MAX=10000000 npm run bench -- state-scale` (the default run stops at 1M).
 * Each chain is built by the streamed genesis build (chain/genesis-stream.ts) in its own process:
 * bounded memory, bounded batches, the allocations generated as they are read.
 *
 * The accounts are genesis allocations (random addresses; the first 10 belong to seeded keys that
 * send the transfers). The reopening child gets the genesis without its allocation list (same
 * hash): after block 0 is stored, Chain.open reads the chain DB, never the allocations.
 */
import '../src/node-core/polyfills.js';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { addressOf } from '../src/node-core/chain/address.js';
import { Chain } from '../src/node-core/chain/chain.js';
import { type Genesis } from '../src/node-core/chain/genesis.js';
import { buildGenesisChain } from '../src/node-core/chain/genesis-stream.js';
import { signTransfer } from '../src/node-core/chain/tx.js';
import { keysFromSeed } from '../src/node-core/crypto/ed25519.js';
import { toHex } from '../src/node-core/crypto/hash.js';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';
import { ChainDb } from '../src/node-core/storage/chaindb.js';
import type { Figure } from './run.js';

const SELF = fileURLToPath(import.meta.url);
const SENDERS = 10;

/** One reopen in a fresh process. */
interface OpenSample {
  /** Chain.open wall time, ms. */
  open_ms: number;
  /** Resident set size right after the open, MB. */
  rss_mb_after_open: number;
  /** One block of 10 transfers produced right after the open, ms. */
  first_block_ms: number;
  /** RSS after that block, MB. */
  rss_mb_after_block: number;
  /** Process start (node + tsx + imports) to the end of the open, ms (context). */
  process_to_open_ms: number;
}

export interface StateScaleRow {
  accounts: number;
  /** Chain DB size on disk, MB. */
  db_mb: number;
  /** Building the chain DB (genesis with these allocations, streamed), wall s (context, not a target). */
  build_s: number;
  /** The builder's CPU time (user + system), s, and peak RSS, MB (bounded: it streams). */
  build_cpu_s: number;
  build_peak_rss_mb: number;
  /** Median of the reopens. */
  open_ms: number;
  rss_mb_after_open: number;
  first_block_ms: number;
  rss_mb_after_block: number;
  /** open_ms ÷ the 10k row's open_ms. */
  open_vs_10k: number;
  samples: OpenSample[];
}

export interface StateScaleResult {
  name: 'state-scale';
  rows: StateScaleRow[];
  /** The 1M row (when run): targets. */
  target_open_ms: 1000;
  target_rss_mb: 300;
  meets_target: boolean | null;
  not_run: string[];
  /** The target figures beside their reference, the 10k row (bench/run.ts summary). */
  figures: Figure[];
  load_avg: number[];
  node: string;
  date: string;
}

const seedOfSender = (i: number) => new Uint8Array(32).fill(i + 1);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

async function dirSize(dir: string): Promise<number> {
  let n = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? await dirSize(p) : (await fs.stat(p)).size;
  }
  return n;
}

/** What the builder process reports. */
interface BuildSample {
  /** Builder CPU time (user + system), s. */
  cpu_s: number;
  /** Builder peak RSS (VmHWM), MB. */
  peak_rss_mb: number;
}

/** The bench allocations: 10 seeded senders, then `n - 10` random addresses, generated as they are read. */
function* benchAllocations(n: number): Generator<Genesis['accounts'][number]> {
  for (let i = 0; i < Math.min(SENDERS, n); i++) yield { address: addressOf(keysFromSeed(seedOfSender(i)).publicKey), balance: '1000000000000' };
  const CHUNK = 65536;
  for (let done = SENDERS; done < n; ) {
    const k = Math.min(CHUNK, n - done);
    const rnd = randomBytes(20 * k);
    for (let i = 0; i < k; i++, done++) yield { address: 'tb1' + rnd.toString('hex', 20 * i, 20 * i + 20), balance: String(1000 + (done % 1000)) };
  }
}

/** Peak RSS of this process (VmHWM), MB. */
async function peakRssMb(): Promise<number> {
  const m = /VmHWM:\s+(\d+) kB/.exec(await fs.readFile('/proc/self/status', 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : Math.round(process.memoryUsage().rss / 2 ** 20);
}

/**
 * Creates `<root>/chain` holding block 0 of a genesis with `n` accounts, streamed
 * (chain/genesis-stream.ts: bounded memory and batches, built aside and renamed), and writes
 * `<root>/genesis-head.json`; prints a BuildSample.
 */
async function build(root: string, n: number): Promise<void> {
  const validator = keysFromSeed(new Uint8Array(32).fill(200));
  const head: Omit<Genesis, 'hash'> = {
    network: 'bench', chain_id: 31337, block_time_ms: 1000, timestamp_ms: Date.now() - 60_000,
    validators: [{ address: addressOf(validator.publicKey), public_key: toHex(validator.publicKey), stake: '1' }],
    accounts: [],
  };
  const built = await buildGenesisChain(path.join(root, 'chain'), head, n, benchAllocations(n));
  // One unmeasured reopen: LevelDB replays its log (at most a write buffer, 4 MiB) into a table once.
  await (await ChainDb.open(path.join(root, 'chain'))).close();
  await writeFileAtomic(path.join(root, 'genesis-head.json'), JSON.stringify(built.genesis));
  const cpu = process.cpuUsage();
  const sample: BuildSample = { cpu_s: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)), peak_rss_mb: await peakRssMb() };
  process.stdout.write(JSON.stringify(sample) + '\n');
}

/** Child: opens the chain, produces one block, prints an OpenSample as JSON. */
async function child(root: string): Promise<void> {
  const genesis = JSON.parse(await fs.readFile(path.join(root, 'genesis-head.json'), 'utf8')) as Genesis;
  const validator = keysFromSeed(new Uint8Array(32).fill(200));
  const t0 = performance.now();
  const chain = await Chain.open({ dir: path.join(root, 'chain'), genesis, nodeKey: { ...validator, address: addressOf(validator.publicKey) }, mempool: { minFee: 1n } });
  const openMs = performance.now() - t0;
  const toOpen = performance.now();
  const rssOpen = process.memoryUsage().rss;
  const t1 = performance.now();
  for (let i = 0; i < SENDERS; i++) {
    const k = keysFromSeed(seedOfSender(i));
    const nonce = BigInt(chain.accountState(addressOf(k.publicKey)).pendingNonce);
    chain.submit(signTransfer({ chainId: 31337, publicKey: k.publicKey, secretKey: k.secretKey, to: 'tb1' + randomBytes(20).toString('hex'), amount: 1000n, fee: 1n, nonce }).bytes);
  }
  const h = await chain.produceBlock();
  if (h.tx_count !== SENDERS) throw new Error(`block ${h.height} holds ${h.tx_count} transfers, expected ${SENDERS}`);
  const blockMs = performance.now() - t1;
  const sample: OpenSample = {
    open_ms: Number(openMs.toFixed(1)),
    rss_mb_after_open: Math.round(rssOpen / 2 ** 20),
    first_block_ms: Number(blockMs.toFixed(1)),
    rss_mb_after_block: Math.round(process.memoryUsage().rss / 2 ** 20),
    process_to_open_ms: Math.round(toOpen),
  };
  await chain.close();
  process.stdout.write(JSON.stringify(sample) + '\n');
}

/** A numeric environment variable (the runner, `npm run bench`, passes no flags), or undefined. */
function envNumber(name: string): number | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : Number(v);
}

/**
 * Builds and reopens chains of growing size, writes bench/results/state-scale.json.
 * @param o.max largest account count (default 1,000,000; 10,000,000 adds the 10M row);
 *   o.opens reopens per size (default 3); o.out result file.
 */
export async function runStateScaleBench(o: { max?: number; opens?: number; out?: string; log?: (s: string) => void } = {}): Promise<StateScaleResult> {
  const max = o.max ?? envNumber('STATE_SCALE_MAX') ?? 1_000_000;
  const opens = o.opens ?? envNumber('STATE_SCALE_OPENS') ?? 3;
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const sizes = [10_000, 100_000, 1_000_000, 10_000_000].filter((n) => n <= max);
  const notRun = [10_000_000].filter((n) => n > max).map((n) => `${n} accounts (pass --max ${n}, or STATE_SCALE_MAX=${n} npm run bench -- state-scale: ~1 GB of chain DB, minutes to build)`);
  const rows: StateScaleRow[] = [];
  for (const n of sizes) {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), `tb-bench-state-${n}-`));
    try {
      log(`${n} accounts: building the chain DB…`);
      const tb = performance.now();
      // Built in its own process (default heap limit: the build streams) so the builder's memory is not the measured node's.
      const { stdout: bout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SELF, '--build', root, String(n)], { maxBuffer: 1 << 20 });
      const buildS = (performance.now() - tb) / 1000;
      const bs = JSON.parse(bout.trim().split('\n').pop()!) as BuildSample;
      log(`  built in ${buildS.toFixed(1)} s (CPU ${bs.cpu_s} s, peak RSS ${bs.peak_rss_mb} MB)`);
      const samples: OpenSample[] = [];
      for (let i = 0; i < opens; i++) {
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', SELF, '--child', root], { maxBuffer: 1 << 20 });
        samples.push(JSON.parse(stdout.trim().split('\n').pop()!) as OpenSample);
        log(`  open ${i + 1}/${opens}: ${samples[i].open_ms} ms, RSS ${samples[i].rss_mb_after_open} MB; first block ${samples[i].first_block_ms} ms`);
      }
      const openMs = median(samples.map((s) => s.open_ms));
      rows.push({
        accounts: n,
        db_mb: Math.round((await dirSize(path.join(root, 'chain'))) / 2 ** 20),
        build_s: Number(buildS.toFixed(1)),
        build_cpu_s: bs.cpu_s,
        build_peak_rss_mb: bs.peak_rss_mb,
        open_ms: openMs,
        rss_mb_after_open: median(samples.map((s) => s.rss_mb_after_open)),
        first_block_ms: median(samples.map((s) => s.first_block_ms)),
        rss_mb_after_block: median(samples.map((s) => s.rss_mb_after_block)),
        open_vs_10k: rows.length === 0 ? 1 : Number((openMs / rows[0].open_ms).toFixed(2)),
        samples,
      });
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }
  const m = rows.find((r) => r.accounts === 1_000_000);
  const result: StateScaleResult = {
    name: 'state-scale',
    rows,
    target_open_ms: 1000,
    target_rss_mb: 300,
    meets_target: m ? m.open_ms < 1000 && m.rss_mb_after_block < 300 : null,
    not_run: notRun,
    figures: rows.slice(1).flatMap((r) => [
      { figure: `node start at ${r.accounts / 1000}k accounts`, value: r.open_ms, unit: 'ms', reference: 'the same node at 10k accounts', reference_value: rows[0].open_ms, ratio: r.open_vs_10k, target: '< 1000 ms, flat in accounts', meets: r.open_ms < 1000 },
      { figure: `node RSS at ${r.accounts / 1000}k accounts`, value: r.rss_mb_after_block, unit: 'MB', reference: 'the same node at 10k accounts', reference_value: rows[0].rss_mb_after_block, ratio: Number((r.rss_mb_after_block / rows[0].rss_mb_after_block).toFixed(2)), target: '< 300 MB', meets: r.rss_mb_after_block < 300 },
    ]),
    load_avg: os.loadavg().map((x) => Number(x.toFixed(2))),
    node: process.version,
    date: new Date().toISOString(),
  };
  const out = o.out ?? fileURLToPath(new URL('./results/state-scale.json', import.meta.url));
  await fs.mkdir(path.dirname(out), { recursive: true });
  await writeFileAtomic(out, JSON.stringify(result, null, 2) + '\n');
  return result;
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? process.argv[i + 1] : undefined;
  };
  const fail = (err: unknown) => {
    console.error(err);
    process.exit(1);
  };
  if (arg('--build')) build(arg('--build')!, Number(process.argv[process.argv.indexOf('--build') + 2])).catch(fail);
  else if (arg('--child')) child(arg('--child')!).catch(fail);
  else runStateScaleBench({ max: arg('--max') ? Number(arg('--max')) : undefined, opens: arg('--opens') ? Number(arg('--opens')) : undefined, out: arg('--out') }).then((r) => console.log(JSON.stringify(r, null, 2)), fail);
}
