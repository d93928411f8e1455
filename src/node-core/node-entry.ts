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
 *
 * V8's code cache on disk (`module.enableCompileCache`, Node ≥ 22.1; Node's default directory
 * `$NODE_COMPILE_CACHE` or `<tmpdir>/node-compile-cache`, keyed by file content, so a rebuilt
 * bundle never runs stale code; `NODE_DISABLE_COMPILE_CACHE=1` turns it off) is enabled before
 * the bundle's chunks load: a start after the first compiles ~70 ms less of the ~2 MB bundle
 * (issue 17, node ready). node.ts writes the cache out once the node is ready.
 */
import { enableCompileCache } from 'node:module';
import { RESOURCES_ENV } from './resources.js';
import { builtWorkersAt, useBuiltWorkers } from './workers.js';

const NODE_ARGS_MARKER = '--tb-node';

const at = process.argv.indexOf(NODE_ARGS_MARKER);
if (at < 0 || !process.env[RESOURCES_ENV]) {
  process.stderr.write(`error: the node entry needs the ${NODE_ARGS_MARKER} flag marker and ${RESOURCES_ENV}\n`);
  process.exit(2);
}
// A read-only or full temp directory only costs the cache (status FAILED), never the start.
enableCompileCache?.();
useBuiltWorkers(builtWorkersAt(new URL('./', import.meta.url)));
// Imported only now (its own chunk): main.ts runs itself when it is the process's script, which a
// bundle must not trigger; here it runs once, with the flags after the marker.
const { main } = await import('./main.js');
await main([process.argv[0], process.argv[1] ?? 'node-entry', ...process.argv.slice(at + 1)]);
