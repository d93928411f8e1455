/**
 * Where the node's worker threads come from. The worker scripts are plain ESM next to their pools
 * (`snapshots/worker.mjs`, `crypto/verify-worker.mjs`), so from a source checkout (tsx, the CLI,
 * tests) a worker is `new Worker(<that file>)`. A BUILT bundle cannot find them that way (the
 * bundle's `import.meta.url` is somewhere under `out/`), so the built entries register the
 * factories the build made for them (electron-vite `?nodeWorker`: the worker is emitted as its own
 * chunk and the factory knows its relative path) — see src/main/built-workers.ts.
 */
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
  return f ? f(options) : new Worker(SOURCE[name](), options);
}
