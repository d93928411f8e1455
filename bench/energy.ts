/**
 * Energy benchmark (issue 14): `energy.submit_reading` throughput with valid Ed25519 signatures on
 * a real dev node (RPC over one WebSocket, requests pipelined; the node verifies each signature
 * against its key registry, runs the market checks, batches the readings into `energy.readings`
 * transactions and admits them to the mempool), beside raw Ed25519 verify/s (libsodium, the
 * node's own verifier) of the same 32-byte digests measured in the same run. Target ≥ 0.5 ×.
 *
 * The node answers a reading once it is verified and durably queued (not when it is in a block),
 * so two rates are reported: accepted/s (the answers) and included/s (readings in blocks, until the
 * last one is in). The node runs with 1 s blocks (the node key may hold 16 pending txs of ≤ 64 KiB
 * of readings each: blocks bound the included rate) and the energy and global per-IP rate limits off. Readings:
 * P providers × R readings with strictly increasing timestamps and nonces, submitted round-robin.
 * Writes bench/results/energy.json. Run: `node --import tsx bench/energy.ts [--providers 40] [--readings 250]`.
 */
import '../src/node-core/polyfills.js';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/node-core/node-config.js';
import { generateKeys, sign, verify } from '../src/node-core/crypto/ed25519.js';
import { signingDigest } from '../src/node-core/energy/index.js';
import { Node } from '../src/node-core/node.js';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';
import type { Figure } from './run.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** CPU time of the calling thread (Node ≥ 22.19; not yet in @types/node). */
const threadCpu = (): NodeJS.CpuUsage => (process as unknown as { threadCpuUsage(): NodeJS.CpuUsage }).threadCpuUsage();

export interface EnergyBenchResult {
  readings: number;
  /** Readings submitted before the measured run (JIT warm-up), not counted. */
  warmup_readings: number;
  providers: number;
  /** Readings answered (verified, checked, durably queued) per second. */
  submit_reading_per_s: number;
  accepted: number;
  /** Readings in blocks per second, first submission → last reading in a block. */
  included_per_s: number;
  included: number;
  included_ratio: number;
  rejected: Record<string, number>;
  raw_ed25519_verify_per_s: number;
  ratio: number;
  target_ratio: number;
  met: boolean;
  block_time_ms: number;
  /** Diagnostic: CPU time (µs) per accepted reading in the node (main thread; all threads incl. the verify workers) and per raw verify. */
  cpu_us_per_reading: { node_main_thread: number; node_all_threads: number; load_generator: number; raw_verify: number };
  note: string;
  figures: Figure[];
}

function rawVerifyPerSec(digests: Uint8Array[], sigs: Uint8Array[], pubs: Uint8Array[], ms = 2000): number {
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 200; i++, n++) {
      const k = n % digests.length;
      if (!verify(sigs[k], digests[k], pubs[k])) throw new Error('raw verify failed');
    }
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function runEnergyBench(o: { log?: (s: string) => void; providers?: number; readings?: number; blockMs?: number } = {}): Promise<EnergyBenchResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  // Readings per provider (timestamps now−5 … now−5+R−1 must stay within the 300 s skew), the
  // first W of them a warm-up: 80 × 250 = 20,000 signed readings, 16,000 measured.
  const P = o.providers ?? 80;
  const R = o.readings ?? 250;
  const W = 50;
  const blockMs = o.blockMs ?? 1000;
  const keys = Array.from({ length: P }, () => generateKeys());
  const ids = keys.map((_, i) => `energy-0x${i.toString(16).padStart(8, '0')}`);
  // the node in a child process: the load generator does not share its event loop
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(blockMs)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TB_ENERGY: JSON.stringify({ provider_keys: keys.map((k, i) => ({ provider_id: ids[i], public_key_hex: Buffer.from(k.publicKey).toString('hex') })) }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [port] = (await once(child, 'message')) as [number];
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  let next = 1;
  const waiting = new Map<number, (m: { result?: unknown; error?: { data?: { reason?: string }; message: string } }) => void>();
  ws.on('message', (d) => {
    const m = JSON.parse(String(d));
    waiting.get(m.id)?.(m);
    waiting.delete(m.id);
  });
  const call = (method: string, params: unknown) =>
    new Promise<{ result?: any; error?: { data?: { reason?: string }; message: string } }>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  try {
    // register the providers (fee-exempt node txs; 16 pending per block)
    for (let i = 0; i < P; i++) {
      let r = await call('energy.register_provider', { capacity_kwh: 10_000_000, price_per_kwh: 3, stake: 1000, meter_address: `bench-${i}`, jurisdiction: 'US_CA' });
      while (r.error?.data?.reason === 'pending_limit_reached') {
        await new Promise((x) => setTimeout(x, blockMs));
        r = await call('energy.register_provider', { capacity_kwh: 10_000_000, price_per_kwh: 3, stake: 1000, meter_address: `bench-${i}`, jurisdiction: 'US_CA' });
      }
      if (r.error) throw new Error(`register: ${r.error.message}`);
    }
    while ((await call('energy.market_state', {})).result.providers.length < P) await new Promise((x) => setTimeout(x, blockMs));
    // pre-sign every reading (timestamps now−5 … now−5+R−1, within the 300 s skew and the 30-block timeout as they are sent)
    const base = Math.floor(Date.now() / 1000) - 5;
    const payloads: unknown[] = [];
    const digests: Uint8Array[] = [];
    const sigs: Uint8Array[] = [];
    const pubs: Uint8Array[] = [];
    for (let n = 0; n < R; n++)
      for (let i = 0; i < P; i++) {
        const r = { provider_id: ids[i], meter_address: `bench-${i}`, total_kwh: BigInt((n + 1) * 10), timestamp: base + n, nonce: BigInt(n + 1) };
        const dg = signingDigest(r);
        const sig = sign(dg, keys[i].secretKey);
        digests.push(dg);
        sigs.push(sig);
        pubs.push(keys[i].publicKey);
        payloads.push({ provider_id: r.provider_id, meter_address: r.meter_address, kwh_reading: Number(r.total_kwh), timestamp: r.timestamp, nonce: n + 1, signature: Buffer.from(sig).toString('hex') });
      }
    // Warm-up (JIT, verify pool, journal file), not counted — as bench/import.ts does: each
    // provider's first W readings, answered before the measured run starts.
    const warm = payloads.slice(0, W * P);
    const measured = payloads.slice(W * P);
    log(`energy: warm-up with ${warm.length} readings (not counted)…`);
    const warmAnswers = await Promise.all(warm.map((p) => call('energy.submit_reading', p)));
    const warmErr = warmAnswers.find((a) => a.error);
    if (warmErr) throw new Error(`warm-up reading refused: ${warmErr.error!.message}`);
    // Wait until the warm-up readings are on chain, so the measured run starts from an empty queue.
    const lastWarm = warmAnswers.at(-1)?.result?.meter_hash as string | undefined;
    for (let i = 0; lastWarm && i < 3_000; i++) {
      const st = await call('energy.reading_status', { meter_hash: lastWarm });
      if (st.error || st.result.status === 'included' || st.result.status === 'refused') break;
      await new Promise((x) => setTimeout(x, 20));
    }
    const included0 = (await call('energy.market_state', {})).result.totals.readings as number;
    log(`energy: ${measured.length} signed readings of ${P} providers; submitting over one WebSocket…`);
    const cpu0 = await childCpu(child);
    const gen0 = threadCpu();
    const rejected: Record<string, number> = {};
    const t0 = performance.now();
    const answers = await Promise.all(measured.map((p) => call('energy.submit_reading', p)));
    const secs = (performance.now() - t0) / 1000;
    let accepted = 0;
    for (const a of answers) {
      if (a.error) rejected[a.error.data?.reason ?? a.error.message] = (rejected[a.error.data?.reason ?? a.error.message] ?? 0) + 1;
      else accepted++;
    }
    const gen1 = threadCpu();
    const cpu1 = await childCpu(child);
    const perSec = accepted / secs;
    log(`energy: ${accepted} accepted in ${secs.toFixed(2)} s → ${Math.round(perSec)} readings/s${Object.keys(rejected).length ? `; rejected ${JSON.stringify(rejected)}` : ''}`);
    // inclusion: the queue is FIFO, so the last accepted reading is the last one into a block
    const last = [...answers].reverse().find((a) => !a.error)?.result?.meter_hash as string | undefined;
    let lastState = 'unknown';
    for (let i = 0; last && i < 12_000; i++) {
      const st = await call('energy.reading_status', { meter_hash: last });
      if (st.error) break;
      lastState = st.result.status;
      if (lastState === 'included' || lastState === 'refused') break;
      await new Promise((x) => setTimeout(x, 20));
    }
    const incSecs = (performance.now() - t0) / 1000;
    const included = ((await call('energy.market_state', {})).result.totals.readings as number) - included0;
    const includedPerSec = included / incSecs;
    log(`energy: ${included} included on chain ${incSecs.toFixed(2)} s after the first submission → ${Math.round(includedPerSec)} readings/s (last reading ${lastState})`);
    const rc0 = threadCpu();
    const raw = rawVerifyPerSec(digests.slice(0, 2000), sigs.slice(0, 2000), pubs.slice(0, 2000));
    const rc1 = threadCpu();
    // CPU time (not wall time) per item: what a loaded machine distorts least
    const rawCpuUs = (rc1.user + rc1.system - rc0.user - rc0.system) / (raw * 2);
    const mainCpuUs = (cpu1.main - cpu0.main) / Math.max(1, accepted);
    const allCpuUs = (cpu1.all - cpu0.all) / Math.max(1, accepted);
    const genCpuUs = (gen1.user + gen1.system - gen0.user - gen0.system) / Math.max(1, measured.length);
    log(`energy: CPU per reading: node main thread ${mainCpuUs.toFixed(1)} µs, node all threads ${allCpuUs.toFixed(1)} µs (system ${((cpu1.sys - cpu0.sys) / Math.max(1, accepted)).toFixed(1)} µs); load generator ${genCpuUs.toFixed(1)} µs; raw verify ${rawCpuUs.toFixed(1)} µs CPU each`);
    log(`energy: raw Ed25519 verify (libsodium) ${Math.round(raw)}/s in the same run`);
    const ratio = Math.round((perSec / raw) * 1000) / 1000;
    const result: EnergyBenchResult = {
      readings: measured.length, warmup_readings: warm.length, providers: P, submit_reading_per_s: Math.round(perSec), accepted, included_per_s: Math.round(includedPerSec), included, included_ratio: Math.round((includedPerSec / raw) * 1000) / 1000,
      rejected, raw_ed25519_verify_per_s: Math.round(raw), ratio, target_ratio: 0.5, met: ratio >= 0.5, block_time_ms: blockMs,
      cpu_us_per_reading: { node_main_thread: Math.round(mainCpuUs * 10) / 10, node_all_threads: Math.round(allCpuUs * 10) / 10, load_generator: Math.round(genCpuUs * 10) / 10, raw_verify: Math.round(rawCpuUs * 10) / 10 },
      figures: [
        { figure: 'energy.submit_reading accepted readings/s', value: Math.round(perSec), unit: 'readings/s', reference: 'raw Ed25519 verify/s (libsodium, one thread, same run)', reference_value: Math.round(raw), ratio, target: '≥ 0.5 × reference', meets: ratio >= 0.5 },
        { figure: 'energy readings included on chain/s', value: Math.round(includedPerSec), unit: 'readings/s', reference: 'raw Ed25519 verify/s (libsodium, one thread, same run)', reference_value: Math.round(raw), ratio: Math.round((includedPerSec / raw) * 1000) / 1000, // The issue's target is for submit_reading; inclusion is reported: it is bounded by block
        // capacity (the node key's pending readings txs of ≤ 64 KiB per 1-s block), not by verification.
        target: 'reported (bounded by block capacity, not verification)', meets: null },
      ],
      note: 'submit_reading = JSON-RPC over one pipelined WebSocket into a real dev node: params parsed, signature verified against the key registry (1 Ed25519 verify), market checks against chain + accepted readings, appended to the fsync-ed pending-readings journal, then answered; the node packs them into energy.readings txs (≤ 64 KiB) admitted to the mempool. included = readings in blocks (market totals) over first submission → last reading included. raw = libsodium verify of the same digests, one thread, same process, same run',
    };
    await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
    await writeFileAtomic(path.join(HERE, 'results', 'energy.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: os.cpus().length, load_avg_1m: os.loadavg()[0], ...result }, null, 2) + '\n');
    log(`energy: ratio ${ratio} (target ≥ 0.5) → bench/results/energy.json`);
    return result;
  } finally {
    ws.close();
    child.send('stop');
    await once(child, 'exit');
  }
}

/** The node child's CPU time so far (µs): its main thread, and all its threads. */
async function childCpu(child: ReturnType<typeof fork>): Promise<{ main: number; all: number; sys: number }> {
  child.send('cpu');
  const [m] = (await once(child, 'message')) as [{ main: number; all: number; sys: number }];
  return m;
}

/** Child: a dev node with `blockMs` blocks and the rate limits off; sends its RPC port, stops on 'stop'. */
async function serve(blockMs: number): Promise<void> {
  for (const c of ['READ', 'SUBMIT', 'SETTLE', 'DISPUTE']) process.env[`TB_RPC_ENERGY_${c}_TOKENS_PER_SEC`] = '0';
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-bench-energy-'));
  const { config } = loadConfig({
    cwd: os.tmpdir(),
    env: { TB_ENERGY: process.env.TB_ENERGY! },
    flags: { data_dir: path.join(dir, 'node'), rpc_addr: '127.0.0.1:0', metrics_addr: '127.0.0.1:0', block_time_ms: String(blockMs), log_level: 'warn', rpc_tokens_per_sec: '1000000' },
  });
  const node = await Node.start(config, { stdout: false });
  process.send!(node.rpcPort);
  process.on('message', async (msg) => {
    if (msg === 'cpu') {
      const t = threadCpu();
      const a = process.cpuUsage();
      return void process.send!({ main: t.user + t.system, all: a.user + a.system, sys: a.system });
    }
    await node.stop();
    await fs.rm(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

if (process.argv.includes('--serve')) await serve(Number(process.argv[process.argv.indexOf('--serve') + 1]));
else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (f: string) => {
    const i = process.argv.indexOf(f);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  await runEnergyBench({ providers: arg('--providers'), readings: arg('--readings'), blockMs: arg('--block-ms') });
}
