// Notification center: de-duplication (same kind + key while open → one entry, count grows, no
// second alert), alert throttling per kind, resolve → a new occurrence; and the watchers that
// turn supervisor states, node topics, disk figures and deadlines into notices.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { portConflictOf, type SupervisorState } from '../../../src/shared/api/app.js';
import { DEFAULT_SETTINGS } from '../../../src/shared/api/desktop.js';
import { NotificationCenter } from '../../../src/host/desktop/notify-center.js';
import {
  checkDisk,
  deadlineNotices,
  watchSupervisor,
  watchTopics,
  type WatchedNode,
} from '../../../src/host/desktop/notify-sources.js';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const base: SupervisorState = {
  state: 'stopped',
  launcher: 'fork',
  node_phase: null,
  restarts: 0,
  last_crash: null,
  crash_loop: false,
};

class FakeNode implements WatchedNode {
  ee = new EventEmitter();
  s: SupervisorState = base;
  state() {
    return this.s;
  }
  onState(cb: (s: SupervisorState) => void) {
    this.ee.on('state', cb);
    return () => this.ee.off('state', cb);
  }
  set(p: Partial<SupervisorState>) {
    this.s = { ...this.s, ...p };
    this.ee.emit('state', this.s);
  }
  subscribe(topic: string, cb: (p: any) => void) {
    this.ee.on(topic, cb);
    return () => this.ee.off(topic, cb);
  }
  emit(topic: string, p: unknown) {
    this.ee.emit(topic, p);
  }
  async call(): Promise<unknown> {
    return null;
  }
}

const crash = (at: number, reason = 'killed by SIGKILL') => ({
  at_ms: at,
  code: null,
  signal: 'SIGKILL',
  reason,
  last_lines: [],
});

describe('notification center', () => {
  it('de-duplicates an open occurrence: one entry, count and body updated, a single alert', () => {
    const c = clock();
    const n = new NotificationCenter({ now: c.now });
    const alerts: string[] = [];
    n.on((x, alert) => alert && alerts.push(x.id));
    const a = n.raise({
      kind: 'disk_low',
      key: '/d',
      severity: 'warn',
      title: 'Disk space low',
      body: '1.9 GiB',
    });
    c.advance(30_000);
    const b = n.raise({
      kind: 'disk_low',
      key: '/d',
      severity: 'warn',
      title: 'Disk space low',
      body: '1.8 GiB',
    });
    expect(b.deduped).toBe(true);
    expect(b.notification.id).toBe(a.notification.id);
    expect(n.list().items).toHaveLength(1);
    expect(n.list().items[0]).toMatchObject({
      count: 2,
      body: '1.8 GiB',
      last_ms: a.notification.first_ms + 30_000,
    });
    expect(alerts).toEqual([a.notification.id]);
  });

  it('throttles alerts per kind but lists every distinct event', () => {
    const c = clock();
    const n = new NotificationCenter({ now: c.now, throttleMs: 60_000 });
    const r1 = n.raise({ kind: 'node_crash', key: 'a', severity: 'error', title: 'x', body: '' });
    c.advance(5_000);
    const r2 = n.raise({ kind: 'node_crash', key: 'b', severity: 'error', title: 'x', body: '' });
    c.advance(60_000);
    const r3 = n.raise({ kind: 'node_crash', key: 'c', severity: 'error', title: 'x', body: '' });
    const other = n.raise({ kind: 'sync_stalled', key: 'a', severity: 'warn', title: 'y', body: '' });
    expect([r1.alert, r2.alert, r3.alert, other.alert]).toEqual([true, false, true, true]);
    expect(n.list().items.map((i) => i.kind)).toEqual([
      'sync_stalled',
      'node_crash',
      'node_crash',
      'node_crash',
    ]);
  });

  it('a resolved occurrence raised again is a new entry (and alerts again)', () => {
    const c = clock();
    const n = new NotificationCenter({ now: c.now, throttleMs: 0 });
    n.raise({ kind: 'disk_low', key: '/d', severity: 'warn', title: 't', body: '' });
    n.resolve('disk_low');
    c.advance(1000);
    const again = n.raise({ kind: 'disk_low', key: '/d', severity: 'warn', title: 't', body: '' });
    expect(again.deduped).toBe(false);
    expect(again.alert).toBe(true);
    expect(n.list().items).toHaveLength(2);
  });

  it('read / dismiss and the unread count; at most `max` entries kept', () => {
    const n = new NotificationCenter({ max: 3, throttleMs: 0 });
    for (let i = 0; i < 5; i++)
      n.raise({ kind: 'deadline', key: String(i), severity: 'info', title: `d${i}`, body: '' });
    expect(n.list().items.map((i) => i.title)).toEqual(['d4', 'd3', 'd2']);
    const [first] = n.list().items;
    expect(n.markRead([first.id])).toBe(2);
    expect(n.markRead([first.id], true)).toBe(2);
    expect(n.list().items).toHaveLength(2);
    expect(n.markRead()).toBe(0);
  });

  it('a dismissed notice stays quiet while its condition holds; after it resolves, a new one shows', () => {
    const n = new NotificationCenter({ throttleMs: 0 });
    const seen: string[] = [];
    n.on((x) => seen.push(`${x.kind}×${x.count}`));
    const a = n.raise({ kind: 'disk_low', key: '/d', severity: 'warn', title: 'low', body: '' });
    n.markRead([a.notification.id], true);
    expect(n.raise({ kind: 'disk_low', key: '/d', severity: 'warn', title: 'low', body: '' }).deduped).toBe(
      true,
    );
    expect(n.list().items).toHaveLength(0);
    expect(seen).toEqual(['disk_low×1']);
    n.resolve('disk_low');
    const b = n.raise({ kind: 'disk_low', key: '/d', severity: 'warn', title: 'low', body: '' });
    expect(b.deduped).toBe(false);
    expect(n.list().items.map((i) => i.id)).toEqual([b.notification.id]);
  });
});

describe('watchers', () => {
  it('crash → restart → crash loop → start failure with a port conflict', () => {
    const node = new FakeNode();
    const n = new NotificationCenter({ throttleMs: 0 });
    watchSupervisor(node, n);
    node.set({ state: 'running', node_phase: { phase: 'ready' } });
    node.set({ state: 'backoff', last_crash: crash(1), node_phase: null });
    node.set({ state: 'backoff', last_crash: crash(1), node_phase: null }); // same crash reported twice
    node.set({ state: 'starting', restarts: 1 });
    node.set({ state: 'running', node_phase: { phase: 'ready' } });
    expect(n.list().items.map((i) => i.kind)).toEqual(['node_restarted', 'node_crash']);
    // The phase may come before the supervisor says running (or after): either order counts.
    node.set({ state: 'backoff', last_crash: crash(3), node_phase: null });
    node.set({ state: 'starting', node_phase: { phase: 'ready' } });
    node.set({ state: 'running' });
    expect(n.list().items.filter((i) => i.kind === 'node_restarted')).toHaveLength(2);
    node.set({ state: 'crash_loop', crash_loop: true, last_crash: crash(2) });
    node.set({
      state: 'start_failed',
      start_error: 'port 8545 is already in use (127.0.0.1:8545); change it with --rpc-addr or TB_RPC_ADDR',
    });
    const items = n.list().items;
    expect(items[0]).toMatchObject({
      kind: 'port_conflict',
      title: 'Port 8545 is already in use',
      // The node's sentence gets its full stop before the console's advice.
      body: 'port 8545 is already in use (127.0.0.1:8545); change it with --rpc-addr or TB_RPC_ADDR. Change the port in Settings, then restart the node.',
      page: 'settings',
    });
    expect(items[1]).toMatchObject({ kind: 'crash_loop', severity: 'error' });
    expect(portConflictOf('listen EADDRINUSE: address already in use 127.0.0.1:26658')).toBe(26658);
    expect(portConflictOf('data directory in use by pid 4')).toBeNull();
  });

  it('governor gates, backups (finished/failed, one entry per job), sync stalled after the configured time', () => {
    const node = new FakeNode();
    const c = clock();
    const n = new NotificationCenter({ now: c.now, throttleMs: 0 });
    watchTopics(node, n, () => DEFAULT_SETTINGS, c.now);
    const gate = {
      gate: 'operational',
      from: 'inactive',
      to: 'active',
      action: 'enter',
      epoch: 3,
      epoch_apply: 4,
      height: 400,
      intent_id: 'operational-3-0',
      reason: 'chain healthy',
      ts_ms: 1,
    };
    node.emit('governor.gateChanged', gate);
    node.emit('governor.gateChanged', gate);
    const job = {
      job_id: 'j1',
      kind: 'create',
      state: 'done',
      path: '/b',
      create: { id: 'snap-1', bytes: 10 },
    };
    node.emit('snapshots.progress', job);
    node.emit('snapshots.scheduled', { at_ms: 1, ok: true, job_id: 'j1', snapshot_id: 'snap-1' });
    node.emit('snapshots.progress', {
      job_id: 'j2',
      kind: 'create',
      state: 'failed',
      path: '/b',
      error: { message: 'no space' },
    });
    const sync = { phase: 'downloading', local_height: 10, target_height: 50, peers: 2 };
    node.emit('net.sync', sync);
    c.advance(30_000);
    node.emit('net.sync', sync);
    expect(n.isOpen('sync_stalled')).toBe(false);
    c.advance(31_000);
    node.emit('net.sync', sync);
    expect(n.isOpen('sync_stalled')).toBe(true);
    node.emit('net.sync', { ...sync, local_height: 11 });
    expect(n.isOpen('sync_stalled')).toBe(false);
    // node.notice: a quarantined store, once per notice (the node replays the last 50 on subscribe).
    const notice = {
      at_ms: 5,
      level: 'warn',
      kind: 'store_quarantined',
      message: 'peer store was damaged; recreated empty.',
      store: 'overlay_peers',
      moved_to: '/d/overlay/overlay_peers.json.damaged-5',
    };
    node.emit('node.notice', notice);
    node.emit('node.notice', notice);
    const q = n.list().items[0];
    expect(q).toMatchObject({
      kind: 'store_quarantined',
      severity: 'warn',
      title: 'A damaged store was rebuilt: overlay_peers',
      count: 2,
    });
    expect(q.body).toContain('/d/overlay/overlay_peers.json.damaged-5');
    n.markRead([q.id], true);
    const kinds = n.list().items.map((i) => `${i.kind}×${i.count}`);

    expect(kinds).toEqual(['sync_stalled×1', 'backup_failed×1', 'backup_finished×2', 'governor_gate×2']);
  });

  it('disk: two tiers from the settings; recovery closes them', async () => {
    const n = new NotificationCenter({ throttleMs: 0 });
    const MiB = 1024 * 1024;
    expect((await checkDisk('/d', n, DEFAULT_SETTINGS, 4096 * MiB)).tier).toBe('ok');
    expect((await checkDisk('/d', n, DEFAULT_SETTINGS, 1000 * MiB)).tier).toBe('low');
    expect(n.isOpen('disk_low')).toBe(true);
    expect((await checkDisk('/d', n, DEFAULT_SETTINGS, 100 * MiB)).tier).toBe('critical');
    expect(n.isOpen('disk_low')).toBe(false);
    expect(n.list().items[0]).toMatchObject({ kind: 'disk_critical', severity: 'error' });
    await checkDisk('/d', n, DEFAULT_SETTINGS, 9000 * MiB);
    expect(n.isOpen('disk_critical')).toBe(false);
    // A real statfs of this machine's temp dir answers a number.
    expect((await checkDisk(process.cwd(), new NotificationCenter(), DEFAULT_SETTINGS)).free).toBeGreaterThan(
      0,
    );
  });

  it('deadlines: one notice inside the lead, one when due, none twice', () => {
    const n = new NotificationCenter({ throttleMs: 0 });
    const d = (blocks: number) => ({
      height: 1000,
      block_time_ms: 1000,
      now_ms: 0,
      deadlines: [
        {
          id: 'governor:intent_applies:x',
          module: 'governor',
          kind: 'intent_applies',
          title: 'X applies',
          at_height: 1000 + blocks,
          blocks_left: blocks,
          at_ms: blocks * 1000,
        },
      ],
    });
    deadlineNotices(d(500), n, DEFAULT_SETTINGS);
    expect(n.list().items).toHaveLength(0);
    deadlineNotices(d(100), n, DEFAULT_SETTINGS);
    deadlineNotices(d(90), n, DEFAULT_SETTINGS);
    deadlineNotices(d(1), n, DEFAULT_SETTINGS);
    deadlineNotices(d(0), n, DEFAULT_SETTINGS);
    expect(n.list().items.map((i) => `${i.title}×${i.count}`)).toEqual([
      'Now: X applies×2',
      'In 100 blocks: X applies×2',
    ]);
    // A recurring deadline (the governor's window) is listed in the inbox, never notified.
    const r = d(5);
    r.deadlines[0] = { ...r.deadlines[0], id: 'governor:window_closes:1', recurring: true } as never;
    deadlineNotices(r, n, DEFAULT_SETTINGS);
    expect(n.list().items).toHaveLength(2);
  });
});
