/**
 * Progress counters with an ETA for long snapshot work. The rate is measured on a monotonic
 * clock (performance.now) since the current phase started; reports are throttled so a UI is not
 * flooded (the last report of a phase is always sent by `flush`).
 */
import { performance } from 'node:perf_hooks';
import type { Progress } from '../../shared/api/snapshots.js';

export class ProgressTracker {
  private p: Progress = { phase: '', bytes_done: 0, bytes_total: 0, files_done: 0, files_total: 0, eta_ms: null };
  private phaseStart = performance.now();
  private phaseBytes0 = 0;
  private lastEmit = 0;

  constructor(
    private readonly emit: (p: Progress) => void = () => {},
    private readonly everyMs = 250,
  ) {}

  get current(): Progress {
    return { ...this.p };
  }

  /** Starts a phase; totals are absolute (not per phase). */
  phase(name: string, totals?: { bytes?: number; files?: number }): void {
    this.p.phase = name;
    if (totals?.bytes !== undefined) this.p.bytes_total = totals.bytes;
    if (totals?.files !== undefined) this.p.files_total = totals.files;
    this.phaseStart = performance.now();
    this.phaseBytes0 = this.p.bytes_done;
    this.p.eta_ms = null;
    this.flush();
  }

  bytes(n: number): void {
    this.p.bytes_done += n;
    this.tick();
  }

  file(): void {
    this.p.files_done += 1;
    this.tick();
  }

  private tick(): void {
    const now = performance.now();
    const elapsed = now - this.phaseStart;
    const moved = this.p.bytes_done - this.phaseBytes0;
    // A rate needs a little history (half a second and 1 % of the work); before that the ETA stays unknown (null), never a guess.
    if (elapsed > 500 && moved > 0 && moved >= this.p.bytes_total / 100) this.p.eta_ms = Math.max(0, Math.round(((this.p.bytes_total - this.p.bytes_done) * elapsed) / moved));
    if (now - this.lastEmit >= this.everyMs) this.flush();
  }

  flush(): void {
    this.lastEmit = performance.now();
    this.emit(this.current);
  }
}
