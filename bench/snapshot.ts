/**
 * Snapshot benchmark (issue 5 "Benchmarks"): on a data directory of ≥ 500 MB — a real chain DB,
 * a level-engine SimpleDb of ~200 MB (checkpointed by hard links) and ~300 MB of other files —
 * measures, in the same run and alternating rounds (best of each kept):
 *   create  (snapshots/create.ts, format dir: copy + SHA-256 + fsync)   beside `tar -cf` of the data dir,
 *   verify  (snapshots/verify.ts: SHA-256 of every file)                beside `sha256sum` of the same files,
 *   restore (snapshots/restore.ts: staging copy + hashes + fsync + swap) beside `cp -r` (and `cp -r` + `sync`).
 *   SHA-256 on all cores: `node:crypto` SHA-256 in one worker thread per core over the same number
 *           of bytes (in memory; workers started inside the timing, as verify's are), and the same
 *           over the snapshot's own files read from disk (the bytes verify must read; see
 *           `sha256_workers_files`: a reference that does the least verify can do on those files).
 * Targets (issue 17): verify ≥ 0.8 × SHA-256 on all cores, restore ≥ 0.9 × (`cp -r` + `sync`);
 * (issue 5) create ≥ 0.7 × tar; verify ≥ 0.7 × sha256sum. Create and restore
 * fsync what they write (a backup must survive a crash once it is renamed complete); `tar` and
 * `cp -r` do not, so the run also measures `tar -cf` + `sync`, `cp -r` + `sync`, and create with
 * `durable: false` (the copy + hash pipeline alone) to show where the time goes. Writes
 * bench/results/snapshot.json. Every tool reads files that were read once before (warm page
 * cache for all), and writes go to the same filesystem.
 * `figures` holds the target rows for bench/run.ts; `round_ratios` the paired per-round ratios.
 * Run: `node --import tsx bench/snapshot.ts [--mb 500] [--rounds 3]`.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { ClassicLevel } from 'classic-level';
import { Chain } from '../src/node-core/chain/chain.js';
import { loadOrCreateGenesis } from '../src/node-core/chain/genesis.js';
import { createSnapshot } from '../src/node-core/snapshots/create.js';
import { restoreSnapshot } from '../src/node-core/snapshots/restore.js';
import { verifySnapshot } from '../src/node-core/snapshots/verify.js';
import { writeFileAtomic } from '../src/node-core/storage/atomic.js';
import { loadOrCreateNodeKey } from '../src/node-core/wallet/keystore.js';
import type { Figure as SummaryFigure } from './run.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const MB = 1024 * 1024;

export interface Figure {
  seconds: number;
  mb_per_s: number;
  /**
   * CPU seconds (user + system, all threads; for a child process its own, from /proc) of the
   * best round: on a loaded machine a rate moves with the load, CPU time per unit of work far less.
   */
  cpu_s?: number;
}

export interface SnapshotBenchResult {
  name: 'snapshot';
  data_bytes: number;
  files: number;
  cpus: number;
  rounds: number;
  create: Figure;
  tar: Figure;
  create_vs_tar: number;
  /** Durable create against tar + sync (both write to disk before they end). */
  tar_sync: Figure;
  create_vs_tar_sync: number;
  /** create without fsync (the copy + SHA-256 pipeline) against plain tar. */
  create_no_fsync: Figure;
  create_no_fsync_vs_tar: number;
  target_create_vs_tar: 0.7;
  meets_create: boolean;
  verify: Figure;
  sha256sum: Figure;
  verify_vs_sha256sum: number;
  target_verify_vs_sha256sum: 0.7;
  meets_verify: boolean;
  /** `node:crypto` SHA-256 in one worker per core over `data_bytes` (issue 17's reference). */
  sha256_workers: Figure & { workers: number };
  /** verify MB/s ÷ sha256_workers MB/s */
  verify_vs_sha256_workers: number;
  /** sha256_workers CPU seconds ÷ verify CPU seconds (the same ratio by work done, not by time). */
  verify_vs_sha256_workers_cpu: number;
  target_verify_vs_sha256_workers: 0.8;
  meets_verify_vs_sha256_workers: boolean;
  /**
   * `node:crypto` SHA-256 in one worker per core over the snapshot's own files, read from disk
   * (page cache) 256 KiB at a time: the same bytes verify must read, without its manifest, checks
   * and progress (the in-memory reference above never reads a file).
   */
  sha256_workers_files: Figure & { workers: number };
  verify_vs_sha256_workers_files: number;
  verify_vs_sha256_workers_files_cpu: number;
  /** Per round (each figure beside its reference measured just before or after it): ratios by wall time. */
  round_ratios: { verify_vs_sha256_workers: number[]; verify_vs_sha256_workers_files: number[]; restore_vs_cp_r_sync: number[] };
  restore: Figure;
  cp_r: Figure;
  cp_r_sync: Figure;
  /** restore time ÷ cp -r time (issue 5: < 2) */
  restore_vs_cp_r: number;
  target_restore_vs_cp_r: 2;
  meets_restore: boolean;
  /** restore MB/s ÷ (cp -r + sync) MB/s (issue 17: ≥ 0.9; both end with the data on disk) */
  restore_vs_cp_r_sync: number;
  target_restore_vs_cp_r_sync: 0.9;
  meets_restore_vs_cp_r_sync: boolean;
  /** 1-minute load average at the start and the end of the measurements (a shared machine). */
  loadavg_1m: [number, number];
  /** Extra: the .tar format of create and verify. */
  create_tar_format: Figure;
  verify_tar_format: Figure;
  /** The target figures beside their references (bench/run.ts summary). */
  figures: SummaryFigure[];
}

/** Builds the data directory: chain DB with some blocks, a ~40 % level store, the rest as files. */
export async function buildDataDir(root: string, totalMb: number, log: (s: string) => void): Promise<void> {
  const nodeKey = await loadOrCreateNodeKey(root);
  const genesis = await loadOrCreateGenesis(root, 'dev', nodeKey);
  const chain = await Chain.open({ dir: path.join(root, 'chain'), genesis, nodeKey });
  for (let i = 0; i < 20; i++) await chain.produceBlock();
  await chain.close();
  const levelMb = Math.round(totalMb * 0.4);
  const db = new ClassicLevel<string, Uint8Array>(path.join(root, 'energy_market'), { valueEncoding: 'view' });
  await db.open();
  const value = 64 * 1024;
  for (let i = 0; i < (levelMb * MB) / value; i += 16) {
    await db.batch(Array.from({ length: 16 }, (_, k) => ({ type: 'put' as const, key: `reading/${String(i + k).padStart(8, '0')}`, value: randomBytes(value) })), { sync: false });
  }
  await db.close();
  const filesMb = totalMb - levelMb;
  await fs.mkdir(path.join(root, 'blobstore'), { recursive: true });
  const chunk = randomBytes(4 * MB);
  for (let f = 0; f * 32 < filesMb; f++) {
    const fh = await fs.open(path.join(root, 'blobstore', `blob-${f}.bin`), 'w');
    for (let m = 0; m < Math.min(32, filesMb - f * 32); m += 4) await fh.write(chunk);
    await fh.close();
  }
  log(`built a ${totalMb} MB data dir (level store ${levelMb} MB, files ${filesMb} MB) in ${root}`);
}

/** Regular files under `dir` with their sizes (bytes), manifest.json left out. */
async function filesWithSizes(dir: string): Promise<{ path: string; size: number }[]> {
  const { files } = await sizeOf(dir);
  const out = [];
  for (const f of files) if (path.basename(f) !== 'manifest.json') out.push({ path: f, size: (await fs.stat(f)).size });
  return out;
}

async function sizeOf(dir: string): Promise<{ bytes: number; files: string[] }> {
  const files: string[] = [];
  let bytes = 0;
  const walk = async (d: string) => {
    for (const e of await fs.readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        files.push(p);
        bytes += (await fs.stat(p)).size;
      }
    }
  };
  await walk(dir);
  return { bytes, files };
}

const SHA_WORKER = `const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const buf = Buffer.alloc(256 * 1024, 7);
const h = createHash('sha256');
for (let left = workerData; left > 0; left -= buf.length) h.update(left >= buf.length ? buf : buf.subarray(0, left));
parentPort.postMessage(h.digest('hex'));`;

const SHA_FILES_WORKER = `const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const buf = Buffer.allocUnsafe(256 * 1024);
const next = new Int32Array(workerData.counter);
for (let i = Atomics.add(next, 0, 1); i < workerData.files.length; i = Atomics.add(next, 0, 1)) {
  const fd = fs.openSync(workerData.files[i], 'r');
  const h = createHash('sha256');
  for (let pos = 0, n; (n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n) h.update(buf.subarray(0, n));
  h.digest('hex');
  fs.closeSync(fd);
}
parentPort.postMessage('done');`;

/**
 * SHA-256 of the same files (the bytes verify must read from disk), one worker thread per core,
 * each reading 256 KiB at a time and claiming the next file, largest first, through a shared
 * counter: the least a verify of these files can do, without a manifest, checks or progress.
 */
async function sha256FilesWorkers(files: { path: string; size: number }[], workers: number): Promise<void> {
  const list = [...files].sort((a, b) => b.size - a.size).map((f) => f.path);
  const counter = new SharedArrayBuffer(4);
  await Promise.all(
    Array.from({ length: workers }, () => new Promise((resolve, reject) => {
      const w = new Worker(SHA_FILES_WORKER, { eval: true, workerData: { files: list, counter } });
      w.once('message', resolve);
      w.once('error', reject);
    })),
  );
}

/** SHA-256 of `bytes` bytes split over one worker thread per core (256 KiB updates, as verify's workers). */
async function sha256Workers(bytes: number, workers: number): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, () => new Promise((resolve, reject) => {
      const w = new Worker(SHA_WORKER, { eval: true, workerData: Math.ceil(bytes / workers) });
      w.once('message', resolve);
      w.once('error', reject);
    })),
  );
}

/** CPU seconds of waited-for child processes (Linux /proc; 0 elsewhere). */
async function childCpu(): Promise<number> {
  try {
    const stat = await fs.readFile('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 of proc(5) (cutime, cstime; here counted from field 3), in clock ticks (USER_HZ = 100).
    const ticks = Number(f[13]) + Number(f[14]);
    return Number.isFinite(ticks) ? ticks / 100 : 0;
  } catch {
    return 0;
  }
}

/** Time of `fn`, started after a `sync` so that earlier writes being flushed do not slow it down. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  return (await timedCpu(fn)).s;
}

/** Wall seconds and CPU seconds (this process's threads + waited-for children) of `fn`, after a `sync`. */
async function timedCpu(fn: () => Promise<unknown>): Promise<{ s: number; cpu: number }> {
  await run('sync');
  const k0 = await childCpu();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { s, cpu: (c.user + c.system) / 1e6 + (await childCpu()) - k0 };
}

/** Keeps the fastest round of a figure (and its CPU time). */
const keep = (prev: { s: number; cpu: number } | undefined, r: { s: number; cpu: number }) => (!prev || r.s < prev.s ? r : prev);

const fig = (bytes: number, s: number, cpu?: number): Figure => ({
  seconds: Math.round(s * 1000) / 1000,
  mb_per_s: Math.round((bytes / MB / s) * 10) / 10,
  ...(cpu !== undefined ? { cpu_s: Math.round(cpu * 1000) / 1000 } : {}),
});

export async function runSnapshotBench(o: { log?: (s: string) => void; mb?: number; rounds?: number } = {}): Promise<SnapshotBenchResult> {
  const log = o.log ?? ((s: string) => process.stdout.write(s + '\n'));
  const rounds = o.rounds ?? 3;
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-bench-snap-'));
  const root = path.join(base, 'data');
  try {
    await buildDataDir(root, o.mb ?? 520, log);
    const { bytes, files } = await sizeOf(root);
    // Warm the page cache for everyone.
    await run('sh', ['-c', `cat ${files.map((f) => `'${f}'`).join(' ')} > /dev/null`], { maxBuffer: 1 << 20 });
    const la0 = Number(os.loadavg()[0].toFixed(2));
    const cores = os.availableParallelism();
    const cpuOf: Record<'verify' | 'shaWorkers' | 'shaFiles' | 'restore' | 'cpSync', { s: number; cpu: number } | undefined> = { verify: undefined, shaWorkers: undefined, shaFiles: undefined, restore: undefined, cpSync: undefined };
    const ratios = { verify_vs_sha256_workers: [] as number[], verify_vs_sha256_workers_files: [] as number[], restore_vs_cp_r_sync: [] as number[] };
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const best = { shaWorkers: Infinity, createNoSync: Infinity, tarSync: Infinity, create: Infinity, tar: Infinity, verify: Infinity, sha: Infinity, restore: Infinity, cp: Infinity, cpSync: Infinity, createTar: Infinity, verifyTar: Infinity };
    for (let r = 1; r <= rounds; r++) {
      const out = path.join(base, `out-${r}`);
      await fs.mkdir(out);
      let snap = '';
      best.create = Math.min(best.create, await timed(async () => (snap = (await createSnapshot({ root, dest: path.join(out, 'snaps'), origin: 'cli', include: ['keys', 'energy_market', 'other'] })).path)));
      best.tar = Math.min(best.tar, await timed(() => run('tar', ['-cf', path.join(out, 'data.tar'), '-C', root, '.'])));
      best.createNoSync = Math.min(best.createNoSync, await timed(() => createSnapshot({ root, dest: path.join(out, 'snaps-nosync'), origin: 'cli', include: ['keys', 'energy_market', 'other'], durable: false })));
      best.tarSync = Math.min(best.tarSync, await timed(() => run('sh', ['-c', `tar -cf '${path.join(out, 'data2.tar')}' -C '${root}' . && sync`])));
      await fs.rm(path.join(out, 'snaps-nosync'), { recursive: true, force: true });
      await fs.rm(path.join(out, 'data2.tar'), { force: true });
      const snapFiles = await filesWithSizes(snap);
      const shaFiles = await timedCpu(() => sha256FilesWorkers(snapFiles, cores));
      const verify = await timedCpu(async () => {
        const v = await verifySnapshot(snap);
        if (!v.ok) throw new Error(v.message);
      });
      const shaMem = await timedCpu(() => sha256Workers(bytes, cores));
      cpuOf.verify = keep(cpuOf.verify, verify);
      cpuOf.shaFiles = keep(cpuOf.shaFiles, shaFiles);
      cpuOf.shaWorkers = keep(cpuOf.shaWorkers, shaMem);
      best.verify = cpuOf.verify.s;
      best.shaWorkers = cpuOf.shaWorkers.s;
      ratios.verify_vs_sha256_workers.push(r2(shaMem.s / verify.s));
      ratios.verify_vs_sha256_workers_files.push(r2(shaFiles.s / verify.s));
      best.sha = Math.min(best.sha, await timed(() => run('sh', ['-c', `find '${root}' -type f -exec sha256sum {} + > /dev/null`])));
      const restore = await timedCpu(() => restoreSnapshot({ from: snap, root: path.join(out, 'restored'), network: 'dev' }));
      cpuOf.restore = keep(cpuOf.restore, restore);
      best.restore = cpuOf.restore.s;
      // The same tree onto the same disk, then `sync` (restore fsyncs what it writes).
      const cpSync = await timedCpu(() => run('sh', ['-c', `cp -r '${snap}' '${path.join(out, 'cp-sync')}' && sync`]));
      cpuOf.cpSync = keep(cpuOf.cpSync, cpSync);
      best.cpSync = cpuOf.cpSync.s;
      ratios.restore_vs_cp_r_sync.push(r2(cpSync.s / restore.s));
      best.cp = Math.min(best.cp, await timed(() => run('cp', ['-r', snap, path.join(out, 'cp')])));
      let tarSnap = '';
      best.createTar = Math.min(best.createTar, await timed(async () => (tarSnap = (await createSnapshot({ root, dest: path.join(out, 'snaps-tar'), origin: 'cli', format: 'tar', include: ['keys', 'energy_market', 'other'] })).path)));
      best.verifyTar = Math.min(best.verifyTar, await timed(async () => {
        const v = await verifySnapshot(tarSnap);
        if (!v.ok) throw new Error(v.message);
      }));
      log(`round ${r}: create ${best.create.toFixed(2)} s (no fsync ${best.createNoSync.toFixed(2)} s) vs tar ${best.tar.toFixed(2)} s (+sync ${best.tarSync.toFixed(2)} s); verify ${best.verify.toFixed(2)} s vs sha256sum ${best.sha.toFixed(2)} s; restore ${best.restore.toFixed(2)} s vs cp -r ${best.cp.toFixed(2)} s (+sync ${best.cpSync.toFixed(2)} s)`);
      await fs.rm(out, { recursive: true, force: true });
    }
    const result: SnapshotBenchResult = {
      name: 'snapshot',
      data_bytes: bytes,
      files: files.length,
      cpus: os.cpus().length,
      rounds,
      create: fig(bytes, best.create),
      tar: fig(bytes, best.tar),
      create_vs_tar: Math.round((best.tar / best.create) * 100) / 100,
      tar_sync: fig(bytes, best.tarSync),
      create_vs_tar_sync: Math.round((best.tarSync / best.create) * 100) / 100,
      create_no_fsync: fig(bytes, best.createNoSync),
      create_no_fsync_vs_tar: Math.round((best.tar / best.createNoSync) * 100) / 100,
      target_create_vs_tar: 0.7,
      meets_create: best.tar / best.create >= 0.7,
      verify: fig(bytes, best.verify, cpuOf.verify?.cpu),
      sha256sum: fig(bytes, best.sha),
      verify_vs_sha256sum: Math.round((best.sha / best.verify) * 100) / 100,
      target_verify_vs_sha256sum: 0.7,
      meets_verify: best.sha / best.verify >= 0.7,
      restore: fig(bytes, best.restore, cpuOf.restore?.cpu),
      cp_r: fig(bytes, best.cp),
      cp_r_sync: fig(bytes, best.cpSync, cpuOf.cpSync?.cpu),
      restore_vs_cp_r: Math.round((best.restore / best.cp) * 100) / 100,
      target_restore_vs_cp_r: 2,
      meets_restore: best.restore / best.cp < 2,
      restore_vs_cp_r_sync: Math.round((best.cpSync / best.restore) * 100) / 100,
      target_restore_vs_cp_r_sync: 0.9,
      meets_restore_vs_cp_r_sync: best.cpSync / best.restore >= 0.9,
      sha256_workers: { ...fig(bytes, best.shaWorkers, cpuOf.shaWorkers?.cpu), workers: cores },
      verify_vs_sha256_workers: Math.round((best.shaWorkers / best.verify) * 100) / 100,
      verify_vs_sha256_workers_cpu: Math.round(((cpuOf.shaWorkers?.cpu ?? 0) / (cpuOf.verify?.cpu ?? 1)) * 100) / 100,
      target_verify_vs_sha256_workers: 0.8,
      meets_verify_vs_sha256_workers: best.shaWorkers / best.verify >= 0.8,
      loadavg_1m: [la0, Number(os.loadavg()[0].toFixed(2))],
      create_tar_format: fig(bytes, best.createTar),
      verify_tar_format: fig(bytes, best.verifyTar),
      sha256_workers_files: { ...fig(bytes, cpuOf.shaFiles!.s, cpuOf.shaFiles!.cpu), workers: cores },
      verify_vs_sha256_workers_files: r2(cpuOf.shaFiles!.s / best.verify),
      verify_vs_sha256_workers_files_cpu: r2(cpuOf.shaFiles!.cpu / (cpuOf.verify?.cpu ?? 1)),
      round_ratios: ratios,
      figures: [],
    };
    const row = (figure: string, value: Figure, reference: string, ref: Figure, target: number, note = ''): SummaryFigure => ({
      figure,
      value: value.mb_per_s,
      unit: 'MB/s',
      reference,
      reference_value: ref.mb_per_s,
      ratio: r2(value.mb_per_s / ref.mb_per_s),
      target: `≥ ${target} × reference (best of ${rounds} rounds${note})`,
      meets: value.mb_per_s / ref.mb_per_s >= target,
    });
    result.figures = [
      row('snapshot verify', result.verify, `node:crypto SHA-256 in ${cores} workers (in memory)`, result.sha256_workers, 0.8),
      row('snapshot verify (same bytes read from disk)', result.verify, `node:crypto SHA-256 in ${cores} workers reading the snapshot's files`, result.sha256_workers_files, 0.8),
      row('snapshot restore', result.restore, 'cp -r + sync', result.cp_r_sync, 0.9),
      row('snapshot create', result.create, 'tar -cf', result.tar, 0.7),
      row('snapshot verify vs sha256sum', result.verify, 'sha256sum of the data files', result.sha256sum, 0.7),
    ];
    await fs.mkdir(path.join(HERE, 'results'), { recursive: true });
    await writeFileAtomic(path.join(HERE, 'results', 'snapshot.json'), JSON.stringify(result, null, 2) + '\n');
    log(
      `create ${result.create.mb_per_s} MB/s = ${result.create_vs_tar} × tar (${result.tar.mb_per_s} MB/s; target 0.7), ${result.create_vs_tar_sync} × tar+sync; ` +
        `without fsync ${result.create_no_fsync.mb_per_s} MB/s = ${result.create_no_fsync_vs_tar} × tar; ` +
        `verify ${result.verify.mb_per_s} MB/s = ${result.verify_vs_sha256sum} × sha256sum (${result.sha256sum.mb_per_s} MB/s; target 0.7), ` +
        `${result.verify_vs_sha256_workers} × SHA-256 in ${cores} workers (${result.sha256_workers.mb_per_s} MB/s; target 0.8; by CPU time ${result.verify_vs_sha256_workers_cpu}), ` +
        `${result.verify_vs_sha256_workers_files} × SHA-256 in ${cores} workers reading the files (${result.sha256_workers_files.mb_per_s} MB/s; by CPU time ${result.verify_vs_sha256_workers_files_cpu}); ` +
        `restore ${result.restore.seconds} s = ${result.restore_vs_cp_r} × cp -r (${result.cp_r.seconds} s; target < 2), ` +
        `${result.restore_vs_cp_r_sync} × cp -r + sync (${result.cp_r_sync.seconds} s; target ≥ 0.9; CPU ${result.restore.cpu_s} s vs ${result.cp_r_sync.cpu_s} s); load average ${result.loadavg_1m.join(' → ')}`,
    );
    return result;
  } finally {
    await fs.rm(base, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (n: string) => {
    const i = process.argv.indexOf(n);
    return i > 0 ? Number(process.argv[i + 1]) : undefined;
  };
  runSnapshotBench({ mb: arg('--mb'), rounds: arg('--rounds') }).catch((err: unknown) => {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
