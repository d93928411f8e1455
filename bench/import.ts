/**
 * Import benchmark (issue 2 "Benchmarks"): ≥ 20,000 signed transfers in blocks are imported by a
 * second chain (worker-pool signature verify + apply + atomic synced commit per block), reported in
 * tx/s beside the raw sodium-native verify rate on all cores measured in the same run, on the same
 * signatures. Target: import ≥ 0.8 × raw (issue 17; 0.5 in issue 2). Blocks are committed as
 * catch-up import does (chain.ts group commit: one fsync per run of queued blocks). Writes bench/results/import.json.
 * Run: `node --import tsx bench/import.ts [--txs 20000] [--block 1000] [--rounds 5] [--out file.json]`.
 */
import { promises as fs, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addressOf } from '../src/node-core/chain/address.js';
import { Chain } from '../src/node-core/chain/chain.js';
import { genesisHash, type Genesis } from '../src/node-core/chain/genesis.js';
import { signingMessage, signTransfer, type SignedTx } from '../src/node-core/chain/tx.js';
import { generateKeys, verify } from '../src/node-core/crypto/ed25519.js';
import { toHex } from '../src/node-core/crypto/hash.js';
import { VerifyPool, type VerifyItem } from '../src/node-core/crypto/verify-pool.js';
import type { KeyPair } from '../src/node-core/wallet/keystore.js';
import type { Figure } from './run.js';

export interface ImportBenchResult {
  name: 'import';
  txs: number;
  blocks: number;
  block_size: number;
  cores: number;
  /** Import throughput: verify (pool) + apply + commit, tx/s. */
  import_tx_per_s: number;
  /** Raw sodium-native Ed25519 verify on all cores (worker pool, same signatures), verifies/s. */
  raw_verify_per_s_all_cores: number;
  /** Raw verify on the main thread alone, verifies/s (context). */
  raw_verify_per_s_one_core: number;
  /** Median over rounds of import ÷ raw measured around that import (see the loop). */
  ratio: number;
  target_ratio: 0.8;
  meets_target: boolean;
  import_ms: number;
  /** Alternating raw/import rounds; figures above are the best of each. */
  rounds: number;
  /**
   * CPU time per transaction (µs, median over rounds), which the machine's load changes far less
   * than the rates: `raw` = the raw verify run (all threads), `import_all` = the import (all
   * threads: main, verify workers, LevelDB, GC), `import_main` = the import's main thread alone
   * (decode, apply, state hashing, DB batch). Import ≥ 0.8 × raw on all cores needs
   * import_all ≤ raw / 0.8. Linux only (/proc), else omitted.
   */
  cpu_us_per_tx?: {
    raw: number;
    import_all: number;
    import_main: number;
    /** The import's libuv threadpool threads (LevelDB batch writes, file I/O). */
    import_db_threads: number;
    /** Everything else of the import: the verify workers, V8's GC helpers, LevelDB compaction. */
    import_other_threads: number;
  };
  /**
   * The CPU budget left for everything but verifying (µs/tx): raw / 0.8 − raw. Import meets the
   * target on saturated cores only when import_all − (the workers' verify share ≈ raw) fits in it.
   */
  non_verify_budget_us_per_tx?: number;
  samples: { round_ratios: number[]; import_tx_per_s: number[]; raw_verify_per_s: number[] };
  /** The target figure beside its reference (bench/run.ts summary). */
  figures: Figure[];
  load_avg: number[];
  node: string;
  date: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * CPU ms so far: of the whole process, of its main thread and of its libuv threadpool threads
 * (named `libuv-worker`: LevelDB batch writes) — Linux /proc, else undefined. Threads that ended
 * meanwhile drop out of the per-thread sums (none do during a run: the pool and LevelDB keep theirs).
 */
function cpuMs(): { all: number; main: number | undefined; db: number | undefined } {
  const u = process.cpuUsage();
  let main: number | undefined;
  let db: number | undefined;
  try {
    db = 0;
    for (const t of readdirSync('/proc/self/task')) {
      let stat: string;
      try {
        stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      } catch {
        continue; // ended meanwhile
      }
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
      if (t === String(process.pid)) main = ms;
      else if (comm === 'libuv-worker') db += ms;
    }
  } catch {
    main = undefined;
    db = undefined;
  }
  return { all: (u.user + u.system) / 1000, main, db };
}

function keyPair(): KeyPair {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey) };
}

/**
 * Builds the blocks with a producing chain, measures raw verify and import, writes the JSON.
 * @param o.txs transfers (default 20,000); o.blockSize transfers per block (default 1,000);
 *   o.rounds alternating raw/import measurements (default 5); o.out result file.
 */
export async function runImportBench(o: { txs?: number; blockSize?: number; rounds?: number; out?: string; log?: (s: string) => void } = {}): Promise<ImportBenchResult> {
  const total = o.txs ?? 20_000;
  const rounds = o.rounds ?? 5;
  const blockSize = o.blockSize ?? 1_000;
  const log = o.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-bench-import-'));
  try {
    // Genesis: 1,000 funded senders, so blocks hold many senders (as on a real chain), not one nonce run.
    const producerKey = keyPair();
    const senders = Array.from({ length: 1000 }, keyPair);
    const body = {
      network: 'bench', chain_id: 31337, block_time_ms: 1000, timestamp_ms: Date.now() - 10 * 60_000,
      validators: [{ address: producerKey.address, public_key: toHex(producerKey.publicKey), stake: '1' }],
      accounts: senders.map((s) => ({ address: s.address, balance: '1000000000' })),
    };
    const genesis: Genesis = { ...body, hash: genesisHash(body) };

    log(`signing ${total} transfers…`);
    const txs: SignedTx[] = [];
    const perSender = Math.ceil(total / senders.length);
    for (let n = 0; n < perSender && txs.length < total; n++) {
      for (const s of senders) {
        if (txs.length >= total) break;
        txs.push(signTransfer({ chainId: 31337, publicKey: s.publicKey, secretKey: s.secretKey, to: addressOf(generateKeys().publicKey), amount: 1000n + BigInt(n), fee: 1n, nonce: BigInt(n) }));
      }
    }

    log('producing blocks…');
    const producer = await Chain.open({ dir: path.join(root, 'producer'), genesis, nodeKey: producerKey, mempool: { maxSize: total, maxPerAccount: perSender, minFee: 1n }, maxBlockTxs: blockSize });
    for (const tx of txs) producer.submit(tx.bytes);
    const blocks: Uint8Array[] = [];
    while (producer.mempool.size > 0) {
      const h = await producer.produceBlock();
      blocks.push((await producer.blockAt(h.height))!.bytes);
    }
    await producer.close();

    // Raw verify, same signatures, same run: all cores through the pool, then one core inline.
    const items: VerifyItem[] = txs.map((t) => ({ publicKey: t.publicKey, signature: t.signature, message: signingMessage(31337, t.payloadBytes) }));
    const pool = new VerifyPool();
    await pool.verifyBatch(items.slice(0, 2000)); // warm up workers
    const cpu = { raw: [] as number[], all: [] as number[], main: [] as number[], db: [] as number[] };
    const rawOnce = async () => {
      const c0 = cpuMs();
      const t = performance.now();
      const raw = await pool.verifyBatch(items);
      if (raw.ok.some((x) => x !== 1)) throw new Error('raw verify: a signature failed');
      const ms = performance.now() - t;
      cpu.raw.push(((cpuMs().all - c0.all) * 1000) / items.length);
      return ms;
    };
    const importOnce = async (round: number) => {
      const follower = await Chain.open({ dir: path.join(root, `follower-${round < 0 ? 'warmup' : round}`), genesis, nodeKey: keyPair(), verifyPool: pool });
      const c0 = cpuMs();
      const t = performance.now();
      await Promise.all(blocks.map((b) => follower.importBlock(b)));
      const ms = performance.now() - t;
      const c1 = cpuMs();
      if (round >= 0) {
        cpu.all.push(((c1.all - c0.all) * 1000) / total);
        if (c0.main !== undefined && c1.main !== undefined) cpu.main.push(((c1.main - c0.main) * 1000) / total);
        if (c0.db !== undefined && c1.db !== undefined) cpu.db.push(((c1.db - c0.db) * 1000) / total);
      }
      if (follower.tip().height !== blocks.length) throw new Error('import stopped early');
      await follower.close();
      return ms;
    };
    // The machine is shared and noisy (2 cores, other VMs): raw verify and import alternate, raw
    // measured right before and right after each import. Each round's ratio is import ÷ the mean of
    // its two raw figures; the reported ratio is the median round's, the rates are the best seen.
    const rawSamples: number[] = [];
    const importSamples: number[] = [];
    const roundRatios: number[] = [];
    log('warm-up import (JIT), not counted…');
    await importOnce(-1);
    let rawBefore = await rawOnce();
    for (let r = 0; r < rounds; r++) {
      log(`round ${r + 1}/${rounds}: import of ${blocks.length} blocks between raw verify runs…`);
      const imp = await importOnce(r);
      const rawAfter = await rawOnce();
      rawSamples.push(rawBefore);
      importSamples.push(imp);
      roundRatios.push(((total / imp) * 2) / (items.length / rawBefore + items.length / rawAfter));
      rawBefore = rawAfter;
    }
    rawSamples.push(rawBefore);
    const oneN = Math.min(5000, items.length);
    const t0 = performance.now();
    for (let i = 0; i < oneN; i++) if (!verify(items[i].signature, items[i].message, items[i].publicKey)) throw new Error('verify failed');
    const oneMs = performance.now() - t0;
    await pool.close();

    const imported = blocks.length;
    const importedTxs = total;
    const rawMs = Math.min(...rawSamples);
    const importMs = Math.min(...importSamples);
    const rawRate = (items.length / rawMs) * 1000;
    const importRate = (importedTxs / importMs) * 1000;
    const result: ImportBenchResult = {
      name: 'import',
      txs: importedTxs,
      blocks: imported,
      block_size: Math.ceil(importedTxs / Math.max(1, imported)),
      cores: os.availableParallelism(),
      import_tx_per_s: Math.round(importRate),
      raw_verify_per_s_all_cores: Math.round(rawRate),
      raw_verify_per_s_one_core: Math.round((oneN / oneMs) * 1000),
      ratio: Number(median(roundRatios).toFixed(3)),
      target_ratio: 0.8,
      meets_target: median(roundRatios) >= 0.8,
      import_ms: Math.round(importMs),
      rounds,
      ...(cpu.main.length > 0 && cpu.db.length > 0
        ? {
            cpu_us_per_tx: {
              raw: Number(median(cpu.raw).toFixed(1)),
              import_all: Number(median(cpu.all).toFixed(1)),
              import_main: Number(median(cpu.main).toFixed(1)),
              import_db_threads: Number(median(cpu.db).toFixed(1)),
              import_other_threads: Number((median(cpu.all) - median(cpu.main) - median(cpu.db)).toFixed(1)),
            },
            non_verify_budget_us_per_tx: Number((median(cpu.raw) / 0.8 - median(cpu.raw)).toFixed(1)),
          }
        : {}),
      figures: [{ figure: 'import tx/s', value: Math.round(importRate), unit: 'tx/s', reference: 'sodium-native verify on all cores', reference_value: Math.round(rawRate), ratio: Number(median(roundRatios).toFixed(3)), target: '≥ 0.8 × reference (median round ratio)', meets: median(roundRatios) >= 0.8 }],
      load_avg: os.loadavg().map((x) => Number(x.toFixed(2))),
      samples: { round_ratios: roundRatios.map((x) => Number(x.toFixed(3))), import_tx_per_s: importSamples.map((ms) => Math.round((importedTxs / ms) * 1000)), raw_verify_per_s: rawSamples.map((ms) => Math.round((items.length / ms) * 1000)) },
      node: process.version,
      date: new Date().toISOString(),
    };
    const out = o.out ?? fileURLToPath(new URL('./results/import.json', import.meta.url));
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.writeFile(out, JSON.stringify(result, null, 2) + '\n');
    return result;
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  const outAt = process.argv.indexOf('--out');
  runImportBench({ txs: arg('--txs'), blockSize: arg('--block'), rounds: arg('--rounds'), out: outAt > 0 ? process.argv[outAt + 1] : undefined }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
