/**
 * Per-call RPC metrics on the hot path (issue 17): `rpc_requests_total{method,code}` and
 * `rpc_latency_seconds{method}` are recorded in plain numbers and handed to prom-client only when
 * the metrics are read.
 *
 * prom-client hashes the label set, validates it and looks up its series on every `inc`/`observe`.
 * That costs more than `chain.tip` itself when it runs once per request with cold caches. Here a
 * call adds 1 to a number kept for its (method, code) and stores its latency in a small buffer. The
 * counter's and the histogram's `collect()` (prom-client calls it before every read: `/metrics`,
 * `registry.metrics()`, `metric.get()`) pass the pending counts to `inc` and replay the buffered
 * latencies through `observe`, in call order. Every read therefore shows every call made before it,
 * with the same names, labels, bucket counts and sum that direct calls would give. A full buffer
 * is replayed on the spot, so memory stays bounded even when nothing scrapes.
 */
import type { Counter, Histogram } from 'prom-client';

/** Latencies held per method before they are replayed into the histogram (8 KiB each). */
const LATENCY_BUFFER = 1024;

/** The series of one method label: pending counts per JSON-RPC code, pending latencies in seconds. */
export class RpcMethodMeter {
  /** Calls counted since the last flush, by JSON-RPC code (0 = success). Keys are few (a method's codes). */
  private readonly pending = new Map<number, number>();
  private readonly latencies = new Float64Array(LATENCY_BUFFER);
  private held = 0;

  constructor(
    readonly method: string,
    private readonly owner: RpcMeter,
  ) {}

  /** Counts one call answered with `code` (0 = success; a JSON-RPC error code otherwise). */
  count(code: number): void {
    this.pending.set(code, (this.pending.get(code) ?? 0) + 1);
  }

  /** Records one call's handling time in seconds (`rpc_latency_seconds{method}`). */
  observe(seconds: number): void {
    this.latencies[this.held++] = seconds;
    if (this.held === LATENCY_BUFFER) this.flushLatency();
  }

  /** Adds the pending counts to `rpc_requests_total` (prom-client `inc`, one call per code). */
  flushCounts(): void {
    if (this.pending.size === 0) return;
    for (const [code, n] of this.pending) this.owner.requests.inc({ method: this.method, code: String(code) }, n);
    this.pending.clear();
  }

  /** Replays the buffered latencies into `rpc_latency_seconds` in call order (same buckets and sum). */
  flushLatency(): void {
    if (this.held === 0) return;
    const child = this.owner.latency.labels({ method: this.method });
    for (let i = 0; i < this.held; i++) child.observe(this.latencies[i]);
    this.held = 0;
  }
}

/** Meters by method label, flushed by the two metrics' `collect()` hooks. */
export class RpcMeter {
  private readonly methods = new Map<string, RpcMethodMeter>();

  constructor(
    readonly requests: Counter<'method' | 'code'>,
    readonly latency: Histogram<'method'>,
  ) {}

  /** The meter of one method label (kept: call it once per method, not per call). */
  method(name: string): RpcMethodMeter {
    let m = this.methods.get(name);
    if (!m) this.methods.set(name, (m = new RpcMethodMeter(name, this)));
    return m;
  }

  /** Hands every pending count to the counter (its `collect()`). */
  flushCounts(): void {
    for (const m of this.methods.values()) m.flushCounts();
  }

  /** Replays every buffered latency into the histogram (its `collect()`). */
  flushLatency(): void {
    for (const m of this.methods.values()) m.flushLatency();
  }
}
