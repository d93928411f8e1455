/**
 * How a launcher starts the bundled node entry (node-entry.ts), shared by every launcher (host
 * fork launcher and prewarm, Electron utility launcher, benchmarks) so the strings live once.
 */

/** argv marker: the `node start` flags follow it. */
export const NODE_ARGS_MARKER = '--tb-node';
/** argv flag of a prewarmed node (src/host/prewarm.ts): its flags come later, in one IPC message. */
export const PREWARM_FLAG = '--tb-node-prewarm';
/** Type of that IPC message: `{ type: PREWARM_SPEC, args: string[], env: Record<string, string> }`. */
export const PREWARM_SPEC = 'tb-node-spec';
