/**
 * The notification center (both modes): every notice the console raises goes through
 * {@link NotificationCenter.raise}, which
 * - de-duplicates: raising the same `kind` + `key` while its entry is still open (not resolved,
 *   not dismissed, raised again within `dedupeMs`) updates that entry (`count`, `last_ms`, body)
 *   instead of adding one, and never alerts again;
 * - throttles alerts: at most one alert (OS notification, toast) per kind per `throttleMs`
 *   (a burst of crashes or gate changes alerts once; the entries are all still listed).
 * `resolve(kind, key)` closes an occurrence (disk space recovered, sync moving again), so the next
 * raise is a new entry. At most `max` entries are kept, newest first.
 */
import { EventEmitter } from 'node:events';
import type { Notification, NotificationKind } from '../../shared/api/desktop.js';

export interface Raise {
  kind: NotificationKind;
  /** What makes two raises "the same thing" within a kind (a gate, a job id, a port, a deadline id). */
  key: string;
  severity: Notification['severity'];
  title: string;
  body: string;
  page?: string;
}

export interface CenterOptions {
  now?: () => number;
  /** Minimum ms between two alerts of one kind (default 60 000; per-kind overrides). */
  throttleMs?: number;
  throttleByKind?: Partial<Record<NotificationKind, number>>;
  /** An open entry absorbs raises within this many ms of its last raise (default 1 h). */
  dedupeMs?: number;
  max?: number;
}

/** Default per-kind alert throttles: deadlines and backups are distinct events, each worth an alert. */
const KIND_THROTTLE: Partial<Record<NotificationKind, number>> = {
  deadline: 0,
  backup_finished: 0,
  backup_failed: 0,
  governor_gate: 10_000,
};

interface Entry extends Notification {
  key: string;
  open: boolean;
  /** Dismissed while its condition still holds: hidden, but it still absorbs raises until resolved. */
  dismissed: boolean;
}

export class NotificationCenter {
  private readonly ee = new EventEmitter();
  private entries: Entry[] = [];
  private readonly lastAlert = new Map<NotificationKind, number>();
  private readonly now: () => number;

  constructor(private readonly o: CenterOptions = {}) {
    this.now = o.now ?? Date.now;
    this.ee.setMaxListeners(0);
  }

  /**
   * Raises a notice. @returns the entry (new or updated) and whether it should alert (new
   * occurrence, outside the kind's throttle).
   */
  raise(r: Raise): { notification: Notification; alert: boolean; deduped: boolean } {
    const t = this.now();
    const open = this.entries.find(
      (e) => e.open && e.kind === r.kind && e.key === r.key && t - e.last_ms < (this.o.dedupeMs ?? 3_600_000),
    );
    if (open) {
      open.count += 1;
      open.last_ms = t;
      open.body = r.body;
      open.severity = r.severity;
      const n = strip(open);
      if (!open.dismissed) this.ee.emit('notification', n, false);
      return { notification: n, alert: false, deduped: true };
    }
    const e: Entry = {
      id: `${r.kind}:${r.key}:${t}`.slice(0, 200),
      kind: r.kind,
      key: r.key,
      severity: r.severity,
      title: r.title,
      body: r.body,
      first_ms: t,
      last_ms: t,
      count: 1,
      read: false,
      open: true,
      dismissed: false,
      ...(r.page ? { page: r.page } : {}),
    };
    this.entries.unshift(e);
    if (this.entries.length > (this.o.max ?? 200)) this.entries.length = this.o.max ?? 200;
    const throttle = this.o.throttleByKind?.[r.kind] ?? KIND_THROTTLE[r.kind] ?? this.o.throttleMs ?? 60_000;
    const last = this.lastAlert.get(r.kind);
    const alert = last === undefined || t - last >= throttle;
    if (alert) this.lastAlert.set(r.kind, t);
    const n = strip(e);
    this.ee.emit('notification', n, alert);
    return { notification: n, alert, deduped: false };
  }

  /** Closes the open occurrence of kind + key (a later raise starts a new entry). */
  resolve(kind: NotificationKind, key?: string): void {
    for (const e of this.entries)
      if (e.open && e.kind === kind && (key === undefined || e.key === key)) e.open = false;
  }

  /** Whether an occurrence of kind (+ key) is open. */
  isOpen(kind: NotificationKind, key?: string): boolean {
    return this.entries.some((e) => e.open && e.kind === kind && (key === undefined || e.key === key));
  }

  list(): { items: Notification[]; unread: number } {
    return { items: this.entries.filter((e) => !e.dismissed).map(strip), unread: this.unread() };
  }

  unread(): number {
    return this.entries.filter((e) => !e.read && !e.dismissed).length;
  }

  /**
   * Marks read (all when ids is undefined), or dismisses them: a dismissed entry leaves the list;
   * while its condition still holds (not resolved) it stays hidden and absorbs further raises.
   */
  markRead(ids?: string[], dismiss = false): number {
    for (const e of this.entries) {
      if (ids && !ids.includes(e.id)) continue;
      e.read = true;
      if (dismiss) e.dismissed = true;
    }
    if (dismiss) this.entries = this.entries.filter((e) => e.open || !e.dismissed);
    return this.unread();
  }

  /** Every raise (new or de-duplicated); `alert` says whether it should interrupt the operator. */
  on(cb: (n: Notification, alert: boolean) => void): () => void {
    this.ee.on('notification', cb);
    return () => this.ee.off('notification', cb);
  }
}

function strip(e: Entry): Notification {
  const { key: _k, open: _o, dismissed: _d, ...n } = e;
  return { ...n };
}
