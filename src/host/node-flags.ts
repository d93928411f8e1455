/** The node process's V8 flags (a leaf module: launcher.ts and prewarm.ts both fork the node). */

/**
 * V8 flags of the node process (both launchers). `--max-semi-space-size=2` (MB): V8 grows the young
 * generation to 2 × 16 MB under allocation bursts (start, sync) and keeps it resident while the
 * node idles; capped at 2 MB the idle node is ~20 MB smaller (issue 17: idle RSS 136 → 117 MB,
 * measured side by side), at the cost of more, shorter scavenges.
 */
export const NODE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=2'];
