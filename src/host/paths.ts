/**
 * Where the console finds its pieces: the package root (found by walking up from this module, so
 * it works from `src/host/*.ts` under tsx and from the electron-vite bundle in `out/main/`), the
 * node entry and the built renderer.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** The built renderer (`electron-vite build` output). */
export function rendererDir(root = packageRoot()): string {
  return path.join(root, 'out', 'renderer');
}
