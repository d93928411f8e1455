/**
 * Where the node's worker threads come from. The worker scripts are plain ESM next to their pools
 * (`snapshots/worker.mjs`, `crypto/verify-worker.mjs`), so from a source checkout (tsx, the CLI,
 * tests) a worker is `new Worker(<that file>)`. A BUILT bundle cannot find them that way (the
 * bundle's `import.meta.url` is somewhere under `out/`), so the built entries register the
 * workers the build emitted: the worker scripts are entry inputs of the main build
 * (electron.vite.config.ts), written as `out/main/snapshot-worker.js` / `verify-worker.js` for main
 * and `out/node/…` beside the node's own bundle (entries, not `?nodeWorker`, so both builds emit
 * them under fixed names). The node's desktop entry (node-entry.ts) and Electron main (which runs
 * snapshot restores itself, through src/host/built.ts) call `useBuiltWorkers(builtWorkersAt(dir))`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export type WorkerName = 'snapshot' | 'verify';
export type WorkerFactory = (options?: WorkerOptions) => Worker;

const SOURCE: Record<WorkerName, () => URL> = {
  snapshot: () => new URL('./snapshots/worker.mjs', import.meta.url),
  verify: () => new URL('./crypto/verify-worker.mjs', import.meta.url),
};

const built = new Map<WorkerName, WorkerFactory>();

/** Registers the built worker factories (called once by a built entry, before any pool starts). */
export function useBuiltWorkers(factories: Record<WorkerName, WorkerFactory>): void {
  for (const [name, f] of Object.entries(factories) as [WorkerName, WorkerFactory][]) built.set(name, f);
}

/** Starts one worker thread of the named kind (built factory if registered, else the source file). */
export function startWorker(name: WorkerName, options?: WorkerOptions): Worker {
  const f = built.get(name);
  // The source workers are plain ESM: they never need the parent's `--import tsx` (a worker that
  // inherits it compiles nothing but still loads tsx + esbuild: ~1 s per worker on a busy machine
  // instead of ~0.15 s, issue 17 "snapshot verify").
  return f ? f(options) : new Worker(SOURCE[name](), { execArgv: [], ...options });
}

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
