// Supervisor against real child processes (test/unit/host/fixtures/fake-node.mjs speaks the node's
// IPC protocol): forwarding, restart after a crash with the reason, crash loop, ordered stop.
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { SupervisorState } from '../../../src/shared/api/app.js';
import { forkLauncher } from '../../../src/host/launcher.js';
import { Supervisor, type SupervisorOptions } from '../../../src/host/supervisor.js';
import { RpcError } from '../../../src/shared/api/errors.js';

const FAKE = fileURLToPath(new URL('./fixtures/fake-node.mjs', import.meta.url));
const running: Supervisor[] = [];

function make(args: string[] = [], o: Partial<SupervisorOptions> = {}): Supervisor {
  const sup = new Supervisor({
    launcher: forkLauncher(),
    spec: { entry: FAKE, args },
    backoffInitialMs: 20,
    probeIntervalMs: 50,
    ...o,
  });
  running.push(sup);
  return sup;
}

/** Resolves with the first state (current or future) matching `pred`. */
function until(sup: Supervisor, pred: (s: SupervisorState) => boolean): Promise<SupervisorState> {
  return new Promise((resolve) => {
    if (pred(sup.state())) return resolve(sup.state());
    const off = sup.onState((s) => {
      if (pred(s)) {
        off();
        resolve(s);
      }
    });
  });
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

describe('Supervisor', () => {
  it('starts the node, forwards calls and tracks its phase', async () => {
    const sup = make();
    sup.start();
    const s = await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    expect(s.launcher).toBe('fork');
    expect(s.pid).toBeGreaterThan(0);
    expect(await sup.call('test.echo', ['x', 1])).toEqual(['x', 1]);
    expect(sup.nodeStatus()?.chain_id).toBe(7);
    await expect(sup.call('nope.method')).rejects.toMatchObject({ code: -32601 });
  });

  it('reports the ready phase only with the new child\'s endpoints (a restart on another data dir)', async () => {
    const sup = make(['--data-dir', '/tmp/tb-fake-a']);
    sup.start();
    await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    expect(sup.nodeReady()?.data_dir).toBe('/tmp/tb-fake-a');
    // What a data-directory move does: new args, a stop, then a start. Every state update in the
    // ready phase after that start must carry the new child's data dir (the page reads app.info then).
    sup.setArgs(['--data-dir', '/tmp/tb-fake-b']);
    await sup.stop();
    const seen: (string | undefined)[] = [];
    const off = sup.onState((x) => {
      if (x.node_phase?.phase === 'ready') seen.push(sup.nodeReady()?.data_dir);
    });
    sup.start();
    await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    off();
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((d) => d === '/tmp/tb-fake-b')).toBe(true);
  });

  it('queues calls made before the child serves its channel', async () => {
    const sup = make(['--serve-after-ms', '400']);
    sup.start();
    expect(sup.state().state).toBe('starting');
    expect(await sup.call('test.echo', { a: 1 })).toEqual({ a: 1 });
  });

  it('restarts a crashed child and reports exit code and last stderr line', async () => {
    const sup = make([], { backoffInitialMs: 50 });
    sup.start();
    const first = await until(sup, (x) => x.state === 'running');
    void sup.call('test.exit', { code: 3, stderr: 'fatal: disk on fire' }).catch(() => {});
    const crashed = await until(sup, (x) => x.state === 'backoff');
    expect(crashed.last_crash).toMatchObject({ code: 3, signal: null });
    expect(crashed.last_crash?.reason).toBe('exited with code 3: fatal: disk on fire');
    expect(crashed.last_crash?.last_lines).toContain('fatal: disk on fire');
    expect(crashed.next_restart_at_ms).toBeGreaterThan(0);
    const again = await until(sup, (x) => x.state === 'running');
    expect(again.restarts).toBe(1);
    expect(again.pid).not.toBe(first.pid);
    expect(again.crash_loop).toBe(false);
  });

  it('reports a SIGKILL as the reason and restarts', async () => {
    const sup = make();
    sup.start();
    const s = await until(sup, (x) => x.state === 'running');
    process.kill(s.pid!, 'SIGKILL');
    const crashed = await until(sup, (x) => x.last_crash !== null);
    expect(crashed.last_crash).toMatchObject({ signal: 'SIGKILL', reason: 'killed by SIGKILL' });
    expect((await until(sup, (x) => x.state === 'running')).restarts).toBe(1);
  });

  it('uses the reason of a failed phase', async () => {
    const sup = make(['--exit-after-ms', '100', '--fail-phase', 'chain db is locked'], { crashLoopCount: 99 });
    sup.start();
    const crashed = await until(sup, (x) => x.last_crash !== null);
    expect(crashed.last_crash?.reason).toBe('exited with code 3: chain db is locked');
  });

  it('prefers the exit message the node posted', async () => {
    const sup = make(['--exit-after-ms', '100', '--exit-code', '1', '--exit-message', 'port 8545 is already in use'], {
      crashLoopCount: 99,
    });
    sup.start();
    const crashed = await until(sup, (x) => x.last_crash !== null);
    expect(crashed.last_crash?.reason).toBe('exited with code 1: port 8545 is already in use');
    expect(sup.nodeReady()?.data_dir).toBe('/tmp/fake');
  });

  it('treats an exit with a message before ready as a start failure: no restart', async () => {
    const sup = make(['--start-fail', 'port 8545 is already in use (127.0.0.1:8545)'], { backoffInitialMs: 20 });
    const states: string[] = [];
    sup.onState((s) => states.push(s.state));
    sup.start();
    const failed = await until(sup, (x) => x.state === 'start_failed');
    expect(failed.start_error).toBe('port 8545 is already in use (127.0.0.1:8545)');
    expect(failed.last_crash?.reason).toBe('exited with code 1: port 8545 is already in use (127.0.0.1:8545)');
    expect(failed.restarts).toBe(0);
    expect(failed.pid).toBeUndefined();
    expect(states).not.toContain('backoff');
    // No restart is scheduled: a probe call fails at once instead of waiting for a new child.
    await expect(sup.call('test.echo')).rejects.toMatchObject({ data: { reason: 'not_ready' } });
    expect(sup.state().state).toBe('start_failed');

    // Retry (manual restart) spawns again and clears the reason while starting.
    await sup.restart();
    expect(states).toContain('starting');
    const again = await until(sup, (x) => x.state === 'start_failed');
    expect(again.restarts).toBe(0);
  });

  it('a start failure fixed and retried is no crash: running again, no last_crash (no "crashed and was restarted")', async () => {
    const sup = make(['--start-fail', 'port 2024 is already in use (127.0.0.1:2024)']);
    sup.start();
    await until(sup, (x) => x.state === 'start_failed');
    const seen: SupervisorState[] = [];
    sup.onState((s) => seen.push(s));
    // The operator changes the port (Settings), then Retry.
    sup.setArgs([]);
    await sup.restart();
    const up = await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    expect(up.last_crash).toBeNull();
    expect(up.start_error).toBeUndefined();
    expect(up.restarts).toBe(0);
    // Not even for a moment while restarting (the banner reads every state).
    expect(seen.filter((s) => s.last_crash !== null)).toEqual([]);
  });

  it('stops restarting after three crashes within a minute, until a manual restart', async () => {
    const sup = make(['--exit-after-ms', '30', '--stderr', 'boom']);
    const states: string[] = [];
    sup.onState((s) => states.push(s.state));
    sup.start();
    const loop = await until(sup, (x) => x.state === 'crash_loop');
    expect(loop.crash_loop).toBe(true);
    expect(loop.restarts).toBe(2);
    expect(loop.pid).toBeUndefined();
    expect(loop.last_crash?.reason).toBe('exited with code 3: boom');
    expect(states.filter((s) => s === 'backoff')).toHaveLength(2);
    await expect(sup.call('test.echo')).rejects.toBeInstanceOf(RpcError);

    await sup.restart();
    const after = await until(sup, (x) => x.state === 'starting' || x.state === 'running');
    expect(after.crash_loop).toBe(false);
  });

  it('stops in order: stopping, then stopped, with exit code 0 and no crash', async () => {
    const sup = make();
    const states: string[] = [];
    sup.onState((s) => states.push(s.state));
    sup.start();
    await until(sup, (x) => x.state === 'running');
    await sup.stop();
    expect(states.slice(-2)).toEqual(['stopping', 'stopped']);
    expect(sup.state()).toMatchObject({ state: 'stopped', last_crash: null, restarts: 0 });
    await expect(sup.call('test.echo')).rejects.toMatchObject({ data: { reason: 'not_ready' } });
  });

  it('kills a child that ignores the stop request after the stop budget', async () => {
    const sup = make(['--ignore-stop'], { stopTimeoutMs: 300 });
    sup.start();
    await until(sup, (x) => x.state === 'running');
    await sup.stop();
    expect(sup.state()).toMatchObject({ state: 'stopped', last_crash: null });
  });

  it('keeps subscriptions across restarts and replays recent log lines to new listeners', async () => {
    const sup = make();
    const phases: string[] = [];
    sup.subscribe('node.phase', (p) => phases.push(p.phase));
    const logs: string[] = [];
    const got: (() => void)[] = [];
    const nthLog = [1, 2].map((n) => new Promise<void>((r) => (got[n] = r)));
    sup.subscribe('log.line', (l) => got[logs.push(l.msg)]?.());
    sup.start();
    await until(sup, (x) => x.node_phase?.phase === 'ready');
    await nthLog[0];
    const s = sup.state();
    process.kill(s.pid!, 'SIGKILL');
    await until(sup, (x) => x.restarts === 1 && x.state === 'running');
    await nthLog[1];
    expect(logs).toEqual(['hello from fake node', 'hello from fake node']);
    expect(phases.filter((p) => p === 'ready').length).toBeGreaterThanOrEqual(2);

    const late: string[] = [];
    const off = sup.subscribe('log.line', (l) => late.push(l.msg));
    expect(late).toEqual(['hello from fake node', 'hello from fake node']);
    off();
  });

  it('replays a notice emitted before a second listener came (the console page after the notification center)', async () => {
    const sup = make();
    let first!: () => void;
    const seen = new Promise<void>((r) => (first = r));
    sup.subscribe('node.notice', () => first());
    sup.start();
    await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    const notice = { at_ms: 1, level: 'warn', kind: 'store_quarantined', message: 'moved aside', path: '/x/snapshot_schedule' };
    await sup.call('test.emit', { topic: 'node.notice', result: notice });
    await seen;
    const late: unknown[] = [];
    sup.subscribe('node.notice', (n) => late.push(n));
    expect(late).toEqual([notice]);
  });

  // Races of the fan-out (one node-side subscription per topic for every listener): a console
  // page that opens and closes while the node answers must not leave a second node-side
  // subscription behind, nor make the node replay its backlog a second time.
  it('a listener that leaves before the node confirmed the subscription leaves no second one (events once)', async () => {
    const sup = make();
    sup.start();
    await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    const off = sup.subscribe('newHeads', () => {});
    off(); // before the node answered chain.subscribe
    await sup.call('test.echo'); // the channel is ordered: that answer has been handled now
    const got: unknown[] = [];
    sup.subscribe('newHeads', (h) => got.push(h));
    await sup.call('test.echo');
    const head = { height: 1 };
    await sup.call('test.emit', { topic: 'newHeads', result: head });
    expect(got).toEqual([head]);
    expect((await sup.call('test.subs')) as Record<string, number>).toMatchObject({ newHeads: 1 });
  });

  it('a listener that comes after every other one left gets each recent log line once', async () => {
    const sup = make();
    let got!: () => void;
    const first = new Promise<void>((r) => (got = r));
    const off = sup.subscribe('log.line', () => got());
    sup.start();
    await until(sup, (x) => x.state === 'running' && x.node_phase?.phase === 'ready');
    await first;
    off();
    await sup.call('test.echo');
    const late: string[] = [];
    sup.subscribe('log.line', (l) => late.push(l.msg));
    await sup.call('test.echo'); // a backlog sent again by the node would have arrived before this answer
    expect(late).toEqual(['hello from fake node']);
    expect((await sup.call('test.subs')) as Record<string, number>).toMatchObject({ 'log.line': 1 });
  });
});
