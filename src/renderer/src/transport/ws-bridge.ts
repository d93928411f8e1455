/**
 * `window.tb` for console server mode: the same three members over a WebSocket to the console
 * server (src/host/console-server.ts), JSON-RPC 2.0 with subscriptions. The token comes from the
 * URL fragment (`#token=…`, never sent in an HTTP request) and is offered as the subprotocol
 * `tb.token.<hex>`. Reconnects with backoff and re-subscribes; a refused token is reported as
 * `refused` (the server is up but will not take this token: it changes on every console start).
 */
import { APP_SHORT_NAMES } from '../../../preload/channels';
import type { AppBridge, BridgeTopic, TbBridge } from '../../../preload/api';
import { ErrorCode, RpcError } from '../../../shared/api/errors';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'refused' | 'no_token';

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface LocalSub {
  topic: BridgeTopic;
  cb: (payload: unknown) => void;
  /** Server-side id on the current socket. */
  serverId?: string;
}

const CALL_TIMEOUT_MS = 30_000;

export class WsBridge implements TbBridge {
  readonly app: AppBridge;
  private ws: WebSocket | undefined;
  private state: ConnectionState = 'connecting';
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subs = new Map<number, LocalSub>();
  private readonly byServerId = new Map<string, number>();
  private nextLocal = 1;
  /** Calls waiting for the socket to open: sent on open, failed when the token is refused. */
  private waiting: { go(): void; fail(e: unknown): void }[] = [];
  private attempt = 0;
  private everOpened = false;

  constructor(
    private readonly url: string,
    private readonly token: string | undefined,
  ) {
    this.app = Object.fromEntries(APP_SHORT_NAMES.map((n) => [n, (p?: unknown) => this.call(`app.${n}` as never, (p ?? {}) as never)])) as unknown as AppBridge;
    if (!token) this.setState('no_token');
    else this.connect();
  }

  /** Current connection state and a listener for changes (returns its removal). */
  connection(): ConnectionState {
    return this.state;
  }
  onConnection(cb: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  call: TbBridge['call'] = (method, params) => {
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RpcError(ErrorCode.Internal, `no answer to ${method} within ${CALL_TIMEOUT_MS / 1000} s`));
      }, CALL_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as never);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      const msg = JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? [] });
      const go = () => {
        if (this.pending.has(id)) this.ws!.send(msg);
      };
      const fail = (e: unknown) => {
        if (this.pending.delete(id)) {
          clearTimeout(timer);
          reject(e);
        }
      };
      if (this.state === 'open') go();
      else if (this.state === 'refused' || this.state === 'no_token') fail(this.refusedError());
      else this.waiting.push({ go, fail });
    });
  };

  subscribe: TbBridge['subscribe'] = (topic, cb) => {
    const local = this.nextLocal++;
    const sub: LocalSub = { topic, cb: cb as (p: unknown) => void };
    this.subs.set(local, sub);
    if (this.state === 'open') void this.subscribeRemote(local, sub);
    return () => {
      const s = this.subs.get(local);
      if (!s) return;
      this.subs.delete(local);
      if (s.serverId) {
        this.byServerId.delete(s.serverId);
        if (this.state === 'open') this.call('chain.unsubscribe' as never, [s.serverId] as never).catch(() => {});
      }
    };
  };

  private refusedError(): RpcError {
    return new RpcError(
      ErrorCode.Unauthorized,
      this.state === 'no_token'
        ? 'this page has no console token: open the URL the console printed (…/#token=…)'
        : 'the console refused this token: it changes on every start — open the URL the console printed',
      { reason: 'unauthorized' },
    );
  }

  private setState(s: ConnectionState): void {
    if (s === this.state) return;
    this.state = s;
    for (const cb of this.stateListeners) cb(s);
  }

  private connect(): void {
    const ws = new WebSocket(this.url, ['tb.v1', `tb.token.${this.token}`]);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      this.everOpened = true;
      this.attempt = 0;
      this.setState('open');
      for (const w of this.waiting.splice(0)) w.go();
      for (const [local, sub] of this.subs) void this.subscribeRemote(local, sub);
    };
    ws.onmessage = (ev) => this.onMessage(String(ev.data));
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.byServerId.clear();
      for (const sub of this.subs.values()) sub.serverId = undefined;
      const lost = new RpcError(ErrorCode.Internal, 'the connection to the console was lost', { reason: 'not_ready' });
      for (const p of this.pending.values()) p.reject(lost);
      this.pending.clear();
      if (!opened) void this.diagnose();
      else this.retry();
    };
  }

  /** A socket that never opened: if the server answers plain HTTP, it refused our token. */
  private async diagnose(): Promise<void> {
    let serverUp = false;
    try {
      serverUp = (await fetch('/healthz', { cache: 'no-store' })).ok;
    } catch {
      serverUp = false;
    }
    if (serverUp) {
      // The server answers HTTP but refused the socket: the token is wrong (or, if it used to
      // work, the console was restarted with a new one).
      this.setState('refused');
      for (const w of this.waiting.splice(0)) w.fail(this.refusedError());
      return;
    }
    this.retry();
  }

  private retry(): void {
    this.setState(this.everOpened ? 'reconnecting' : 'connecting');
    const delay = Math.min(5000, 250 * 2 ** this.attempt++);
    setTimeout(() => this.connect(), delay);
  }

  private async subscribeRemote(local: number, sub: LocalSub): Promise<void> {
    try {
      const id = String(await this.call('chain.subscribe' as never, [sub.topic] as never));
      if (!this.subs.has(local)) {
        this.call('chain.unsubscribe' as never, [id] as never).catch(() => {});
        return;
      }
      sub.serverId = id;
      this.byServerId.set(id, local);
    } catch {
      // connection lost meanwhile: the next open subscribes again
    }
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) {
      if (!m || typeof m !== 'object') continue;
      const o = m as { id?: unknown; method?: unknown; params?: { subscription?: unknown; result?: unknown }; result?: unknown; error?: unknown };
      if (o.method === 'subscription' && o.params) {
        const local = this.byServerId.get(String(o.params.subscription));
        const sub = local === undefined ? undefined : this.subs.get(local);
        sub?.cb(o.params.result);
        continue;
      }
      if (typeof o.id !== 'number') continue;
      const p = this.pending.get(o.id);
      if (!p) continue;
      this.pending.delete(o.id);
      if (o.error) {
        const e = o.error as { code?: unknown; message?: unknown; data?: unknown };
        p.reject(new RpcError(typeof e.code === 'number' ? e.code : ErrorCode.Internal, String(e.message ?? 'error'), e.data as RpcError['data']));
      } else p.resolve(o.result);
    }
  }
}

/** Token from the URL fragment `#token=<hex>`. */
export function tokenFromHash(hash: string): string | undefined {
  const t = new URLSearchParams(hash.replace(/^#/, '')).get('token');
  return t && /^[0-9a-f]{16,128}$/i.test(t) ? t : undefined;
}
