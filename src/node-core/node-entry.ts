/**
 * The node's entry in the desktop app's utilityProcess and in console server mode. BUILT, never run
 * as TypeScript: electron.vite.config.ts bundles it with the rest of node-core AND its JavaScript
 * dependencies into `out/node/node-entry.js` (+ `out/node/chunks/`; only native addons load from
 * node_modules), and src/main forks that path. Nothing here needs `src/` or `tsx` at run time.
 * (From a source checkout the node's entry is main.ts.)
 *
 * Contract with the launcher (utility-launcher.ts):
 * - the node's flags follow the `--tb-node` marker (where utilityProcess puts its args in
 *   `process.argv` is not something to depend on);
 * - `TB_RESOURCES_DIR` names the resources directory (genesis/, networks/): a bundle's location
 *   says nothing about where they are, so the node refuses to start without it (exit 2);
 * - worker threads come from the workers the node build emitted beside this entry
 *   (`out/node/snapshot-worker.js`, `verify-worker.js`; workers.ts).
 * Then the node runs exactly as `src/node-core/main.ts` (IPC on `process.parentPort`).
 * - Prewarm mode (`--tb-node-prewarm` instead of the marker; console server mode, src/host/prewarm.ts):
 *   the bundle loads at once, then the process waits for its flags (after the marker) and
 *   environment in a `tb-node-spec` IPC message, takes them as its own, and runs as above.
 *
 * V8's code cache on disk is NOT enabled here (unlike the console, bin/start.mjs): measured side by
 * side it saves ~40 ms of the node's ~375 ms of start CPU but Node keeps the cache it read in
 * memory, +3–5 MB of idle RSS against the < 100 MB target (issue 17). `NODE_COMPILE_CACHE=<dir>`
 * in the node's environment opts in (Node's own switch; node.ts writes the cache once running).
 */
import { NODE_ARGS_MARKER, PREWARM_FLAG, PREWARM_SPEC } from './entry-args.js';
import { RESOURCES_ENV } from './resources.js';
import { builtWorkersAt, useBuiltWorkers } from './workers.js';

/** A prewarmed process nobody took leaves after this long (ms). */
const PREWARM_WAIT_MS = 60_000;

interface PrewarmSpec {
  type: typeof PREWARM_SPEC;
  args: string[];
  env: Record<string, string>;
}

/**
 * Prewarm mode: the spec `{type: 'tb-node-spec', args, env}` from the parent (listened for before
 * the bundle loads, so it cannot be missed). Resolves with it; the process leaves (exit 0) when the
 * parent goes or nothing comes within PREWARM_WAIT_MS.
 */
function prewarmSpec(): Promise<PrewarmSpec> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => process.exit(0), PREWARM_WAIT_MS);
    const onDisconnect = () => process.exit(0);
    const onMessage = (m: unknown) => {
      if ((m as { type?: unknown } | null)?.type !== PREWARM_SPEC) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      resolve(m as PrewarmSpec);
    };
    process.on('message', onMessage);
    process.on('disconnect', onDisconnect);
  });
}

const spec = process.argv.includes(PREWARM_FLAG) ? prewarmSpec() : undefined;
if (!process.env[RESOURCES_ENV] || (!spec && !process.argv.includes(NODE_ARGS_MARKER))) {
  process.stderr.write(`error: the node entry needs the ${NODE_ARGS_MARKER} flag marker and ${RESOURCES_ENV}\n`);
  process.exit(2);
}
useBuiltWorkers(builtWorkersAt(new URL('./', import.meta.url)));
// Imported only now (its own chunk): main.ts runs itself when it is the process's script, which a
// bundle must not trigger; here it runs once, with the flags after the marker.
const { main } = await import('./main.js');
if (spec) {
  // The node reads its environment and flags only from here on: it runs as if forked with them.
  const { args, env } = await spec;
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  process.argv.splice(2, process.argv.length - 2, ...args);
}
const at = process.argv.indexOf(NODE_ARGS_MARKER);
if (at < 0) {
  process.stderr.write(`error: the node entry needs the ${NODE_ARGS_MARKER} flag marker and ${RESOURCES_ENV}\n`);
  process.exit(2);
}
await main([process.argv[0], process.argv[1] ?? 'node-entry', ...process.argv.slice(at + 1)]);
