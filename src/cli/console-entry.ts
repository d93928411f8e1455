/**
 * Console server mode from the build: `npm start` (bin/start.mjs) imports this module BUILT, as
 * `out/node/console-entry.js` (bundled with the console command, src/host and node-core and
 * their JavaScript dependencies by electron.vite.config.ts), instead of compiling the CLI's
 * TypeScript through tsx at every start (issue 17: ~1 s before the console printed its URL).
 * Only the console group of the CLI's command list is loaded.
 *
 * Its static imports are only what {@link prewarmNode} needs: bin/start.mjs forks the node with it
 * as soon as this module is loaded, and the console command (commander, the config table, the
 * host) is imported by {@link startConsole} afterwards, while the node loads its own bundle on the
 * other core (issue 17, first live height: the fork waited ~0.2 s for that import graph).
 */
import '../node-core/polyfills.js';

/** bin/start.mjs forks the node ahead with this, before the console loads (src/host/prewarm.ts). */
export { cancelPrewarm, prewarmNode } from '../host/prewarm.js';

/**
 * Runs `contract-cli console` as `npm start`. @param argv `[exec, script, ...flags]`.
 * The console runs snapshot restores in this process (src/host/restore-job.ts): their workers are
 * the built ones beside this bundle (`out/node/snapshot-worker.js`), registered as Electron main
 * and the node's entry do; without it the pool looked for the source worker under the bundle's
 * chunks and every restore from the console failed.
 */
export async function startConsole(argv: string[]): Promise<void> {
  const [{ loadCommandGroup }, { runProgram }, { useBuiltWorkersAt }] = await Promise.all([import('./commands/index.js'), import('./common.js'), import('../host/built.js')]);
  useBuiltWorkersAt(new URL('./', import.meta.url));
  await runProgram((await loadCommandGroup('console')).name('npm start'), argv);
}
