/**
 * A restore run by the console (`app.restoreSnapshot`): the node's data directory can only be
 * replaced while the node is stopped, so the host orchestrates it (DESIGN.md "Processes": wizards
 * stop and restart the node without restarting the app):
 *   prechecks (before anything stops) → stopping_node → staging → verifying → swapping
 *   (src/node-core/snapshots/restore.ts, in this process, hashing in worker threads)
 *   → starting_node → ready (the node answers with the restored height).
 * A failure after the node stopped leaves the data as it was; the node is started again either
 * way. Progress is published on `app.restore`.
 */
import { EventEmitter } from 'node:events';
import { RpcError } from '../shared/api/errors.js';
import { SnapshotReason, type RestorePhase, type RestoreProgress } from '../shared/api/snapshots.js';
import type { SupervisorState } from '../shared/api/app.js';
import type { Supervisor } from './supervisor.js';

const IDLE: RestoreProgress = { state: 'idle', phase: '', bytes_done: 0, bytes_total: 0, files_done: 0, files_total: 0, eta_ms: null };

export interface RestoreJobOptions {
  supervisor: Supervisor;
  /** The node's data directory and network, as last reported. */
  target(): { dataDir?: string; network?: string };
  /** How long to wait for the restarted node to be ready (ms). */
  readyTimeoutMs?: number;
}

export class RestoreJob {
  private s: RestoreProgress = { ...IDLE };
  private readonly ee = new EventEmitter();

  constructor(private readonly o: RestoreJobOptions) {}

  status(): RestoreProgress {
    return structuredClone(this.s);
  }

  onChange(cb: (p: RestoreProgress) => void): () => void {
    this.ee.on('change', cb);
    return () => this.ee.off('change', cb);
  }

  private set(p: Partial<RestoreProgress>): void {
    this.s = { ...this.s, ...p };
    this.ee.emit('change', this.status());
  }

  /**
   * Checks and starts a restore; resolves once it runs in the background (the node is stopped next).
   * @throws RpcError busy (a restore runs), not_ready (data directory or network unknown), or the
   *   failing pre-check's reason (wrong_network, newer_format, …) — then nothing was stopped.
   */
  async start(from: string): Promise<{ done: Promise<RestoreProgress> }> {
    if (this.s.state === 'running') throw RpcError.app(SnapshotReason.busy, 'a restore is already running');
    const { dataDir, network } = this.o.target();
    if (!dataDir || !network) throw RpcError.app('not_ready', 'the node has not reported its data directory and network yet');
    this.s = { ...IDLE, state: 'running', phase: 'prechecks', from, started_at_ms: Date.now() };
    this.set({});
    const at = new Date();
    // Loaded on first use: the restore code (snapshot reader, every module's data layout) is not on the console's start path (issue 17).
    const { planRestore } = await import('../node-core/snapshots/restore-plan.js');
    const { plan, failure } = await planRestore(from, dataDir, network, at, { ownNode: true }).catch((err: unknown) => ({ plan: undefined, failure: err as Error }));
    if (failure || !plan?.snapshot) {
      const reason = (failure as { reason?: string } | undefined)?.reason ?? SnapshotReason.invalid_manifest;
      const message = failure?.message ?? 'the snapshot cannot be read';
      this.set({ state: 'failed', error: { message, reason }, failed_phase: 'prechecks', finished_at_ms: Date.now() });
      throw RpcError.app(reason, message);
    }
    this.set({ snapshot_id: plan.snapshot.id, height: plan.snapshot.height, pre_restore_path: plan.pre_restore_path });
    return { done: this.run(from, dataDir, network, at) };
  }

  private async run(from: string, root: string, network: string, at: Date): Promise<RestoreProgress> {
    let error: { message: string; reason: string } | undefined;
    let failedPhase: RestorePhase | undefined;
    try {
      this.set({ phase: 'stopping_node' });
      await this.o.supervisor.stop();
      const { restoreSnapshot } = await import('../node-core/snapshots/restore.js');
      const r = await restoreSnapshot({
        from,
        root,
        network,
        at,
        // Its own pre-checks were already shown before the node stopped.
        onProgress: (p) => {
          if (p.phase !== 'prechecks') this.set({ ...p, phase: p.phase as RestorePhase });
        },
      });
      this.set({ height: r.height, pre_restore_path: r.pre_restore_path ?? undefined });
    } catch (err) {
      error = { message: (err as Error).message, reason: (err as { reason?: string }).reason ?? SnapshotReason.io_error };
      failedPhase = this.s.phase || undefined;
    }
    // Restored or not, the node runs again (on the old data after a failure: nothing was changed).
    this.set({ phase: 'starting_node', eta_ms: null });
    try {
      await this.startNode();
      if (!error) {
        const tip = (await this.o.supervisor.call('chain.tip')) as { height: number };
        this.set({ phase: 'ready', message: `restored ${this.s.snapshot_id}; the node is ready at height ${tip.height} (snapshot height ${this.s.height})` });
      }
    } catch (err) {
      if (!error) failedPhase = 'starting_node';
      error ??= { message: `the node did not come back after the restore: ${(err as Error).message}`, reason: SnapshotReason.io_error };
    }
    this.set(error ? { state: 'failed', error, failed_phase: failedPhase, finished_at_ms: Date.now() } : { state: 'done', finished_at_ms: Date.now() });
    return this.status();
  }

  /** Starts the node and resolves when it is `ready`. @throws when it fails, crashes or times out. */
  private startNode(): Promise<void> {
    const sup = this.o.supervisor;
    return new Promise<void>((resolve, reject) => {
      let off = () => {};
      const timer = setTimeout(() => {
        off();
        reject(new Error(`not ready within ${(this.o.readyTimeoutMs ?? 120_000) / 1000} s`));
      }, this.o.readyTimeoutMs ?? 120_000);
      const check = (st: SupervisorState) => {
        const phase = st.node_phase?.phase;
        if (st.state === 'running' && phase === 'ready') {
          clearTimeout(timer);
          off();
          resolve();
        } else if (st.state === 'backoff' || st.state === 'crash_loop' || st.state === 'start_failed' || phase === 'failed') {
          clearTimeout(timer);
          off();
          reject(new Error(st.start_error ?? st.node_phase?.reason ?? st.last_crash?.reason ?? `node ${st.state}`));
        }
      };
      off = sup.onState(check);
      void sup.restart();
    });
  }
}
