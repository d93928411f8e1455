/**
 * Node supervisor (DESIGN.md "Processes"): starts the node in its own process through a
 * {@link Launcher}, carries JSON-RPC calls and subscriptions over the child's message channel,
 * tracks the node phase, stops it in order, and restarts it after a crash with exponential
 * backoff. Three crashes within a minute stop the automatic restarts (`crash_loop`) until the
 * operator asks for a restart (`app.restartNode`). An exit before the node was ever ready in that
 * spawn, with the node's own exit message (port in use, data dir locked, bad config), is a start
 * failure (`start_failed`): restarting would fail the same way, so none is scheduled.
 *
 * Subscriptions are fanned out: one node-side subscription per topic however many listeners
 * (windows, WebSocket clients) want it; they are re-established after every restart. A topic's
 * node-side subscription stays open once made, even while no listener is left: closing it and
 * opening a new one when a page comes back would make the node replay its backlog again (every
 * recent log line twice), and a listener leaving before the node confirmed the subscription would
 * leave an orphan one behind (every event twice afterwards). At most one per topic (14 topics).
 */
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { ErrorCode, Reason, RpcError } from '../shared/api/errors.js';
import type { TopicName, TopicPayload } from '../shared/api/events.js';
import { SUBSCRIPTION_METHOD, type JsonRpcResponse } from '../shared/api/jsonrpc.js';
import type { NodeStatus } from '../shared/api/types.js';
import type { CrashInfo, SupervisorState } from '../shared/api/app.js';
import type { ChildExit, Launcher, NodeChild, NodeSpec } from './launcher.js';
import type { LifecycleMessage, NodeReady } from './lifecycle.js';
import { Ring } from './lines.js';
import { crashReason, type OutputLine } from './crash-reason.js';

export interface SupervisorOptions {
  launcher: Launcher;
  spec: NodeSpec;
  /** First restart delay (ms); doubles per crash inside the crash window, capped at `backoffMaxMs`. */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** `crashLoopCount` crashes within `crashLoopWindowMs` → crash loop (defaults 3 in 60 000 ms). */
  crashLoopCount?: number;
  crashLoopWindowMs?: number;
  /** Ordered stop budget before SIGKILL (ms). */
  stopTimeoutMs?: number;
  /** Per-call timeout (ms) for forwarded JSON-RPC calls. */
  callTimeoutMs?: number;
  /** Interval (ms) of `node.status` probes until the child first answers on its channel. */
  probeIntervalMs?: number;
}

/**
 * Events replayed to a new listener. The node replays its backlog (the last 200 log lines, the
 * last 50 notices) only to a new node-side subscription, and the supervisor holds one per topic
 * for all its listeners: a listener that comes after the first (the console page after the
 * notification center) would miss a notice emitted during start without this ring.
 */
const REPLAY: Partial<Record<TopicName, number>> = { 'log.line': 200, 'node.phase': 1, 'node.stats': 1, 'node.notice': 50 };

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
  timer?: NodeJS.Timeout;
}

interface TopicState {
  listeners: Set<(payload: unknown) => void>;
  /** Whether a node-side subscription is open or asked for (on the current child). */
  subscribed: boolean;
  replay: Ring<unknown>;
}

export class Supervisor {
  private readonly o: Required<Omit<SupervisorOptions, 'launcher' | 'spec'>> & Pick<SupervisorOptions, 'launcher' | 'spec'>;
  private readonly ee = new EventEmitter();
  private child: NodeChild | undefined;
  private connected = false;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Calls made before the child first answered; sent on connect. */
  private queue: { msg: { jsonrpc: '2.0'; id: number; method: string; params?: unknown } }[] = [];
  private readonly topics = new Map<TopicName, TopicState>();
  private readonly lines = new Ring<OutputLine>(40);
  private crashTimes: number[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeId: number | undefined;
  private stopping: Promise<void> | undefined;
  private exited: Promise<void> = Promise.resolve();
  private status: NodeStatus | undefined;
  private ready: NodeReady | undefined;
  /** The `exit` lifecycle message's text of the current child (its own account of a failed start). */
  private exitMessage: string | undefined;
  private exitReason: string | undefined;
  /** Data directory named by the last start failure (a node that never got ready cannot be asked). */
  private failedDataDir: string | undefined;
  /** Whether the current child reached phase `ready` (a later exit is a crash, not a start failure). */
  private reachedReady = false;
  private s: SupervisorState;

  constructor(o: SupervisorOptions) {
    this.o = {
      backoffInitialMs: 1000,
      backoffMaxMs: 30_000,
      crashLoopCount: 3,
      crashLoopWindowMs: 60_000,
      stopTimeoutMs: 20_000,
      callTimeoutMs: 30_000,
      probeIntervalMs: 250,
      ...o,
    };
    this.ee.setMaxListeners(0);
    this.s = { state: 'stopped', launcher: o.launcher.kind, node_phase: null, restarts: 0, last_crash: null, crash_loop: false };
    // The supervisor itself follows the node's phase (shown on every page).
    this.subscribe('node.phase', (p) => {
      if (p.phase === 'ready') this.reachedReady = true;
      this.update({ node_phase: p });
    });
  }

  /** Current supervisor state (a copy). */
  state(): SupervisorState {
    return structuredClone(this.s);
  }

  /** Data directory named by the last start failure (e.g. a lock held elsewhere), if any. */
  startFailureDataDir(): string | undefined {
    return this.failedDataDir;
  }

  /** Last `node.status` answer (data dir, network…), or undefined before the node first answered. */
  nodeStatus(): NodeStatus | undefined {
    return this.status;
  }

  /** The node's `ready` lifecycle message (data dir, RPC and metrics ports) of the current or last child. */
  nodeReady(): NodeReady | undefined {
    return this.ready;
  }

  /** Listens to state changes; returns the unsubscribe function. */
  onState(cb: (s: SupervisorState) => void): () => void {
    this.ee.on('state', cb);
    return () => this.ee.off('state', cb);
  }

  /** Starts the node process (no-op while one runs). */
  start(): void {
    if (this.child || this.stopping) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.spawn();
  }

  /**
   * Ordered stop: SIGTERM (the node stops its subsystems in reverse order and exits 0), SIGKILL
   * after `stopTimeoutMs`. No automatic restart follows. Resolves when the process has exited.
   */
  stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    if (this.stopping) return this.stopping;
    const child = this.child;
    if (!child) {
      this.update({ state: 'stopped', pid: undefined, next_restart_at_ms: undefined });
      return Promise.resolve();
    }
    this.update({ state: 'stopping', next_restart_at_ms: undefined });
    this.stopping = (async () => {
      // The node's own stop message works for both launchers; a signal when the channel is not up.
      if (!this.connected || !child.send({ type: 'stop' })) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), this.o.stopTimeoutMs);
      await this.exited;
      clearTimeout(killer);
      this.stopping = undefined;
      this.update({ state: 'stopped', pid: undefined, node_phase: { phase: 'stopped' } });
    })();
    return this.stopping;
  }

  /** How the node is launched (entry, flags, environment): a copy. */
  spec(): NodeSpec {
    return structuredClone(this.o.spec);
  }

  /** The node's command-line flags (`node start` flags). */
  args(): string[] {
    return [...this.o.spec.args];
  }

  /** Replaces the node's flags for the next start (network switch: `--network`, `--data-dir`). */
  setArgs(args: string[]): void {
    this.o.spec = { ...this.o.spec, args: [...args] };
  }

  /** The node's environment (undefined = this process's environment). */
  env(): NodeJS.ProcessEnv | undefined {
    return this.o.spec.env;
  }

  /**
   * Merges variables into the node's environment for the next start (`undefined` removes one);
   * everything else is kept. Callers: the first run and Settings (`TB_RPC_AUTH_TOKEN`, one setting
   * kept by the Settings store, src/host/desktop/settings-store.ts) and Settings' governor options.
   * A secret goes here, never in args.
   */
  setEnv(extra: Record<string, string | undefined>): void {
    const env: NodeJS.ProcessEnv = { ...(this.o.spec.env ?? process.env) };
    for (const [k, v] of Object.entries(extra)) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    this.o.spec = { ...this.o.spec, env };
  }

  /**
   * Manual restart (operator): ordered stop, clear the crash window and crash loop, start. After a
   * start failure (Retry) its report goes too: the node did not crash, and a start that now
   * succeeds must not read as "crashed and was restarted" (one that fails again reports anew).
   */
  async restart(): Promise<void> {
    if (this.s.state === 'start_failed') this.update({ last_crash: null });
    await this.stop();
    this.crashTimes = [];
    this.update({ crash_loop: false, start_error: undefined, start_error_reason: undefined });
    this.start();
  }

  /**
   * Forwards one JSON-RPC call to the node. Calls made while the node is starting wait for it to
   * answer its channel; while it is down they fail at once.
   * @throws RpcError — the node's error as is; −32000 `not_ready` when no node process runs or
   *   it exits before answering; −32603 on timeout.
   */
  call(method: string, params?: unknown): Promise<unknown> {
    if (!this.child) {
      return Promise.reject(
        RpcError.app(Reason.not_ready, `the node is not running (${this.s.state.replace('_', ' ')})`),
      );
    }
    const id = this.nextId++;
    const msg = { jsonrpc: '2.0' as const, id, method, ...(params === undefined ? {} : { params }) };
    return new Promise((resolve, reject) => {
      const p: Pending = { resolve, reject };
      p.timer = setTimeout(() => {
        this.pending.delete(id);
        this.queue = this.queue.filter((q) => q.msg.id !== id);
        reject(new RpcError(ErrorCode.Internal, `the node did not answer ${method} within ${this.o.callTimeoutMs} ms`));
      }, this.o.callTimeoutMs);
      this.pending.set(id, p);
      if (this.connected) this.child!.send(msg);
      else this.queue.push({ msg });
    });
  }

  /**
   * Listens to a node topic. Recent events of replayed topics ({@link REPLAY}: `log.line`,
   * `node.phase`, `node.stats`, `node.notice`) are delivered first. Survives node restarts.
   * Returns the unsubscribe function.
   */
  subscribe<T extends TopicName>(topic: T, cb: (payload: TopicPayload<T>) => void): () => void {
    let t = this.topics.get(topic);
    if (!t) {
      t = { listeners: new Set(), subscribed: false, replay: new Ring(REPLAY[topic] ?? 0) };
      this.topics.set(topic, t);
    }
    const fn = cb as (payload: unknown) => void;
    for (const ev of t.replay.toArray()) fn(ev);
    t.listeners.add(fn);
    if (this.connected) void this.subscribeNode(topic, t);
    // The node-side subscription stays (see the class comment): only the listener goes.
    return () => void this.topics.get(topic)?.listeners.delete(fn);
  }

  private spawn(): void {
    this.connected = false;
    this.status = undefined;
    this.exitMessage = undefined;
    this.exitReason = undefined;
    this.reachedReady = false;
    this.lines.clear();
    const child = this.o.launcher.launch(this.o.spec);
    this.child = child;
    let onExit!: () => void;
    this.exited = new Promise<void>((r) => (onExit = r));
    child.onLine((text, stream) => this.lines.push({ text, stream }));
    child.onMessage((m) => this.onMessage(child, m));
    child.onExit((e) => {
      this.onExit(child, e);
      onExit();
    });
    this.update({ state: 'starting', pid: child.pid, node_phase: null, next_restart_at_ms: undefined, start_error: undefined, start_error_reason: undefined });
    this.probe(child);
  }

  /**
   * Asks `node.status` until the child first answers: before that, its channel may not be served
   * yet (a probe sent then is lost). A pending probe is replaced, not doubled.
   */
  private probe(child: NodeChild): void {
    clearTimeout(this.probeTimer);
    if (this.probeId !== undefined) this.pending.delete(this.probeId);
    const id = this.nextId++;
    this.probeId = id;
    const p: Pending = {
      resolve: (st) => this.onConnected(child, st as NodeStatus),
      reject: (e) => {
        // An error answer still proves the channel is served.
        if (e instanceof RpcError) this.onConnected(child, undefined);
      },
    };
    this.pending.set(id, p);
    child.send({ jsonrpc: '2.0', id, method: 'node.status' });
    this.probeTimer = setTimeout(() => {
      if (this.pending.delete(id) && this.child === child && !this.connected) this.probe(child);
    }, this.o.probeIntervalMs);
  }

  private onConnected(child: NodeChild, st: NodeStatus | undefined): void {
    if (this.child !== child || this.connected) return;
    clearTimeout(this.probeTimer);
    this.probeId = undefined;
    this.connected = true;
    this.status = st;
    for (const q of this.queue.splice(0)) child.send(q.msg);
    for (const [topic, t] of this.topics) void this.subscribeNode(topic, t);
    this.update({
      state: 'running',
      node_phase: this.s.node_phase ?? (st ? { phase: st.phase, ...(st.phase_reason ? { reason: st.phase_reason } : {}) } : null),
    });
  }

  /** Opens the topic's node-side subscription unless it is open or asked for already. */
  private async subscribeNode(topic: TopicName, t: TopicState): Promise<void> {
    if (t.subscribed) return;
    t.subscribed = true;
    const child = this.child;
    try {
      await this.call('chain.subscribe', [topic]);
    } catch {
      // The node went away (the next connect subscribes again) or refused: a later listener asks again.
      if (this.child === child) t.subscribed = false;
    }
  }

  private onMessage(child: NodeChild, raw: unknown): void {
    if (this.child !== child) return;
    for (const m of Array.isArray(raw) ? raw : [raw]) {
      if (!m || typeof m !== 'object') continue;
      const msg = m as Record<string, unknown>;
      if (typeof msg.type === 'string' && !('jsonrpc' in msg)) {
        this.onLifecycle(child, msg as unknown as LifecycleMessage);
        continue;
      }
      if (msg.method === SUBSCRIPTION_METHOD && msg.params && typeof msg.params === 'object') {
        const { topic, result } = msg.params as { topic: TopicName; result: unknown };
        const t = this.topics.get(topic);
        if (!t) continue;
        t.replay.push(result);
        for (const fn of [...t.listeners]) fn(result);
        continue;
      }
      if (typeof msg.id !== 'number') continue;
      const p = this.pending.get(msg.id);
      if (!p) continue;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      const r = msg as unknown as JsonRpcResponse;
      if ('error' in r && r.error) {
        const e = r.error;
        p.reject(new RpcError(e.code, e.message, e.data as Record<string, unknown> | undefined));
      } else p.resolve((r as { result: unknown }).result);
    }
  }

  /** Lifecycle messages the node posts beside JSON-RPC (src/node-core/node.ts `LifecycleMessage`). */
  private onLifecycle(child: NodeChild, m: LifecycleMessage): void {
    if (m.type === 'phase') {
      const { type: _t, ...phase } = m;
      if (phase.phase === 'ready') this.reachedReady = true;
      // The node serves its channel from the end of `starting` on: connect now rather than at the
      // next probe tick, so queued calls and topic subscriptions reach it before `ready` (a
      // restarted dev chain's first block comes right after ready: issue 17, first live height).
      if (!this.connected && phase.phase !== 'starting') this.probe(child);
      this.update({ node_phase: phase });
    } else if (m.type === 'ready') {
      this.ready = m;
      this.reachedReady = true;
      if (!this.connected) this.probe(child);
      // No state update of its own: the node posts this right before its `ready` phase
      // (lifecycle-message.ts), so the update that reports `ready` already has these endpoints
      // (app.info's data dir, read again by the page on that update after a data-directory move).
    } else if (m.type === 'exit' && m.code !== 0) {
      this.exitMessage = m.message;
      this.exitReason = m.reason;
      if (m.data_dir) this.failedDataDir = m.data_dir;
    }
  }

  private onExit(child: NodeChild, e: ChildExit): void {
    if (this.child !== child) return;
    clearTimeout(this.probeTimer);
    this.child = undefined;
    this.connected = false;
    for (const t of this.topics.values()) {
      t.subscribed = false;
      // Stale resource samples and phases of a dead process must not be replayed; log lines stay (they tell what happened).
      if (t.replay.capacity <= 1) t.replay.clear();
    }
    const gone = RpcError.app(Reason.not_ready, 'the node process exited before answering');
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(gone);
      this.pending.delete(id);
    }
    this.queue = [];
    if (this.stopping) return;

    const crash: CrashInfo = {
      at_ms: Date.now(),
      code: e.code,
      signal: e.signal,
      reason: crashReason(e, this.lines.toArray(), this.s.node_phase, this.exitMessage),
      last_lines: this.lines.toArray().slice(-20).map((l) => l.text),
    };
    this.lines.clear();
    if (!this.reachedReady && this.exitMessage && !e.signal) {
      this.update({ state: 'start_failed', pid: undefined, last_crash: crash, start_error: this.exitMessage, start_error_reason: this.exitReason, next_restart_at_ms: undefined });
      return;
    }
    const now = performance.now();
    this.crashTimes = [...this.crashTimes.filter((t) => now - t < this.o.crashLoopWindowMs), now];
    if (this.crashTimes.length >= this.o.crashLoopCount) {
      this.update({ state: 'crash_loop', crash_loop: true, pid: undefined, last_crash: crash, next_restart_at_ms: undefined });
      return;
    }
    const delay = Math.min(this.o.backoffMaxMs, this.o.backoffInitialMs * 2 ** (this.crashTimes.length - 1));
    this.update({ state: 'backoff', pid: undefined, last_crash: crash, next_restart_at_ms: Date.now() + delay });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.child || this.stopping) return;
      this.s.restarts += 1;
      this.spawn();
    }, delay);
  }

  private update(patch: Partial<SupervisorState>): void {
    this.s = { ...this.s, ...patch };
    for (const k of Object.keys(this.s) as (keyof SupervisorState)[]) if (this.s[k] === undefined) delete this.s[k];
    this.ee.emit('state', this.state());
  }
}
