/**
 * Creating a snapshot of a data directory, while its node runs or not.
 *
 * Consistent cut (see level-checkpoint.ts): every LevelDB in the included subsystems (the chain
 * DB, level-engine SimpleDbs) is checkpointed into `<root>/snapshots/.cut-<rand>/` with hard links
 * and small copies, without pausing block production; the chain copy is opened once, which
 * recovers it to a write-batch boundary = the state after one block, and gives the manifest's
 * height, block hash and state root. Other files are read live: file-engine SimpleDbs, keys and
 * genesis.json are only ever replaced by rename (so one open reads one whole version) and logs are
 * append-only (copied as the prefix present at open). Subsystems are each consistent; they are
 * not one atomic cut across subsystems.
 *
 * Then the files are copied (format `dir`) or packed (format `tar`, manifest first, so hashes are
 * computed in a first pass) by worker threads into `.<id>.partial` / `.<id>.tar.partial` in the
 * destination, fsynced, the manifest written, and the result renamed into place. Any failure
 * (ENOSPC, cancel, a file changing under a tar pack) removes the partial output and the cut; what a
 * killed run left behind is removed by the next run into the same destination (leftovers.ts) and
 * listed in the result's `removed_leftovers`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, SnapshotReason, type CreateResult, type Manifest, type ManifestFile, type Progress, type SnapshotFormat } from '../../shared/api/snapshots.js';
import { decodeBlock } from '../chain/block.js';
import { readGenesisFile } from '../chain/genesis.js';
import { toHex } from '../crypto/hash.js';
import { fsyncDir, writeFileAtomic } from '../storage/atomic.js';
import { ChainDb, SCHEMA_VERSION } from '../storage/chaindb.js';
import { checkDirTarget, mkdirLevels } from '../storage/dir-target.js';
import { SimpleDb } from '../storage/simpledb.js';
import { NODE_VERSION } from '../version.js';
import { checkpointLevelDb } from './level-checkpoint.js';
import { claimTemp, cleanLeftovers } from './leftovers.js';
import { MANIFEST_NAME, PARTIAL_SUFFIX, sha256Hex, snapshotId, SnapshotError } from './manifest.js';
import { PoolClosedError, WorkerPool, WorkerTaskError } from './pool.js';
import { ProgressTracker } from './progress.js';
import { resolveIncluded, walk, type FileRef, type SubsystemDef } from './subsystems.js';

/** Files LevelDB owns inside a LevelDB directory (replaced by the checkpoint's copies). */
const LEVEL_FILE = /^([0-9]+\.(ldb|sst|log)|MANIFEST-[0-9]+|CURRENT)$/;
/** Room left free beyond the snapshot's size (filesystem metadata, the manifest). */
const SPACE_MARGIN = 16 * 1024 * 1024;

export interface CreateOptions {
  /** Data directory root. */
  root: string;
  /** Destination folder (created if missing). */
  dest: string;
  /** Subsystem ids (default: the default selection); the chain is always included. */
  include?: string[];
  /** The node's subsystems (default SUBSYSTEMS). */
  subsystems?: readonly SubsystemDef[];
  format?: SnapshotFormat;
  origin: Manifest['origin'];
  /** Expected network: a data directory of another network is refused. */
  network?: string;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
  /** Workers (default: cores, ≤ 4). */
  workers?: number;
  /**
   * fsync the snapshot before it is renamed into place (default true). false only for the
   * benchmark's pipeline figure: after a crash such a snapshot may hold incomplete files (which
   * verify would reject).
   */
  durable?: boolean;
}

/** Maps an fs / worker failure to an operator-facing SnapshotError. */
export function toSnapshotError(err: unknown, where: string): SnapshotError {
  if (err instanceof SnapshotError) return err;
  if (err instanceof PoolClosedError) return new SnapshotError(SnapshotReason.cancelled, 'the snapshot was cancelled; nothing was kept');
  const code = (err as NodeJS.ErrnoException | WorkerTaskError).code;
  if (code === 'ENOSPC' || /ENOSPC/.test(String((err as Error).message)))
    return new SnapshotError(SnapshotReason.no_space, `not enough space on ${where} (the disk filled up); the partial snapshot was removed — free some space or choose another destination`);
  if (code === 'ENOTDIR' || code === 'EEXIST')
    return new SnapshotError(SnapshotReason.bad_path, `${where} cannot be used as a folder: a part of that path is a file; choose another destination`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return new SnapshotError(SnapshotReason.bad_path, `cannot write to ${where} (${code}); choose a writable destination`);
  return new SnapshotError(SnapshotReason.io_error, `${(err as Error).message}`);
}

/** Free bytes for this user on the filesystem of `p` (or of its nearest existing parent). */
export async function freeBytes(p: string): Promise<{ free: number; total: number; existing: string }> {
  let dir = path.resolve(p);
  for (;;) {
    try {
      const s = await fs.statfs(dir);
      return { free: s.bavail * s.bsize, total: s.blocks * s.bsize, existing: dir };
    } catch (err) {
      const parent = path.dirname(dir);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === dir) throw err;
      dir = parent;
    }
  }
}

/** Head facts of a (checkpointed, not live) chain DB directory. */
async function chainFacts(chainDir: string): Promise<{ height: number; blockHash: string; stateRoot: string }> {
  const db = await ChainDb.open(chainDir, { createIfMissing: false });
  try {
    const head = await db.head();
    if (!head) throw new SnapshotError(SnapshotReason.io_error, `${chainDir} has no head block`);
    const bytes = await db.blockBytes(head.height);
    if (!bytes) throw new SnapshotError(SnapshotReason.io_error, `${chainDir}: head block ${head.height} is missing`);
    const block = decodeBlock(bytes);
    return { height: head.height, blockHash: toHex(head.hash), stateRoot: toHex(block.header.stateRoot) };
  } finally {
    await db.close();
  }
}

async function fsyncTree(dir: string): Promise<void> {
  for (const e of await fs.readdir(dir, { withFileTypes: true })) if (e.isDirectory()) await fsyncTree(path.join(dir, e.name));
  await fsyncDir(dir);
}

/**
 * Creates a snapshot of `o.root` in `o.dest`.
 * @returns the snapshot's id, path, size, file count, checksum (SHA-256 of manifest.json), height and state root.
 * @throws SnapshotError: bad_path (destination or data dir unusable), no_space (checked before, or
 *   ENOSPC while writing), cancelled, wrong_network, io_error. No partial snapshot is left behind.
 */
export async function createSnapshot(o: CreateOptions): Promise<CreateResult> {
  const t0 = performance.now();
  const root = path.resolve(o.root);
  const dest = path.resolve(o.dest);
  const format = o.format ?? 'dir';
  const progress = new ProgressTracker(o.onProgress);
  progress.phase('preparing');
  const genesisFile = path.join(root, 'chain', 'genesis.json');
  let genesis;
  try {
    genesis = await readGenesisFile(genesisFile);
  } catch {
    throw new SnapshotError(SnapshotReason.bad_path, `${root} is not the data directory of a node that has started once (${genesisFile} is missing or unreadable)`);
  }
  if (o.network && genesis.network !== o.network)
    throw new SnapshotError(SnapshotReason.wrong_network, `${root} holds network ${genesis.network}, not ${o.network}`);
  if (dest === root || dest.startsWith(root + path.sep))
    throw new SnapshotError(SnapshotReason.bad_path, `the destination ${dest} is inside the data directory; choose a folder outside it`);
  // Checked before anything is created: a recursive mkdir under /proc never settles (Node 22).
  const target = await checkDirTarget(dest);
  if (!target.ok) throw new SnapshotError(SnapshotReason.bad_path, `${target.problem}; choose another destination`);
  if (o.signal?.aborted) throw new SnapshotError(SnapshotReason.cancelled, 'the snapshot was cancelled; nothing was kept');
  try {
    await mkdirLevels(dest);
    await fs.access(dest, fs.constants.W_OK);
  } catch (err) {
    throw toSnapshotError(err, dest);
  }
  let included;
  try {
    included = await resolveIncluded(root, o.include, o.subsystems);
  } catch (err) {
    throw new SnapshotError(SnapshotReason.bad_path, (err as Error).message);
  }

  const cut = path.join(root, 'snapshots', `.cut-${randomBytes(6).toString('hex')}`);
  const releaseCut = await claimTemp(cut);
  // What a run killed mid-way left behind (partial output here, cut folders in the data dir).
  const removedLeftovers = await cleanLeftovers(dest, root);
  let releasePartial: (() => Promise<void>) | undefined;
  const pool = new WorkerPool(o.workers);
  const onAbort = () => void pool.close();
  o.signal?.addEventListener('abort', onAbort);
  let partial: string | undefined;
  const facts = { height: -1, blockHash: '', stateRoot: '' };
  try {
    if (o.signal?.aborted) throw new PoolClosedError();
    // Writes queued in this process's SimpleDb stores land before the cut (the operations guide's
    // "flush_wal runs before snapshots").
    for (const db of SimpleDb.openUnder(root)) await db.flushWal();
    // 1. The cut: checkpoint every LevelDB, collect the other files.
    const live: FileRef[] = [];
    const levelDirs: string[] = [];
    for (const s of included) {
      const w = { files: [] as FileRef[], levelDirs: [] as string[] };
      for (const p of s.paths) await walk(root, p, w);
      levelDirs.push(...w.levelDirs);
      live.push(...w.files);
    }
    const inLevel = (rel: string) => levelDirs.some((d) => path.posix.dirname(rel) === d && LEVEL_FILE.test(path.posix.basename(rel)));
    const files: FileRef[] = live.filter((f) => !inLevel(f.rel));
    for (const d of levelDirs) {
      if (o.signal?.aborted) throw new PoolClosedError(); // cancellable between checkpoints too
      const staged = path.join(cut, ...d.split('/'));
      await checkpointLevelDb(path.join(root, ...d.split('/')), staged);
      if (d === 'chain') {
        // Recovers the copy to a batch boundary (one block) and reads its head.
        Object.assign(facts, await chainFacts(staged));
      }
      const w = await walk(cut, d);
      for (const f of w.files) files.push({ ...f, rel: f.rel });
    }
    if (facts.height < 0) throw new SnapshotError(SnapshotReason.io_error, `${root}/chain is not a chain database`);
    files.sort((a, b) => (a.rel < b.rel ? -1 : 1));
    const total = files.reduce((n, f) => n + f.size, 0);

    // 2. Room and names.
    const at = new Date();
    const id = snapshotId(genesis.network, facts.height, at);
    const final = path.join(dest, format === 'tar' ? `${id}.tar` : id);
    partial = path.join(dest, `.${path.basename(final)}${PARTIAL_SUFFIX}`);
    if (await fs.stat(final).then(() => true, () => false))
      throw new SnapshotError(SnapshotReason.bad_path, `${final} already exists`);
    const { free } = await freeBytes(dest);
    if (free < total + SPACE_MARGIN)
      throw new SnapshotError(SnapshotReason.no_space, `not enough space on ${dest}: the snapshot needs ${total + SPACE_MARGIN} bytes (${total} of data + margin), ${free} are free`);
    const secret = included.some((s) => s.id === 'keys');
    const mode = (f: FileRef) => f.mode & 0o777;

    // 3. Copy (dir) or hash + pack (tar), in the workers.
    const entries: ManifestFile[] = [];
    const manifestOf = (): Manifest => ({
      format: SNAPSHOT_FORMAT,
      format_version: SNAPSHOT_FORMAT_VERSION,
      id,
      network: genesis.network,
      chain_id: genesis.chain_id,
      genesis_hash: genesis.hash,
      height: facts.height,
      block_hash: facts.blockHash,
      state_root: facts.stateRoot,
      node_version: NODE_VERSION,
      chain_schema: SCHEMA_VERSION,
      created_at: at.toISOString(),
      created_at_ms: at.getTime(),
      origin: o.origin,
      subsystems: included.map((s) => s.id),
      total_bytes: total,
      files: entries.sort((a, b) => (a.path < b.path ? -1 : 1)),
    });
    const bySize = [...files].sort((a, b) => b.size - a.size);
    let manifestText: string;
    if (format === 'dir') {
      releasePartial = await claimTemp(partial, { owner: true });
      await fs.mkdir(partial, { mode: secret ? 0o700 : 0o755 });
      progress.phase('copying', { bytes: total, files: files.length });
      // Copies are fsynced together at the end (before the rename): the kernel writes earlier
      // files back while later ones are still being copied.
      await Promise.all(
        bySize.map(async (f) => {
          const r = await pool.run({ task: 'copy', src: f.abs, dst: path.join(partial!, ...f.rel.split('/')), mode: mode(f), size: f.size, sync: false }, (b) => progress.bytes(b));
          entries.push({ path: f.rel, size: r.size, sha256: r.sha256, mode: mode(f) });
          progress.file();
        }),
      );
      progress.phase('finishing');
      if (o.durable !== false) {
        const written = files.map((f) => path.join(partial!, ...f.rel.split('/')));
        const per = Math.ceil(written.length / pool.size);
        await Promise.all(Array.from({ length: pool.size }, (_, i) => pool.run({ task: 'fsync', files: written.slice(i * per, (i + 1) * per) })));
      }
      manifestText = JSON.stringify(manifestOf(), null, 2) + '\n';
      await writeFileAtomic(path.join(partial, MANIFEST_NAME), manifestText, { mode: 0o644 });
      await fsyncTree(partial);
    } else {
      releasePartial = await claimTemp(partial, { owner: true });
      progress.phase('hashing', { bytes: 2 * total, files: files.length });
      await Promise.all(
        bySize.map(async (f) => {
          const r = await pool.run({ task: 'hash', src: f.abs, size: f.size }, (b) => progress.bytes(b));
          if (r.size !== f.size) throw new SnapshotError(SnapshotReason.io_error, `${f.abs} became shorter while the snapshot was taken; run it again`);
          entries.push({ path: f.rel, size: r.size, sha256: r.sha256, mode: mode(f) });
          progress.file();
        }),
      );
      manifestText = JSON.stringify(manifestOf(), null, 2) + '\n';
      const sha = new Map(entries.map((e) => [e.path, e.sha256]));
      progress.phase('packing');
      await pool.run(
        {
          task: 'tar-pack',
          out: partial,
          mode: secret ? 0o600 : 0o644,
          mtime: at.getTime(),
          entries: [
            { name: MANIFEST_NAME, mode: 0o644, content: manifestText },
            ...files.map((f) => ({ name: f.rel, mode: mode(f), src: f.abs, size: f.size, sha256: sha.get(f.rel)! })),
          ],
        },
        (b) => {
          progress.bytes(b);
        },
      );
      progress.phase('finishing');
    }
    // 4. Complete: rename into place, make the rename durable.
    await fs.rename(partial, final);
    partial = undefined;
    await fsyncDir(dest);
    progress.flush();
    return {
      id,
      path: final,
      format,
      bytes: total,
      files: files.length,
      checksum: sha256Hex(manifestText),
      height: facts.height,
      state_root: facts.stateRoot,
      network: genesis.network,
      subsystems: included.map((s) => s.id),
      duration_ms: Math.round(performance.now() - t0),
      ...(removedLeftovers.length > 0 ? { removed_leftovers: removedLeftovers } : {}),
    };
  } catch (err) {
    throw toSnapshotError(o.signal?.aborted ? new PoolClosedError() : err, dest);
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await pool.close();
    if (partial) await fs.rm(partial, { recursive: true, force: true }).catch(() => {});
    await releasePartial?.();
    await fs.rm(cut, { recursive: true, force: true }).catch(() => {});
    await releaseCut();
  }
}
