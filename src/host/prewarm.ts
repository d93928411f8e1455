/**
 * A node process started before its flags are known (issue 17, console first live height).
 *
 * `npm start` in console server mode spends ~0.3–0.4 s of CPU loading the console (its command,
 * the app handlers, settings) before the supervisor can fork the node, and the node then spends
 * ~0.4 s loading its own bundle before its first phase: two serial waits on a 2-core machine.
 * bin/start.mjs calls {@link prewarmNode} first: the built node entry is forked at once with
 * `--tb-node-prewarm` (node-entry.ts), loads its bundle on the other core and waits. The first
 * `forkLauncher().launch(spec)` then takes it ({@link takePrewarmed}) and sends it the spec's flags
 * and environment; the process runs exactly as a node forked with them. Any other launch, a spec
 * the process cannot take (another entry, cwd, or an environment differing in more than `TB_*`
 * variables, which the node reads only once it runs), or a prewarmed process that has exited
 * (it leaves after PREWARM_WAIT_MS unused, or when this process goes) forks as before.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PREWARM_FLAG, PREWARM_SPEC } from '../node-core/entry-args.js';
import { RESOURCES_ENV } from '../node-core/resources.js';
import { NODE_V8_FLAGS, nodeEnv } from './node-flags.js';


interface Prewarmed {
  cp: ChildProcess;
  entry: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

let prewarmed: Prewarmed | undefined;

/**
 * Forks the built node entry of package `root` in prewarm mode (console server mode only; a no-op
 * when `TB_NODE_FROM_SOURCE=1` or one is already waiting). The environment is the one console
 * server mode gives a built node (paths.ts `nodeLaunch`): this process's plus `TB_RESOURCES_DIR`.
 */
export function prewarmNode(root: string, env: NodeJS.ProcessEnv = process.env): void {
  if (prewarmed || env.TB_NODE_FROM_SOURCE === '1') return;
  const entry = path.join(root, 'out', 'node', 'node-entry.js');
  const childEnv = nodeEnv({ ...env, [RESOURCES_ENV]: env[RESOURCES_ENV] || path.join(root, 'resources') });
  const cwd = process.cwd();
  const cp = fork(entry, [PREWARM_FLAG], {
    env: childEnv,
    execArgv: [...NODE_V8_FLAGS],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'json',
  });
  cp.on('error', () => {});
  const p: Prewarmed = { cp, entry, env: childEnv, cwd };
  cp.once('exit', () => {
    if (prewarmed === p) prewarmed = undefined;
  });
  prewarmed = p;
}

/** Stops the prewarmed node, if one waits (bin/start.mjs: the bundle it loaded was rebuilt since). */
export function cancelPrewarm(): void {
  const p = prewarmed;
  prewarmed = undefined;
  p?.cp.kill('SIGTERM');
}

/** Same value, or a difference in a `TB_*` variable only (read by the node after its spec arrives). */
function envCompatible(a: NodeJS.ProcessEnv, b: NodeJS.ProcessEnv): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
    if (a[k] !== b[k] && !k.startsWith('TB_')) return false;
  return true;
}

/**
 * The prewarmed node, now running `spec` (its flags and environment sent), or undefined (none, or
 * it cannot take this spec: it is then stopped, and the caller forks as usual).
 */
export function takePrewarmed(spec: {
  entry: string;
  leadArgs?: string[];
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): ChildProcess | undefined {
  const p = prewarmed;
  prewarmed = undefined;
  if (!p) return undefined;
  const env = nodeEnv(spec.env ?? process.env);
  const usable =
    p.cp.connected &&
    p.cp.exitCode === null &&
    p.cp.signalCode === null &&
    path.resolve(spec.entry) === p.entry &&
    path.resolve(spec.cwd ?? process.cwd()) === path.resolve(p.cwd) &&
    envCompatible(env, p.env);
  if (!usable) {
    p.cp.kill('SIGTERM');
    return undefined;
  }
  p.cp.send({ type: PREWARM_SPEC, args: [...(spec.leadArgs ?? []), ...spec.args], env });
  return p.cp;
}
