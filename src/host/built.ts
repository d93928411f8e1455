/**
 * What Electron main, a built bundle, takes from node-core (main reaches node-core only through
 * src/host): the name of the variable that passes the resources directory to the node, and the
 * registration of the built worker threads for work main runs itself (snapshot restores,
 * restore-job.ts).
 */
import { builtWorkersAt, useBuiltWorkers } from '../node-core/workers.js';

export { RESOURCES_ENV } from '../node-core/resources.js';

/** Makes node-core code in this process use the built workers in `dir` (a directory URL). @throws Error when one is missing. */
export function useBuiltWorkersAt(dir: URL): void {
  useBuiltWorkers(builtWorkersAt(dir));
}
