/** The node process's V8 flags and environment defaults (a leaf module: launcher.ts and prewarm.ts both fork the node). */

/**
 * V8 flags of the node process (both launchers). `--max-semi-space-size=2` (MB): V8 grows the young
 * generation to 2 × 16 MB under allocation bursts (start, sync) and keeps it resident while the
 * node idles; capped at 2 MB the idle node is ~20 MB smaller (issue 17: idle RSS 136 → 117 MB,
 * measured side by side), at the cost of more, shorter scavenges. `--no-parallel-scavenge`: a
 * scavenge runs on the main thread alone; a parallel one waits for helper threads that a busy
 * machine may not schedule, which stretched each pause (issue 17, RPC at 1,000 req/s with two CPU
 * burners at load 11–24, 14 runs each, medians: GC pause time per 7 s phase 379 → 162 ms, client
 * p99 58 → 42 ms; idle RSS unchanged). Major GCs keep their concurrent marking. (A 16 MB semi-space
 * cut the pauses to 30 ms but costs 16 MB of idle RSS.)
 */
export const NODE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=2', '--no-parallel-scavenge'];

/**
 * Environment defaults of the node process (both launchers, and the prewarmed node: glibc reads
 * these once, when the process starts). `MALLOC_ARENA_MAX=2`: glibc gives each thread that
 * allocates its own malloc arena (up to 8 × cores), and the node's threads (V8 platform workers,
 * libuv pool, leveldb, QUIC's tokio runtime) each keep theirs resident. Two arenas: idle node
 * 103.4 → 99.1 MB (issue 17, bench/node-idle.ts, 3+3 paired medians). Measured side by side (with
 * it set for the whole benchmark process, load 10–18): import CPU per tx ÷ raw verify CPU 1.81 →
 * 1.80, import ratio within the run-to-run noise (0.58–0.70 both ways); RPC CPU per request ÷ bare
 * 1.34 → 1.23, full-load ratio 0.81 → 0.91 (3 runs each, medians). A value in the environment the
 * node is launched with wins.
 * (Glibc only; other C libraries ignore it. In Electron's utilityProcess it applies only where
 * allocations go through glibc's malloc.)
 */
export const NODE_ENV_DEFAULTS: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** A copy of `env` with {@link NODE_ENV_DEFAULTS} filled in where it does not set them (absent or undefined). */
export function nodeEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [k, v] of Object.entries(NODE_ENV_DEFAULTS)) if (out[k] === undefined) out[k] = v;
  return out;
}
