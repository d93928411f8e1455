/**
 * What raises notifications: the supervisor (crash, restart after a crash, crash loop, start
 * failure, port conflict), node topics (`governor.gateChanged`, `snapshots.progress`,
 * `snapshots.scheduled`, `net.sync`, `node.notice`: quarantined stores), the disk watcher (two tiers) and the deadline watcher
 * (`node.deadlines`, a notice `deadline_lead_blocks` before each and one when it is due).
 * Every notice goes through the {@link NotificationCenter} (de-duplication, alert throttling).
 */
import { statfs } from 'node:fs/promises';
import { portConflictOf, type SupervisorState } from '../../shared/api/app.js';
import type { ConsoleSettings } from '../../shared/api/desktop.js';
import type { DeadlinesResult } from '../../shared/api/deadlines.js';
import type { TopicName, TopicPayload } from '../../shared/api/events.js';
import type { NotificationCenter } from './notify-center.js';

/** The parts of the Supervisor the watchers use (a fake in tests). */
export interface WatchedNode {
  state(): SupervisorState;
  onState(cb: (s: SupervisorState) => void): () => void;
  subscribe<T extends TopicName>(topic: T, cb: (p: TopicPayload<T>) => void): () => void;
  call(method: string, params?: unknown): Promise<unknown>;
}

/** Supervisor transitions → notices. */
export function watchSupervisor(node: WatchedNode, center: NotificationCenter): () => void {
  let prev = node.state();
  let lastCrashAt = prev.last_crash?.at_ms ?? 0;
  let crashedSinceReady = false;
  let wasUp = prev.state === 'running' && prev.node_phase?.phase === 'ready';
  return node.onState((s) => {
    const crash = s.last_crash;
    if (crash && crash.at_ms !== lastCrashAt && (s.state === 'backoff' || s.state === 'crash_loop')) {
      lastCrashAt = crash.at_ms;
      crashedSinceReady = true;
      if (s.state === 'backoff')
        center.raise({
          kind: 'node_crash',
          key: 'node',
          severity: 'error',
          title: 'The node crashed',
          body: `${crash.reason}; restarting automatically.`,
          page: 'logs',
        });
    }
    if (s.state === 'crash_loop' && prev.state !== 'crash_loop')
      center.raise({
        kind: 'crash_loop',
        key: 'node',
        severity: 'error',
        title: 'The node keeps crashing',
        body: `3 crashes within a minute (${crash?.reason ?? 'unknown'}); automatic restarts stopped. Open the logs, then Restart.`,
        page: 'logs',
      });
    if (s.state === 'start_failed' && prev.state !== 'start_failed') {
      const msg = s.start_error ?? crash?.reason ?? 'unknown';
      const port = portConflictOf(msg);
      if (port !== null)
        center.raise({
          kind: 'port_conflict',
          key: String(port),
          severity: 'error',
          title: port ? `Port ${port} is already in use` : 'A port is already in use',
          body: `${/[.!?]$/.test(msg) ? msg : `${msg}.`} Change the port in Settings, then restart the node.`,
          page: 'settings',
        });
      else
        center.raise({
          kind: 'start_failed',
          key: 'node',
          severity: 'error',
          title: 'The node could not start',
          body: msg,
          page: 'logs',
        });
    }
    // Up = running and ready, whichever of the two was reported last.
    const up = s.state === 'running' && s.node_phase?.phase === 'ready';
    if (up && !wasUp) {
      if (crashedSinceReady)
        center.raise({
          kind: 'node_restarted',
          key: 'node',
          severity: 'info',
          title: 'The node is running again',
          body: `Restarted after a crash (${s.restarts} automatic restart${s.restarts === 1 ? '' : 's'} so far).`,
        });
      crashedSinceReady = false;
      center.resolve('node_crash');
      center.resolve('crash_loop');
      center.resolve('start_failed');
      center.resolve('port_conflict');
      center.resolve('node_restarted');
    }
    wasUp = up;
    prev = s;
  });
}

/** Node topics → notices (governor gates, backups, sync stalled). */
export function watchTopics(
  node: WatchedNode,
  center: NotificationCenter,
  settings: () => ConsoleSettings,
  now: () => number = Date.now,
): () => void {
  const offs: (() => void)[] = [];
  offs.push(
    node.subscribe('governor.gateChanged', (e) =>
      center.raise({
        kind: 'governor_gate',
        key: e.intent_id,
        severity: 'info',
        title: `Governor: ${e.gate} ${e.from} → ${e.to}`,
        body: `${e.reason} (decided in epoch ${e.epoch}, applies at epoch ${e.epoch_apply}).`,
        page: 'governor',
      }),
    ),
  );
  offs.push(
    node.subscribe('snapshots.progress', (j) => {
      if (j.kind !== 'create') return;
      if (j.state === 'done' && j.create)
        center.raise({
          kind: 'backup_finished',
          key: j.job_id,
          severity: 'info',
          title: 'Backup finished',
          body: `${j.create.id} written to ${j.path}.`,
          page: 'backup',
        });
      else if (j.state === 'failed')
        center.raise({
          kind: 'backup_failed',
          key: j.job_id,
          severity: 'error',
          title: 'Backup failed',
          body: `${j.error?.message ?? 'unknown error'} (${j.path}).`,
          page: 'backup',
        });
    }),
  );
  offs.push(
    node.subscribe('snapshots.scheduled', (r) => {
      const key = r.job_id ?? `scheduled-${r.at_ms}`;
      if (r.ok)
        center.raise({
          kind: 'backup_finished',
          key,
          severity: 'info',
          title: 'Scheduled backup finished',
          body: `${r.snapshot_id ?? 'snapshot'} written${r.pruned?.length ? `; ${r.pruned.length} old removed` : ''}.`,
          page: 'settings',
        });
      else
        center.raise({
          kind: 'backup_failed',
          key,
          severity: 'error',
          title: 'Scheduled backup failed',
          body: r.error ?? 'unknown error',
          page: 'settings',
        });
    }),
  );
  // What the node says the operator should know without stopping (a damaged store moved aside…).
  offs.push(
    node.subscribe('node.notice', (n) => {
      const quarantined = n.kind === 'store_quarantined';
      center.raise({
        kind: quarantined ? 'store_quarantined' : 'node_notice',
        key: `${n.kind}:${n.store ?? n.path ?? ''}:${n.at_ms}`,
        severity: n.level,
        title: quarantined
          ? `A damaged store was rebuilt${n.store ? `: ${n.store}` : ''}`
          : `Node notice: ${n.kind.replace(/_/g, ' ')}`,
        body: `${n.message}${n.moved_to ? ` The damaged copy is kept at ${n.moved_to}.` : ''}`,
        page: 'logs',
      });
    }),
  );
  // Sync stalled: peers are ahead, and our head has not moved for sync_stall_secs.
  let lastHeight = -1;
  let movedAt = now();
  offs.push(
    node.subscribe('net.sync', (s) => {
      const t = now();
      if (s.local_height !== lastHeight) {
        lastHeight = s.local_height;
        movedAt = t;
        center.resolve('sync_stalled');
        return;
      }
      const behind = s.target_height - s.local_height;
      const stall = settings().notifications.sync_stall_secs * 1000;
      if (behind > 0 && s.peers > 0 && t - movedAt >= stall)
        center.raise({
          kind: 'sync_stalled',
          key: 'sync',
          severity: 'warn',
          title: 'Sync stalled',
          body: `No new block for ${Math.round((t - movedAt) / 1000)} s at height ${s.local_height}; peers are at ${s.target_height} (${s.peers} connected).`,
          page: 'network',
        });
    }),
  );
  return () => offs.forEach((f) => f());
}

export type DiskTier = 'ok' | 'low' | 'critical';

/** Free bytes on the file system holding `dir` (statfs: blocks available to unprivileged users). */
export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/** The tier of a free-space figure under the settings' two thresholds. */
export function diskTier(free: number, s: ConsoleSettings): DiskTier {
  const mib = 1024 * 1024;
  if (free < s.disk.refuse_free_mib * mib) return 'critical';
  if (free < s.disk.warn_free_mib * mib) return 'low';
  return 'ok';
}

/** One disk check → notices; returns the tier. */
export async function checkDisk(
  dir: string,
  center: NotificationCenter,
  s: ConsoleSettings,
  free?: number,
): Promise<{ tier: DiskTier; free: number }> {
  const f = free ?? (await freeBytes(dir));
  const tier = diskTier(f, s);
  const gib = (f / 1024 ** 3).toFixed(2);
  if (tier === 'critical') {
    center.resolve('disk_low');
    center.raise({
      kind: 'disk_critical',
      key: dir,
      severity: 'error',
      title: 'Disk almost full — new writes refused',
      body: `${gib} GiB free on the data directory's disk (below ${s.disk.refuse_free_mib} MiB): backups, restores and data-directory moves are refused until space is freed.`,
      page: 'settings',
    });
  } else if (tier === 'low') {
    center.resolve('disk_critical');
    center.raise({
      kind: 'disk_low',
      key: dir,
      severity: 'warn',
      title: 'Disk space low',
      body: `${gib} GiB free on the data directory's disk (warning below ${s.disk.warn_free_mib} MiB).`,
      page: 'settings',
    });
  } else {
    center.resolve('disk_low');
    center.resolve('disk_critical');
  }
  return { tier, free: f };
}

/**
 * Deadlines → one notice when within `deadline_lead_blocks`, one when due. Recurring ones (the
 * governor's evaluation window, every few minutes) stay in the inbox without notices.
 */
export function deadlineNotices(r: DeadlinesResult, center: NotificationCenter, s: ConsoleSettings): void {
  const lead = s.notifications.deadline_lead_blocks;
  for (const d of r.deadlines) {
    if (d.blocks_left > lead || d.recurring) continue;
    const mins = Math.max(0, Math.round((d.at_ms - r.now_ms) / 60_000));
    const due = d.blocks_left <= 1;
    center.raise({
      kind: 'deadline',
      key: `${d.id}:${due ? 'due' : 'soon'}`,
      severity: due ? 'warn' : 'info',
      title: due ? `Now: ${d.title}` : `In ${d.blocks_left} blocks: ${d.title}`,
      body: `${d.detail ?? d.module} — at height ${d.at_height}${due ? '' : `, about ${mins} min from now`}.`,
      page: 'deadlines',
    });
  }
}
