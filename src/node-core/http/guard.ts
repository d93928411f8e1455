/**
 * Request guards shared by the node's HTTP servers (RPC, metrics): Host allow-list against DNS
 * rebinding, JSON Content-Type, Origin allow-list, bearer-token check, per-IP token bucket
 * (DESIGN.md "Hard edges → HTTP servers"; spec/rpc_telemetry.md §1-3), and the connection caps
 * with eviction of idle sockets ({@link guardConnections}).
 */
import type http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP, type Socket } from 'node:net';

/** Lower-cased host name of a Host header without its port; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : undefined;
  }
  const colon = h.indexOf(':');
  if (colon === -1) return h;
  // A second colon without brackets is not a valid Host (bare IPv6 must be bracketed).
  return h.indexOf(':', colon + 1) === -1 ? h.slice(0, colon) : undefined;
}

function isLoopback(name: string): boolean {
  if (name === 'localhost' || name === '::1') return true;
  return isIP(name) === 4 && name.startsWith('127.');
}

/**
 * Builds the Host check: loopback names/addresses (`localhost`, `127.0.0.0/8`, `::1`) and the
 * configured hosts (names or addresses, case-insensitive, port ignored). A missing Host fails.
 */
export function hostChecker(allowedHosts: readonly string[] = []): (header: string | undefined) => boolean {
  const extra = new Set(allowedHosts.map((h) => hostName(h) ?? h.toLowerCase()));
  return (header) => {
    const name = hostName(header);
    return name !== undefined && (isLoopback(name) || extra.has(name));
  };
}

/** True for `application/json` (parameters such as `charset=utf-8` allowed). */
export function isJsonContentType(ct: string | undefined): boolean {
  return !!ct && ct.split(';', 1)[0].trim().toLowerCase() === 'application/json';
}

/** Origin allow-list: absent Origin (non-browser clients) passes; a browser Origin must be listed. */
export function originChecker(corsOrigins: readonly string[] = []): (origin: string | undefined) => boolean {
  const allowed = new Set(corsOrigins.map((o) => o.trim().toLowerCase().replace(/\/$/, '')));
  return (origin) => origin === undefined || allowed.has(origin.trim().toLowerCase());
}

/**
 * Bearer-token check in constant time (`crypto.timingSafeEqual` over SHA-256 digests, so the
 * comparison does not leak the token length either). No token configured → every request passes.
 */
export function bearerChecker(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const want = createHash('sha256').update(token).digest();
  return (authorization) => {
    const m = authorization ? /^Bearer (.+)$/.exec(authorization) : null;
    const got = createHash('sha256')
      .update(m ? m[1] : '')
      .digest();
    return timingSafeEqual(got, want) && m !== null;
  };
}

/**
 * Per-IP token bucket (spec/rpc_telemetry.md §3): capacity = rate, refilled at `rate` tokens per
 * second on the monotonic clock; each request costs one token. Idle clients are forgotten after
 * `idleMs`. A rate of 0 disables limiting.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; last: number }>();
  private lastSweep = performance.now();

  constructor(
    readonly ratePerSec: number,
    private readonly idleMs = 300_000,
  ) {}

  /** Takes one token for `ip`; false when the bucket is empty. */
  take(ip: string): boolean {
    if (!(this.ratePerSec > 0)) return true;
    const now = performance.now();
    if (now - this.lastSweep > 60_000) this.sweep(now);
    let b = this.buckets.get(ip);
    if (!b) {
      b = { tokens: this.ratePerSec, last: now };
      this.buckets.set(ip, b);
    } else {
      b.tokens = Math.min(this.ratePerSec, b.tokens + ((now - b.last) / 1000) * this.ratePerSec);
      b.last = now;
    }
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [ip, b] of this.buckets) if (now - b.last > this.idleMs) this.buckets.delete(ip);
  }
}

/** Plain-text answer (status + one line) for refusals of the HTTP front doors (RPC, metrics); never cached. */
export function sendPlain(res: http.ServerResponse, status: number, text: string, headers: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text + '\n');
}

export interface ConnectionGuardOptions {
  /** Open TCP connections in all (the cap the server enforces). */
  maxConnections: number;
  /** Open connections per remote address; below `maxConnections` so one client cannot take them all. */
  maxPerAddress: number;
  /** A connection that has sent no byte after this many ms is closed (default 2 000). */
  firstByteMs?: number;
}

const TRACKED = Symbol('tracked connection');
type TrackedResponse = http.ServerResponse & { [TRACKED]?: Tracked };

/** A response of a tracked connection closed (finished or aborted; emitted once): its connection is idle again. */
function onResponseClose(this: TrackedResponse): void {
  const t = this[TRACKED];
  if (!t) return;
  this[TRACKED] = undefined;
  t.busy = Math.max(0, t.busy - 1);
  t.since = performance.now();
}

interface Tracked {
  socket: Socket;
  addr: string;
  /** A request is being answered, or the socket was upgraded (WebSocket): never evicted. */
  busy: number;
  upgraded: boolean;
  /** performance.now() of the last accept / request end, for choosing the oldest idle one. */
  since: number;
}

/**
 * Connection caps that keep idle or slow clients from locking real ones out (DESIGN.md "Hard
 * edges → HTTP servers"; issue 12 item 4). Replaces `server.maxConnections`, which refuses the
 * newcomer and so lets 64 silent sockets blind a Prometheus scrape until the header timeout.
 *
 * - A connection that has not sent its first byte within `firstByteMs` is closed (bytes that
 *   arrived in time but were not read yet because this process was starved count as sent).
 * - When a new connection would exceed `maxPerAddress` (for its address) or `maxConnections`
 *   (in all), the oldest idle connection (no request in flight, not a WebSocket) of that address
 *   — or, for the global cap, of the address holding most connections — is closed to make room.
 *   Only when every candidate is busy is the newcomer itself closed.
 * Returns a function giving the current counts (for tests and logs).
 */
export function guardConnections(server: http.Server, o: ConnectionGuardOptions): () => { total: number; byAddress: Map<string, number> } {
  const firstByteMs = o.firstByteMs ?? 2_000;
  const all = new Map<Socket, Tracked>();
  const byAddr = new Map<string, Set<Tracked>>();
  // Node's own cap would drop the newcomer before we can choose whom to close.
  server.maxConnections = Infinity;

  const drop = (t: Tracked) => {
    if (!all.delete(t.socket)) return;
    const set = byAddr.get(t.addr);
    set?.delete(t);
    if (set?.size === 0) byAddr.delete(t.addr);
  };
  const oldestIdle = (set: Iterable<Tracked>): Tracked | undefined => {
    let best: Tracked | undefined;
    for (const t of set) if (t.busy === 0 && !t.upgraded && (!best || t.since < best.since)) best = t;
    return best;
  };
  const evict = (t: Tracked) => {
    drop(t);
    t.socket.destroy();
  };

  server.on('connection', (socket: Socket) => {
    const addr = socket.remoteAddress ?? 'unknown';
    const mine = byAddr.get(addr);
    if ((mine?.size ?? 0) >= o.maxPerAddress) {
      const victim = mine && oldestIdle(mine);
      if (!victim) return void socket.destroy();
      evict(victim);
    }
    if (all.size >= o.maxConnections) {
      let crowded: Set<Tracked> | undefined;
      for (const set of byAddr.values()) if (!crowded || set.size > crowded.size) crowded = set;
      const victim = (crowded && oldestIdle(crowded)) ?? oldestIdle(all.values());
      if (!victim) return void socket.destroy();
      evict(victim);
    }
    const t: Tracked = { socket, addr, busy: 0, upgraded: false, since: performance.now() };
    all.set(socket, t);
    let set = byAddr.get(addr);
    if (!set) byAddr.set(addr, (set = new Set()));
    set.add(t);
    socket.once('close', () => drop(t));
    const timer = setTimeout(() => {
      // bytesRead comes from the native handle, so it counts bytes the HTTP parser consumed. Judged
      // after this loop turn's I/O (setImmediate runs after the poll phase): when the process itself
      // was starved past the deadline, the timer fires before the poll phase reads bytes that arrived
      // in time, and a prompt client was reset (a crash test's RPC call at load 14).
      setImmediate(() => {
        if (socket.bytesRead === 0) socket.destroy();
      });
    }, firstByteMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  // Per request (a hot path: issue 17): one Map lookup and one shared listener, no closure.
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const t = all.get(req.socket);
    if (!t) return;
    t.busy++;
    (res as TrackedResponse)[TRACKED] = t;
    res.on('close', onResponseClose);
  });
  server.on('upgrade', (req: http.IncomingMessage) => {
    const t = all.get(req.socket);
    if (t) t.upgraded = true;
  });
  return () => ({ total: all.size, byAddress: new Map([...byAddr].map(([a, s]) => [a, s.size])) });
}
