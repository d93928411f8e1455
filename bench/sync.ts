/**
 * Sync benchmark (issues 6 and 17): a full node process syncs a 10,000-block chain with
 * transfers from a validator process over libp2p on loopback, once over QUIC and once over TCP
 * (each network file lists only that transport's bootstrap address), reported in blocks/s and
 * tx/s beside the PER-BLOCK BOUND measured in the same run: 1 / (the block's signatures — its
 * transfers' and its proposer's, txs_per_block + 1 — verified raw with sodium-native on all cores
 * + one fsync of a block-sized append), i.e. what a node that did nothing but check signatures and
 * sync each block to disk would reach. Also (context) the
 * local import of the very same blocks (in-process Chain, no network) and the Node core v1 import
 * benchmark (bench/import.ts) run right after.
 * Target (issue 17): sync ≥ 0.7 × the per-block bound, each sync compared with the mean of the
 * bounds measured right before and right after it (the machine is shared). Catch-up import commits
 * a run of blocks with one fsync, up to 64 blocks per DB write (chain.ts group commit,
 * chain/pending.ts), so it can beat the bound's one fsync per block when fsync is slow (a loaded
 * disk: compare the CPU per block, not only the ratio). Writes bench/results/sync.json.
 * Run: `node --import tsx bench/sync.ts [--blocks 10000] [--txs-per-block 10] [--no-import-bench] [--out file.json]
 * [--cpu-prof-dir dir]` (the last writes a V8 CPU profile of each syncing node there). Each sync also
 * reports the syncing node's CPU per block (all threads and by thread, Linux /proc), which load
 * moves far less than the rate.
 * (`TB_BENCH_SYNC_BLOCKS=2000 npm run bench -- sync` for a shorter chain on a busy machine).
 *
 * The sync rate is measured from the first synced block to the last (the process start is not
 * counted): heights are read from `net.sync_status` every 50 ms. Both nodes log at `warn` so the
 * figure is the sync path, not log formatting.
 */
import '../src/node-core/polyfills.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addressOf } from '../src/node-core/chain/address.js';
import { Chain } from '../src/node-core/chain/chain.js';
import { genesisHash, type Genesis } from '../src/node-core/chain/genesis.js';
import { signingMessage, signTransfer } from '../src/node-core/chain/tx.js';
import { generateKeys, seedOf } from '../src/node-core/crypto/ed25519.js';
import { toHex } from '../src/node-core/crypto/hash.js';
import { VerifyPool, type VerifyItem } from '../src/node-core/crypto/verify-pool.js';
import { freePort, NODE_MAIN, peerIdOfSeed, REPO_ROOT } from '../src/node-core/net/localnet.js';
import { networkFileOf, writeNetworkFile } from '../src/node-core/net/network-file.js';
import { chainModulesOf } from '../src/node-core/modules/index.js';
import { NODE_MODULES } from '../src/node-core/node-modules.js';
import type { KeyPair } from '../src/node-core/wallet/keystore.js';
import type { Figure } from './run.js';

interface Rate {
  blocks: number;
  ms: number;
  blocks_per_s: number;
  tx_per_s: number;
}

/** CPU of the importing node while it synced, µs per block (Linux /proc, clock ticks): all threads, and by thread name. */
interface SyncCpu {
  all_us_per_block: number;
  by_thread_us_per_block: Record<string, number>;
}

/** CPU ms so far of every thread of process `pid`, by thread name (Linux /proc; {} elsewhere). */
function threadCpuMs(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = Number(tid) === pid ? 'main' : s.slice(s.indexOf('(') + 1, s.lastIndexOf(')')).trim();
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      // utime and stime are fields 14 and 15 of stat (11 and 12 after the name), in 1/100 s.
      out[name] = (out[name] ?? 0) + (Number(f[11]) + Number(f[12])) * 10;
    } catch {
      /* the thread ended */
    }
  }
  return out;
}

function cpuPerBlock(a: Record<string, number>, b: Record<string, number>, blocks: number): SyncCpu {
  const by: Record<string, number> = {};
  let all = 0;
  for (const k of Object.keys(b)) {
    const d = b[k] - (a[k] ?? 0);
    all += d;
    if (d > 0) by[k] = Math.round((d / blocks) * 1000);
  }
  return { all_us_per_block: Math.round((all / blocks) * 1000), by_thread_us_per_block: by };
}

export interface SyncBenchResult {
  name: 'sync';
  blocks: number;
  txs: number;
  txs_per_block: number;
  cores: number;
  /** The per-block bound (raw verify of one block's signatures on all cores + one fsync), before, between and after the syncs. */
  bound_runs: Bound[];
  ratio_quic: number;
  ratio_tcp: number;
  target_ratio: 0.7;
  meets_target: boolean;
  /** Context: sync ÷ the local import measured around it (the issue-6 figure). */
  ratio_quic_vs_local_import: number;
  ratio_tcp_vs_local_import: number;
  /** The same blocks imported by an in-process Chain (verify pool + apply + group commit), no network: the best of the runs. */
  local_import: Rate;
  /** Local import before the QUIC sync, between the two syncs, after the TCP sync. */
  local_import_runs: Rate[];
  /** cpu: the syncing node's CPU per block; serving_cpu: the validator's that serves the blocks (same machine). */
  quic: Rate & { transport: string; cpu?: SyncCpu; serving_cpu?: SyncCpu };
  tcp: Rate & { transport: string; cpu?: SyncCpu; serving_cpu?: SyncCpu };
  load_avg: number[];
  /** The target figures beside their references (bench/run.ts summary). */
  figures: Figure[];
  /** Node core v1's import benchmark (bench/import.ts) in the same run: tx/s and its ratio to raw verify. */
  import_bench: { import_tx_per_s: number; raw_verify_per_s_all_cores: number; ratio: number } | { skipped: true } | { error: string };
  node: string;
  date: string;
}

const kp = (): KeyPair => {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey) };
};

/** The per-block bound of one measurement. */
interface Bound {
  /** Raw sodium-native verify on all cores (worker pool), verifies/s. */
  raw_verify_per_s: number;
  /** CPU (all threads of this process) of verifying one block's signatures raw, µs (Linux /proc; 0 elsewhere): compare with the syncing node's cpu.all_us_per_block. */
  raw_verify_cpu_us_per_block: number;
  /** Signatures a block carries: its transfers' and its proposer's (txs_per_block + 1). */
  sigs_per_block: number;
  /** One fdatasync of a block-sized append, ms (mean of 200). */
  fsync_ms: number;
  /** 1000 / (sigs_per_block / raw_verify_per_s × 1000 + fsync_ms). */
  blocks_per_s: number;
}

/** Measures the per-block bound: raw verify of `items` in the pool (`sigsPerBlock` a block), then 200 appends of `blockBytes` bytes each fdatasync'ed in `dir`. */
async function measureBound(pool: VerifyPool, items: VerifyItem[], sigsPerBlock: number, blockBytes: number, dir: string): Promise<Bound> {
  const c0 = threadCpuMs(process.pid);
  const t0 = performance.now();
  const r = await pool.verifyBatch(items);
  if (r.ok.some((x) => x !== 1)) throw new Error('raw verify: a signature failed');
  const verifyPerS = (items.length / (performance.now() - t0)) * 1000;
  const cpu = cpuPerBlock(c0, threadCpuMs(process.pid), items.length / sigsPerBlock).all_us_per_block;
  const file = path.join(dir, `fsync-${Date.now()}.bin`);
  const fh = await fs.open(file, 'a');
  const buf = Buffer.alloc(blockBytes, 7);
  const n = 200;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    await fh.write(buf);
    await fh.datasync();
  }
  const fsyncMs = (performance.now() - t1) / n;
  await fh.close();
  await fs.rm(file, { force: true });
  return { raw_verify_per_s: Math.round(verifyPerS), raw_verify_cpu_us_per_block: cpu, sigs_per_block: sigsPerBlock, fsync_ms: Number(fsyncMs.toFixed(3)), blocks_per_s: Math.round(1000 / ((sigsPerBlock / verifyPerS) * 1000 + fsyncMs)) };
}

function rate(blocks: number, txs: number, ms: number): Rate {
  return { blocks, ms: Math.round(ms), blocks_per_s: Math.round((blocks / ms) * 1000), tx_per_s: Math.round((txs / ms) * 1000) };
}

async function rpc(port: number, method: string): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }) });
  const j = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (j.error) throw new Error(`${method}: ${j.error.message}`);
  return j.result;
}

interface Proc {
  child: ChildProcess;
  rpcPort: number;
  stop(): Promise<void>;
}

function startNode(args: string[], logFile: string, rpcPort: number, nodeFlags: string[] = []): Proc {
  const out = openSync(logFile, 'a');
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TB_')) env[k] = v;
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', NODE_MAIN, '--rpc-addr', `127.0.0.1:${rpcPort}`, '--metrics-addr', '127.0.0.1:0', '--log-level', 'warn', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', out, out] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    rpcPort,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not up yet */
    }
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Builds the chain, measures local import, then sync over QUIC and TCP.
 * @param o.blocks chain length (default 10,000); o.txsPerBlock transfers per block (default 10);
 *   o.importBench also run bench/import.ts (default true); o.out result file.
 */
export async function runSyncBench(o: { blocks?: number; txsPerBlock?: number; importBench?: boolean; out?: string; log?: (s: string) => void; cpuProfDir?: string } = {}): Promise<SyncBenchResult> {
  const nBlocks = o.blocks ?? (Number(process.env.TB_BENCH_SYNC_BLOCKS) || 10_000);
  const perBlock = o.txsPerBlock ?? 10;
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-bench-sync-'));
  const procs: Proc[] = [];
  try {
    const modules = chainModulesOf(NODE_MODULES);
    const validator = kp();
    const senders = Array.from({ length: 500 }, kp);
    const body = {
      // One validator (every block final as made); a 10-minute block time keeps it from producing during the run.
      network: 'syncbench', chain_id: 31339, block_time_ms: 600_000, timestamp_ms: Date.now() - 3_600_000,
      validators: [{ address: validator.address, public_key: toHex(validator.publicKey), stake: '1' }],
      accounts: senders.map((s) => ({ address: s.address, balance: '1000000000000' })),
    };
    const genesis: Genesis = { ...body, hash: genesisHash(body) };
    const total = nBlocks * perBlock;
    log(`signing ${total} transfers…`);
    const perSender = Math.ceil(total / senders.length);
    const txs: Uint8Array[] = [];
    const items: VerifyItem[] = [];
    for (let n = 0; n < perSender && txs.length < total; n++)
      for (const s of senders) {
        if (txs.length >= total) break;
        const tx = signTransfer({ chainId: genesis.chain_id, publicKey: s.publicKey, secretKey: s.secretKey, to: senders[(txs.length * 7) % senders.length].address, amount: 1n + BigInt(n), fee: 1n, nonce: BigInt(n) });
        txs.push(tx.bytes);
        items.push({ publicKey: tx.publicKey, signature: tx.signature, message: signingMessage(genesis.chain_id, tx.payloadBytes) });
      }

    log(`producing ${nBlocks} blocks of ${perBlock} transfers…`);
    const vdir = path.join(root, 'validator');
    // With the node's chain modules (their hooks change module state from block 1): the
    // validator and the full node are node processes, which run them.
    const producer = await Chain.open({ dir: path.join(vdir, 'chain'), genesis, nodeKey: validator, modules, mempool: { maxSize: total, maxPerAccount: perSender, minFee: 1n }, maxBlockTxs: perBlock });
    for (const t of txs) producer.submit(t);
    const blocks: Uint8Array[] = [];
    for (let h = 1; h <= nBlocks; h++) {
      await producer.produceBlock();
      blocks.push((await producer.blockAt(h))!.bytes);
    }
    await producer.close();
    await fs.writeFile(path.join(vdir, 'chain', 'genesis.json'), JSON.stringify(genesis, null, 2) + '\n');
    await fs.mkdir(path.join(vdir, 'keys'), { recursive: true, mode: 0o700 });
    await fs.writeFile(path.join(vdir, 'keys', 'node_key.json'), JSON.stringify({ version: 1, name: 'node', address: validator.address, public_key: toHex(validator.publicKey), seed: toHex(seedOf(validator.secretKey)) }) + '\n', { mode: 0o600 });

    log('local import of the same blocks (no network)…');
    const pool = new VerifyPool();
    const importOnce = async (tag: string) => {
      const c = await Chain.open({ dir: path.join(root, `local-${tag}`), genesis, nodeKey: kp(), verifyPool: pool, modules });
      const t = performance.now();
      // In order, in batches like sync's ranges (all queued at once: signature checks overlap applies).
      for (let i = 0; i < blocks.length; i += 128) await Promise.all(blocks.slice(i, i + 128).map((b) => c.importBlock(b)));
      const ms = performance.now() - t;
      if (c.tip().height !== nBlocks) throw new Error('local import stopped early');
      await c.close();
      return ms;
    };
    await importOnce('warmup');
    // The machine is shared (2 cores): local import runs before, between and after the two sync
    // runs, and each sync is compared with the mean of the imports measured around it.
    const localRun = async (tag: string) => {
      const r = rate(nBlocks, total, await importOnce(tag));
      log(`local import (${tag}): ${r.blocks_per_s} blocks/s, ${r.tx_per_s} tx/s`);
      return r;
    };
    const blockBytes = Math.round(blocks.reduce((n, b) => n + b.length, 0) / blocks.length);
    const boundRun = async (tag: string) => {
      const b = await measureBound(pool, items, perBlock + 1, blockBytes, root);
      log(`per-block bound (${tag}): ${b.blocks_per_s} blocks/s (raw verify ${b.raw_verify_per_s}/s, ${b.raw_verify_cpu_us_per_block} µs CPU per block; fsync ${b.fsync_ms} ms)`);
      return b;
    };
    await pool.verifyBatch(items.slice(0, 2000)); // warm up the workers
    const localBefore = await localRun('before');
    const boundBefore = await boundRun('before');

    const quicPort = await freePort('udp');
    const tcpPort = await freePort('tcp');
    const peerId = await peerIdOfSeed(seedOf(validator.secretKey));
    const files = {
      quic: path.join(root, 'network-quic.json'),
      tcp: path.join(root, 'network-tcp.json'),
    };
    await writeNetworkFile(files.quic, networkFileOf(genesis, [`/ip4/127.0.0.1/udp/${quicPort}/quic-v1/p2p/${peerId}`]));
    await writeNetworkFile(files.tcp, networkFileOf(genesis, [`/ip4/127.0.0.1/tcp/${tcpPort}/p2p/${peerId}`]));
    const v = startNode(['--network', files.quic, '--data-dir', vdir, '--p2p-quic-addr', `127.0.0.1:${quicPort}`, '--p2p-tcp-addr', `127.0.0.1:${tcpPort}`], path.join(root, 'validator.log'), await freePort());
    procs.push(v);
    await until('validator ready', async () => (await rpc(v.rpcPort, 'node.status')).phase === 'ready' && (await rpc(v.rpcPort, 'chain.tip')).height === nBlocks, 120_000);

    const syncOver = async (t: 'quic' | 'tcp') => {
      log(`full node syncing ${nBlocks} blocks over ${t.toUpperCase()}…`);
      const prof = o.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(o.cpuProfDir), '--cpu-prof-name', `full-${t}-${Date.now()}.cpuprofile`] : [];
      const f = startNode(['--network', files[t], '--data-dir', path.join(root, `full-${t}`)], path.join(root, `full-${t}.log`), await freePort(), prof);
      procs.push(f);
      const first = await until('first synced block', async () => {
        const s = await rpc(f.rpcPort, 'net.sync_status');
        return s.local_height >= 1 && { h: s.local_height as number, t: performance.now(), cpu: threadCpuMs(f.child.pid!), vcpu: threadCpuMs(v.child.pid!) };
      }, 120_000, 20);
      const done = await until('sync to the head', async () => (await rpc(f.rpcPort, 'net.sync_status')).local_height >= nBlocks && performance.now(), 600_000);
      const cpu = cpuPerBlock(first.cpu, threadCpuMs(f.child.pid!), nBlocks - first.h);
      const vcpu = cpuPerBlock(first.vcpu, threadCpuMs(v.child.pid!), nBlocks - first.h);
      const peers = await rpc(f.rpcPort, 'net.peers');
      const transport = peers[0]?.transport ?? 'none';
      await f.stop();
      const r = rate(nBlocks - first.h, (nBlocks - first.h) * perBlock, done - first.t);
      log(`sync over ${t}: ${r.blocks_per_s} blocks/s, ${r.tx_per_s} tx/s (connection: ${transport}); importing node CPU ${cpu.all_us_per_block} µs/block ${JSON.stringify(cpu.by_thread_us_per_block)}, serving node ${vcpu.all_us_per_block} µs/block`);
      return { ...r, transport, ...(cpu.all_us_per_block > 0 ? { cpu, serving_cpu: vcpu } : {}) };
    };
    const quic = await syncOver('quic');
    const localBetween = await localRun('between');
    const boundBetween = await boundRun('between');
    const tcp = await syncOver('tcp');
    await v.stop();
    const localAfter = await localRun('after');
    const boundAfter = await boundRun('after');
    await pool.close();
    const mean = (a: { blocks_per_s: number }, b: { blocks_per_s: number }) => (a.blocks_per_s + b.blocks_per_s) / 2;
    const best = [localBefore, localBetween, localAfter].reduce((x, y) => (y.blocks_per_s > x.blocks_per_s ? y : x));

    let importBench: SyncBenchResult['import_bench'] = { skipped: true };
    if (o.importBench !== false) {
      log('Node core v1 import benchmark (bench/import.ts) in the same run…');
      try {
        const { runImportBench } = await import('./import.js');
        // Its own results file is left to `npm run bench -- import`; the figures go into sync.json.
        const r = await runImportBench({ rounds: 3, log, out: path.join(root, 'import.json') });
        importBench = { import_tx_per_s: r.import_tx_per_s, raw_verify_per_s_all_cores: r.raw_verify_per_s_all_cores, ratio: r.ratio };
      } catch (err) {
        importBench = { error: (err as Error).message };
      }
    }
    const ratioQuic = Number((quic.blocks_per_s / mean(boundBefore, boundBetween)).toFixed(3));
    const ratioTcp = Number((tcp.blocks_per_s / mean(boundBetween, boundAfter)).toFixed(3));
    const result: SyncBenchResult = {
      name: 'sync',
      blocks: nBlocks,
      txs: total,
      txs_per_block: perBlock,
      cores: os.availableParallelism(),
      local_import: best,
      local_import_runs: [localBefore, localBetween, localAfter],
      quic,
      tcp,
      bound_runs: [boundBefore, boundBetween, boundAfter],
      ratio_quic: ratioQuic,
      ratio_tcp: ratioTcp,
      target_ratio: 0.7,
      meets_target: ratioQuic >= 0.7 && ratioTcp >= 0.7,
      ratio_quic_vs_local_import: Number((quic.blocks_per_s / mean(localBefore, localBetween)).toFixed(3)),
      ratio_tcp_vs_local_import: Number((tcp.blocks_per_s / mean(localBetween, localAfter)).toFixed(3)),
      load_avg: os.loadavg().map((x) => Number(x.toFixed(2))),
      figures: (['quic', 'tcp'] as const).map((t) => {
        const ref = Math.round(t === 'quic' ? mean(boundBefore, boundBetween) : mean(boundBetween, boundAfter));
        const ratio = t === 'quic' ? ratioQuic : ratioTcp;
        return { figure: `sync blocks/s (${perBlock} tx/block, ${t.toUpperCase()})`, value: (t === 'quic' ? quic : tcp).blocks_per_s, unit: 'blocks/s', reference: `per-block bound: raw verify of the block's ${perBlock + 1} signatures + one fsync per block`, reference_value: ref, ratio, target: '≥ 0.7 × reference', meets: ratio >= 0.7 };
      }),
      import_bench: importBench,
      node: process.version,
      date: new Date().toISOString(),
    };
    const out = o.out ?? fileURLToPath(new URL('./results/sync.json', import.meta.url));
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    for (const p of procs) await p.stop().catch(() => {});
    if (process.env.TB_BENCH_KEEP) log(`kept ${root} (TB_BENCH_KEEP)`);
    else await fs.rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const profAt = process.argv.indexOf('--cpu-prof-dir');
  const outAt = process.argv.indexOf('--out');
  runSyncBench({ blocks: arg('--blocks'), txsPerBlock: arg('--txs-per-block'), importBench: !process.argv.includes('--no-import-bench'), cpuProfDir: profAt > 0 ? process.argv[profAt + 1] : undefined, out: outAt > 0 ? path.resolve(process.argv[outAt + 1]) : undefined }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
