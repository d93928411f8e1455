/**
 * The worker threads as the build emits them: the worker scripts are entry inputs of the main
 * build (electron.vite.config.ts), written as `out/main/snapshot-worker.js` and
 * `out/main/verify-worker.js`. (electron-vite's `?nodeWorker` is not available inside the
 * `?modulePath` sub-build that bundles the node, hence entries.) Registered with node-core's
 * `useBuiltWorkers` by the node entry (utilityProcess) and by Electron main (which runs snapshot
 * restores itself, src/host/restore-job.ts). Only built code uses this file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerFactory, WorkerName } from '../node-core/workers.js';

/** File names of the built workers, in the main build's output directory. */
export const BUILT_WORKER_FILES: Record<WorkerName, string> = { snapshot: 'snapshot-worker.js', verify: 'verify-worker.js' };

/**
 * Factories for the built workers in `dir` (a directory URL ending in `/`).
 * @throws Error naming the missing file when the build output is incomplete (fail at start, not at the first restore).
 */
export function builtWorkersAt(dir: URL): Record<WorkerName, WorkerFactory> {
  const out = {} as Record<WorkerName, WorkerFactory>;
  for (const [name, file] of Object.entries(BUILT_WORKER_FILES) as [WorkerName, string][]) {
    const url = new URL(file, dir);
    if (!existsSync(fileURLToPath(url))) throw new Error(`built worker ${fileURLToPath(url)} is missing (rebuild with electron-vite build)`);
    out[name] = (options) => new Worker(url, options);
  }
  return out;
}
