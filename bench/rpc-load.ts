/**
 * Load generation for bench/rpc.ts (issue 17): full-load autocannon rounds, an open-loop fixed-rate
 * generator on raw keep-alive sockets, CPU-burning processes, and small statistics helpers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import { createHistogram, monitorEventLoopDelay, type IntervalHistogram, type RecordableHistogram } from 'node:perf_hooks';
import autocannon from 'autocannon';

/** The request every load run sends. */
export const TIP_BODY = '{"jsonrpc":"2.0","method":"chain.tip","params":[],"id":1}';

/** Percentiles of one distribution, ms. */
export interface Dist {
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** ns → ms, 2 decimals. */
export const ms = (ns: number) => Number((ns / 1e6).toFixed(2));
/** p50 / p99 / max of a perf_hooks histogram of ns. */
export const distOf = (h: { percentile(p: number): number; max: number }): Dist => ({
  p50_ms: ms(h.percentile(50)),
  p99_ms: ms(h.percentile(99)),
  max_ms: ms(h.max),
});

/** One full-load autocannon run (client view). */
export interface FullLoad {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  requests: number;
  errors: number;
  non_2xx: number;
}

/** Starts `n` processes that each spin one core until killed (the "two CPU burners" of issue 17). */
export function startBurners(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

export async function stopBurners(burners: ChildProcess[]): Promise<void> {
  await Promise.all(
    burners.map((b) =>
      b.exitCode === null && b.signalCode === null ? (b.kill('SIGKILL'), once(b, 'exit')) : undefined,
    ),
  );
}

/** Median of a non-empty list, rounded to 3 decimals. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return Number(m.toFixed(3));
}

export const load1 = () => Number(os.loadavg()[0].toFixed(2));

/** Full-load autocannon run (closed loop, `connections` in flight). */
export function fullLoad(url: string, duration: number, connections: number): Promise<FullLoad> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: TIP_BODY,
        duration,
        connections,
      },
      (err, r) => {
        if (err) return reject(err);
        resolve({
          req_per_s: Math.round(r.requests.average),
          p50_ms: r.latency.p50,
          p99_ms: r.latency.p99,
          requests: r.requests.total,
          errors: r.errors + r.timeouts,
          non_2xx: r.non2xx,
        });
      },
    );
  });
}

/**
 * Open-loop load at a fixed rate: request i is due at start + i/rate s (a 1 ms timer sends whatever
 * is due) on `connections` keep-alive sockets; a due request waits for a free socket. Raw sockets
 * with one prebuilt request and Content-Length framing of the answers (our servers always send it):
 * a node:http client costs several times more CPU per request, which on a loaded machine turns
 * into client-side queueing that is not the server's. The first `warmup` s are sent, not recorded.
 * The generator's own event-loop delay (1 ms resolution, measured part only) is returned beside the
 * latencies: a late generator loop delays both the sends and the reading of answers, so it bounds
 * how much of a client figure can be the server's.
 * @returns client latencies (ns histograms) from the actual send and from the schedule, the
 *   generator's event-loop delay (ns histogram), counts.
 */
export async function openLoop(
  port: number,
  o: { rate: number; seconds: number; warmup: number; connections: number },
): Promise<{
  fromSend: RecordableHistogram;
  fromSchedule: RecordableHistogram;
  loopDelay: IntervalHistogram;
  requests: number;
  errors: number;
  failed_by_status: Record<string, number>;
  wall_s: number;
}> {
  const request = Buffer.from(
    `POST / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(TIP_BODY)}\r\n\r\n${TIP_BODY}`,
  );
  const fromSend = createHistogram();
  const fromSchedule = createHistogram();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  const total = Math.round(o.rate * (o.warmup + o.seconds));
  const skip = Math.round(o.rate * o.warmup);
  let errors = 0;
  /** Failed answers by HTTP status ('closed': the server closed a connection with a request in flight). */
  const statuses = new Map<string, number>();
  const failed = (status: string) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  let done = 0;
  let measuredFrom = 0;
  const waiting: number[] = [];
  type Conn = { socket: net.Socket; busy: number; t0: number; buf: Buffer };
  const free: Conn[] = [];
  const start = performance.now();
  let resolveAll!: () => void;
  const finished = new Promise<void>((r) => (resolveAll = r));
  const send = (c: Conn, i: number) => {
    c.busy = i;
    c.t0 = performance.now();
    if (i === skip) {
      measuredFrom = c.t0;
      loopDelay.enable();
    }
    c.socket.write(request);
  };
  const answered = (c: Conn, ok: boolean) => {
    const t1 = performance.now();
    const i = c.busy;
    if (!ok) errors++;
    else if (i >= skip) {
      fromSend.record(Math.max(1, Math.round((t1 - c.t0) * 1e6)));
      fromSchedule.record(Math.max(1, Math.round((t1 - (start + (i * 1000) / o.rate)) * 1e6)));
    }
    c.busy = -1;
    if (++done === total) return resolveAll();
    if (c.socket.destroyed) return;
    const next = waiting.shift();
    if (next !== undefined) send(c, next);
    else free.push(c);
  };
  // A connection the server closes while idle (its keep-alive timeout: a connection low in the
  // free stack may sit unused for seconds) leaves the pool and is replaced: a request is never
  // written to a closed socket (it would be lost, not answered).
  const conns: Conn[] = [];
  let ended = false;
  const open = async (): Promise<Conn> => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const c: Conn = { socket, busy: -1, t0: 0, buf: Buffer.alloc(0) };
    socket.on('data', (d: Buffer) => {
      c.buf = c.buf.length ? Buffer.concat([c.buf, d]) : d;
      for (;;) {
        const end = c.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = c.buf.subarray(0, end).toString('latin1');
        const len = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? NaN);
        if (!Number.isFinite(len)) throw new Error(`answer without Content-Length: ${head}`);
        if (c.buf.length < end + 4 + len) return;
        c.buf = c.buf.subarray(end + 4 + len);
        const ok = head.startsWith('HTTP/1.1 200 ');
        if (!ok) failed(head.slice(9, 12));
        answered(c, ok);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      if (c.busy >= 0) {
        failed('closed');
        answered(c, false);
      }
      const at = free.indexOf(c);
      if (at >= 0) free.splice(at, 1);
      if (!ended && done < total)
        void open().then(
          (n) => {
            if (ended) return void n.socket.destroy();
            const next = waiting.shift();
            if (next !== undefined) send(n, next);
            else free.push(n);
          },
          () => {},
        );
    });
    await once(socket, 'connect');
    conns.push(c);
    return c;
  };
  for (const c of await Promise.all(Array.from({ length: o.connections }, open))) free.push(c);
  let sent = 0;
  const tick = () => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const c = free.pop();
      if (c) send(c, sent);
      else waiting.push(sent);
    }
    if (sent < total) setTimeout(tick, 1);
  };
  tick();
  // Answers still missing 30 s after the last send count as errors (the run then fails).
  const timeout = setTimeout(
    () => {
      errors += total - done;
      resolveAll();
    },
    (o.warmup + o.seconds + 30) * 1000,
  );
  await finished;
  loopDelay.disable();
  clearTimeout(timeout);
  const wall_s = (performance.now() - measuredFrom) / 1000;
  ended = true;
  for (const c of conns) c.socket.destroy();
  return { fromSend, fromSchedule, loopDelay, requests: total - skip, errors, failed_by_status: Object.fromEntries(statuses), wall_s };
}
