/** The node process's V8 flags (a leaf module: launcher.ts and prewarm.ts both fork the node). */

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
