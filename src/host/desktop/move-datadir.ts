/**
 * Moving the node's data directory (Settings → Data directory), as a guided job with a journal
 * (cf. Daedalus' restore: preflight, staging, verify, install, a lock file so an interrupted run
 * is noticed at the next start):
 *
 *   checks → stop node → copy → verify (SHA-256 of every file, both sides) → switch → start node
 *
 * - checks refuse a target equal to or inside the source (`target_inside_source`), a target that
 *   exists and is not empty (`target_not_empty`), one that cannot be written (`not_writable`)
 *   and one whose file system has less free space than the data plus the refusal tier
 *   (`no_space`) — nothing is touched then;
 * - the journal `<settings dir>/datadir-move.json` is written atomically before each step; when
 *   the console dies mid-move, the next start resumes at the recorded step (copy and verify are
 *   idempotent: copying again overwrites, verifying again re-hashes);
 * - the switch is one atomic settings write (`data_dir`), then the node's `--data-dir`; the
 *   source is never modified or deleted (the operator removes it when satisfied);
 * - a failed verify leaves the node on the source and says which file differs.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, promises as fs, readFileSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { MoveProgress, MoveStep } from '../../shared/api/desktop.js';
import { RpcError } from '../../shared/api/errors.js';
import { writeFileAtomic } from '../../node-core/storage/atomic.js';
import { checkDirTarget, mkdirLevels } from '../../node-core/storage/dir-target.js';
import { withFlag } from '../network-switch.js';
import type { SettingsStore } from './settings-store.js';

export const MOVE_JOURNAL = 'datadir-move.json';

/** Supervisor parts the move uses. */
export interface MoveNode {
  stop(): Promise<void>;
  start(): void;
  args(): string[];
  setArgs(args: string[]): void;
}

interface Journal {
  source: string;
  target: string;
  network: string;
  step: 'copying' | 'verifying' | 'switching' | 'done' | 'failed';
  started_ms: number;
}

/** Thrown by the test hook to stop a move the way a killed process would (no cleanup, journal left). */
export class SimulatedCrash extends Error {}

export interface MoveOptions {
  settingsDir: string;
  settings: SettingsStore;
  node: MoveNode;
  /** Current data directory and network of the node. */
  current: () => { dataDir: string | undefined; network: string };
  /** Extra free space to keep on the target (bytes): the disk refusal tier. */
  reserveBytes: () => number;
  /** Test hook, called at each step boundary and after each copied/verified file. */
  hook?: (step: MoveStep, filesDone: number) => void;
  now?: () => number;
}

interface FileEntry {
  rel: string;
  size: number;
}

/** Every regular file under `root` (relative paths), skipping the node's lock file. */
export async function listFiles(root: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  for (const rel of (await fs.readdir(root, { recursive: true })).map(String).sort()) {
    if (rel === 'node.lock') continue;
    let st;
    try {
      st = await fs.lstat(path.join(root, rel));
    } catch (e) {
      // Gone since the listing: the pre-check sizes a RUNNING node's folder, whose LevelDB
      // compaction and log rotation delete files (it answered "internal error" on a busy CI
      // machine). The copy itself runs with the node stopped.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    if (st.isFile()) out.push({ rel, size: st.size });
  }
  return out;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Whether `child` is `parent` or below it. */
export function isInside(child: string, parent: string): boolean {
  const rel = path.relative(path.resolve(parent), path.resolve(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

const fmtMiB = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MiB`;

const idle = (message: string): MoveProgress => ({
  step: 'idle',
  bytes_done: 0,
  bytes_total: 0,
  files_done: 0,
  files_total: 0,
  eta_ms: null,
  resumed: false,
  message,
});

export class MoveJob {
  private readonly ee = new EventEmitter();
  private p: MoveProgress = idle('No move has run since the console started.');
  private running: Promise<void> | undefined;
  private readonly journalFile: string;
  private readonly now: () => number;

  constructor(private readonly o: MoveOptions) {
    this.journalFile = path.join(o.settingsDir, MOVE_JOURNAL);
    this.now = o.now ?? Date.now;
  }

  status(): MoveProgress {
    return { ...this.p };
  }

  onChange(cb: (p: MoveProgress) => void): () => void {
    this.ee.on('change', cb);
    return () => this.ee.off('change', cb);
  }

  /**
   * Tells the job which data directory the node now runs on (the supervisor's `ready`). A finished
   * move's message concerns the folder it left the node on — the target when done, the source when
   * failed; once the node runs on another one (a network switch gives it another data root), that
   * message would describe a folder the operator is no longer looking at, so the status goes back
   * to idle (emitted: the Settings card clears it). A move in progress is never touched.
   */
  nodeRunsOn(dataDir: string): void {
    if (this.running || (this.p.step !== 'done' && this.p.step !== 'failed')) return;
    const concerns = this.p.step === 'done' ? this.p.target : this.p.source;
    if (concerns !== undefined && path.resolve(concerns) === path.resolve(dataDir)) return;
    this.p = idle(`No move of ${dataDir} has run since the console started.`);
    this.ee.emit('change', this.status());
  }

  /** The journal of an unfinished move, if any. */
  pending(): Journal | undefined {
    try {
      const j = JSON.parse(readFileSync(this.journalFile, 'utf8')) as Journal;
      return j.step === 'copying' || j.step === 'verifying' || j.step === 'switching' ? j : undefined;
    } catch {
      return undefined;
    }
  }

  /** Resumes an interrupted move (called at console start). @returns the run, or undefined when none was pending. */
  resume(): Promise<void> | undefined {
    const j = this.pending();
    if (!j || this.running) return undefined;
    this.set({
      step: j.step,
      source: j.source,
      target: j.target,
      resumed: true,
      message: `Resuming the interrupted move of ${j.source} to ${j.target} (at ${j.step}).`,
    });
    this.running = this.run(j).finally(() => (this.running = undefined));
    return this.running;
  }

  /** The source and the resolved target of a move to `targetIn`. @throws RpcError busy, not_ready, −32602 (not absolute). */
  private endpoints(targetIn: string): { source: string; target: string; network: string } {
    if (this.running) throw RpcError.app('busy', 'a data-directory move is already running');
    const cur = this.o.current();
    if (!cur.dataDir)
      throw RpcError.app('not_ready', 'the data directory is not known until the node has started once');
    if (!path.isAbsolute(targetIn))
      throw RpcError.invalidParams([{ path: ['target'], message: 'must be an absolute path' }]);
    return { source: path.resolve(cur.dataDir), target: path.resolve(targetIn), network: cur.network };
  }

  /**
   * The checks of {@link start} alone, asked before the operator confirms a move; the node keeps
   * running and nothing is left behind (a folder the check created is removed again).
   * @returns the bytes to copy and the bytes free at the target.
   * @throws RpcError as {@link start} does.
   */
  async precheck(targetIn: string): Promise<{ target: string; need_bytes: number; free_bytes: number }> {
    const { source, target } = this.endpoints(targetIn);
    const { need, free } = await this.check(source, target, true);
    return { target, need_bytes: need, free_bytes: free };
  }

  /** Pre-checks, then starts the move. @throws RpcError with a stable reason when a check fails (nothing touched). */
  async start(targetIn: string): Promise<{ done: Promise<void> }> {
    const { source, target, network } = this.endpoints(targetIn);
    this.set({
      step: 'checking',
      source,
      target,
      resumed: false,
      bytes_done: 0,
      files_done: 0,
      message: 'Checking the target…',
      reason: undefined,
    });
    try {
      await this.check(source, target);
    } catch (e) {
      this.set({
        step: 'failed',
        message: (e as Error).message,
        reason: (e as RpcError).data?.reason as string | undefined,
      });
      throw e;
    }
    const j: Journal = { source, target, network, step: 'copying', started_ms: this.now() };
    await this.journal(j);
    this.running = this.run(j).finally(() => (this.running = undefined));
    return { done: this.running };
  }

  /** The move's checks; `dry`: remove again what they created. @returns bytes to copy and free at the target. */
  private async check(source: string, target: string, dry = false): Promise<{ need: number; free: number }> {
    if (isInside(target, source))
      throw RpcError.app(
        'target_inside_source',
        target === source
          ? `${target} is the current data directory; choose another folder`
          : `${target} is inside the current data directory ${source}; choose a folder elsewhere`,
      );
    // Read-only first (a file, a pseudo file system, no permission; storage/dir-target.ts): a
    // recursive mkdir under /proc/x never settles on Node 22 and burns a core.
    const t = await checkDirTarget(target);
    if (!t.ok) throw RpcError.app('not_writable', `${target} cannot be written (${t.code}): ${t.problem}`);
    if (t.exists && (await fs.readdir(target)).length > 0)
      throw RpcError.app('target_not_empty', `${target} is not empty; choose a new or empty folder`);
    // The first level the check creates (removing it removes every level it made), or undefined:
    // an empty folder the operator made is theirs.
    const made = t.exists ? undefined : path.join(t.existing, path.relative(t.existing, target).split(path.sep)[0]);
    const unmake = () => (made ? fs.rm(made, { recursive: true, force: true }).catch(() => {}) : Promise.resolve());
    try {
      await mkdirLevels(target);
      const probe = path.join(target, `.tb-write-test-${process.pid}`);
      await fs.writeFile(probe, 'ok');
      await fs.rm(probe);
    } catch (e) {
      await unmake();
      throw RpcError.app(
        'not_writable',
        `${target} cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    const need = (await listFiles(source)).reduce((a, f) => a + f.size, 0);
    const free = t.free_bytes;
    const reserve = this.o.reserveBytes();
    if (free < need + reserve) {
      await unmake();
      throw RpcError.app(
        'no_space',
        `not enough space at ${target}: the data needs ${fmtMiB(need)} plus ${fmtMiB(reserve)} kept free, ${fmtMiB(free)} is free`,
        { need_bytes: need, free_bytes: free },
      );
    }
    if (dry) await unmake();
    return { need, free };
  }

  private async journal(j: Journal): Promise<void> {
    await writeFileAtomic(this.journalFile, JSON.stringify(j, null, 2) + '\n');
  }

  private set(p: Partial<MoveProgress>): void {
    this.p = { ...this.p, ...p };
    for (const k of Object.keys(this.p) as (keyof MoveProgress)[])
      if (this.p[k] === undefined) delete this.p[k];
    this.ee.emit('change', this.status());
  }

  private async run(j: Journal): Promise<void> {
    try {
      this.set({ step: 'stopping_node', message: 'Stopping the node…' });
      await this.o.node.stop();
      if (j.step === 'copying') {
        await this.copy(j);
        j = { ...j, step: 'verifying' };
        await this.journal(j);
        this.o.hook?.('verifying', 0);
      }
      if (j.step === 'verifying') {
        const bad = await this.verify(j);
        if (bad) {
          await this.journal({ ...j, step: 'failed' });
          this.set({
            step: 'starting_node',
            message: 'Verification failed; starting the node on the old data directory…',
          });
          this.o.node.start();
          this.set({
            step: 'failed',
            reason: 'verify_failed',
            message: `The copy of ${bad} differs from the original; the node keeps using ${j.source}. The partial copy is in ${j.target}.`,
          });
          return;
        }
        j = { ...j, step: 'switching' };
        await this.journal(j);
        this.o.hook?.('switching', 0);
      }
      this.set({ step: 'switching', message: `Switching the node to ${j.target}…` });
      await this.o.settings.update({}, { data_dir: j.target, data_dir_network: j.network });
      this.o.hook?.('starting_node', 0);
      this.o.node.setArgs(withFlag(this.o.node.args(), '--data-dir', j.target));
      await this.journal({ ...j, step: 'done' });
      this.set({ step: 'starting_node', message: 'Starting the node on the new data directory…' });
      this.o.node.start();
      this.set({
        step: 'done',
        eta_ms: 0,
        message: `Moved to ${j.target}. The old data directory ${j.source} was left as it was: delete it once the node runs well.`,
      });
    } catch (e) {
      if (e instanceof SimulatedCrash) throw e;
      await this.journal({ ...j, step: 'failed' }).catch(() => {});
      this.set({
        step: 'failed',
        reason: 'io_error',
        message: `The move failed: ${(e as Error).message}. The node keeps using ${j.source}.`,
      });
      this.o.node.start();
    }
  }

  private progress(
    step: MoveStep,
    t0: number,
    done: number,
    total: number,
    files: number,
    filesTotal: number,
    verb: string,
  ): void {
    const dt = this.now() - t0;
    const eta = done > 0 && dt > 0 ? Math.round(((total - done) * dt) / done) : null;
    this.set({
      step,
      bytes_done: done,
      bytes_total: total,
      files_done: files,
      files_total: filesTotal,
      eta_ms: eta,
      message: `${verb} ${files} of ${filesTotal} files (${fmtMiB(done)} of ${fmtMiB(total)})`,
    });
  }

  private async copy(j: Journal): Promise<void> {
    const files = await listFiles(j.source);
    const total = files.reduce((a, f) => a + f.size, 0);
    const t0 = this.now();
    let done = 0;
    this.progress('copying', t0, 0, total, 0, files.length, 'Copied');
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const to = path.join(j.target, f.rel);
      await fs.mkdir(path.dirname(to), { recursive: true });
      await fs.copyFile(path.join(j.source, f.rel), to);
      const fh = await fs.open(to, 'r+');
      await fh.sync();
      await fh.close();
      done += f.size;
      this.progress('copying', t0, done, total, i + 1, files.length, 'Copied');
      this.o.hook?.('copying', i + 1);
    }
  }

  /** @returns the first differing file, or undefined when every file matches. */
  private async verify(j: Journal): Promise<string | undefined> {
    const files = await listFiles(j.source);
    const total = files.reduce((a, f) => a + f.size, 0);
    const t0 = this.now();
    let done = 0;
    this.progress('verifying', t0, 0, total, 0, files.length, 'Verified');
    for (let i = 0; i < files.length; i++) {
      const f = files[i];
      const to = path.join(j.target, f.rel);
      if (!existsSync(to) || (await sha256(path.join(j.source, f.rel))) !== (await sha256(to))) return f.rel;
      done += f.size;
      this.progress('verifying', t0, done, total, i + 1, files.length, 'Verified');
      this.o.hook?.('verifying', i + 1);
    }
    return undefined;
  }
}
