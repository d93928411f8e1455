/**
 * Book-keeping of the readings this node accepted and has not yet seen settled on the chain:
 *   queued   accepted (verified, checked, in the journal), waiting for a slot in an `energy.readings` tx
 *   pending  in an `energy.readings` tx in the mempool (tx hash known)
 *   included in a block (height known)
 *   refused  dropped before inclusion, with the chain's reason — only when the reading aged out of
 *            the timestamp window while it waited (stale_timestamp, oracle_timeout), see EnergyService.flush
 * The overlay is each provider as the next reading must see it: the chain's provider moved by
 * its readings still waiting; it goes when the last of them is included or refused.
 * Resolved entries are kept for `energy.reading_status` (the last {@link KEEP_RESOLVED}).
 */
import type { MeterReading } from './reading.js';
import type { Provider } from './state.js';

/** Included / refused readings remembered for `energy.reading_status` (older ones: from the chain state). */
export const KEEP_RESOLVED = 100_000;

export type ReadingState = 'queued' | 'pending' | 'included' | 'refused';

export interface Track {
  r: MeterReading;
  hash: string;
  /** kWh the credit will hold (total − previous accepted total). */
  amount: bigint;
  state: ReadingState;
  tx: string | null;
  height: number | null;
  reason: string | null;
  /** The JSON line in the journal. */
  line: string;
}

export class PendingReadings {
  readonly byHash = new Map<string, Track>();
  /** Accepted, not yet in a tx, in acceptance order. */
  queue: Track[] = [];
  /** tx hash → its readings, in submission order. */
  readonly inflight = new Map<string, Track[]>();
  private readonly overlay = new Map<string, { p: Provider; n: number }>();
  private readonly resolved: string[] = [];
  /** Readings accepted and not yet included or refused. */
  waiting = 0;

  provider(id: string): Provider | undefined {
    return this.overlay.get(id)?.p;
  }

  accept(t: Track, next: Provider): void {
    const o = this.overlay.get(next.id);
    this.overlay.set(next.id, { p: next, n: (o?.n ?? 0) + 1 });
    this.byHash.set(t.hash, t);
    this.queue.push(t);
    this.waiting++;
  }

  /** Marks `t` included at `height` or refused with `reason`; releases its overlay hold. */
  resolve(t: Track, outcome: { height: number } | { reason: string }): void {
    if (t.state === 'included' || t.state === 'refused') return;
    if ('height' in outcome) Object.assign(t, { state: 'included', height: outcome.height });
    else Object.assign(t, { state: 'refused', reason: outcome.reason });
    this.waiting--;
    const o = this.overlay.get(t.r.provider_id);
    if (o && --o.n <= 0) this.overlay.delete(t.r.provider_id);
    this.resolved.push(t.hash);
    if (this.resolved.length > KEEP_RESOLVED) this.byHash.delete(this.resolved.shift()!);
  }

  /** Records a reading refused without ever being accepted (journal recovery). */
  refuseUnaccepted(t: Track, reason: string): void {
    Object.assign(t, { state: 'refused', reason });
    this.byHash.set(t.hash, t);
    this.resolved.push(t.hash);
    if (this.resolved.length > KEEP_RESOLVED) this.byHash.delete(this.resolved.shift()!);
  }

  /** Journal lines of the readings still waiting, in acceptance order. */
  waitingLines(): string[] {
    const out: string[] = [];
    for (const ts of this.inflight.values()) for (const t of ts) out.push(t.line);
    for (const t of this.queue) out.push(t.line);
    return out;
  }

  counts(): { queued: number; pending: number } {
    let pending = 0;
    for (const ts of this.inflight.values()) pending += ts.length;
    return { queued: this.queue.length, pending };
  }
}
