/**
 * Where the console finds its pieces: the package root (found by walking up from this module, so
 * it works from `src/host/*.ts` under tsx and from the electron-vite bundle in `out/main/`), the
 * node entry and the built renderer.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_ARGS_MARKER } from '../node-core/entry-args.js';
import { RESOURCES_ENV } from '../node-core/resources.js';

const PACKAGE_NAME = 'the-block-console';

/** Absolute path of the package root. @throws Error when no package.json of this project is above `from`. */
export function packageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const pj = path.join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if ((JSON.parse(readFileSync(pj, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
      } catch {
        // unreadable package.json: keep walking
      }
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package root above ${from}`);
  }
}

/** The node process entry (run through tsx). */
export function nodeEntry(root = packageRoot()): string {
  return path.join(root, 'src', 'node-core', 'main.ts');
}

/** Sources the built node bundle is made of: it is stale when any of them is newer. */
const NODE_SOURCES = ['src/node-core', 'src/shared', 'electron.vite.config.ts', 'package.json'];

/** Newest mtime (ms) under a file or directory; 0 when it does not exist. */
function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(p)) m = Math.max(m, newestMtime(path.join(p, e)));
  return m;
}

/**
 * The built node entry (`out/node/node-entry.js`, with its workers beside it; the node's own
 * bundle, electron.vite.config.ts) when it exists and is newer than every node source; else null.
 * Freshness is by mtime, as `npm start` decides whether to rebuild.
 */
export function builtNodeEntry(root = packageRoot()): string | null {
  const dir = path.join(root, 'out', 'node');
  const entry = path.join(dir, 'node-entry.js');
  if (!['node-entry.js', 'snapshot-worker.js', 'verify-worker.js'].every((f) => existsSync(path.join(dir, f)))) return null;
  const sources = Math.max(...NODE_SOURCES.map((s) => newestMtime(path.join(root, s))));
  return sources > statSync(entry).mtimeMs ? null : entry;
}

/** How console server mode starts the node: entry, leading args and environment additions. */
export interface NodeLaunch {
  entry: string;
  leadArgs: string[];
  env: NodeJS.ProcessEnv;
  /** 'built': the bundle under out/ (plain node, about 1.7× less start CPU); 'source': main.ts through tsx. */
  kind: 'built' | 'source';
}

/**
 * The built node bundle when out/ is fresh (`TB_NODE_FROM_SOURCE=1` forces the source entry),
 * else `src/node-core/main.ts` through tsx. The bundle needs the `--tb-node` marker before its
 * flags and `TB_RESOURCES_DIR` (the checkout's `resources/`), see node-entry.ts.
 */
export function nodeLaunch(root = packageRoot(), env: NodeJS.ProcessEnv = process.env): NodeLaunch {
  const built = env.TB_NODE_FROM_SOURCE === '1' ? null : builtNodeEntry(root);
  if (!built) return { entry: nodeEntry(root), leadArgs: [], env: {}, kind: 'source' };
  return { entry: built, leadArgs: [NODE_ARGS_MARKER], env: { [RESOURCES_ENV]: env[RESOURCES_ENV] || path.join(root, 'resources') }, kind: 'built' };
}

/** The built renderer (`electron-vite build` output). */
export function rendererDir(root = packageRoot()): string {
  return path.join(root, 'out', 'renderer');
}
