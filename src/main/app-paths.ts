/**
 * Where the desktop app finds its pieces, from Electron's point of view:
 * - resources (genesis/, networks/): ONE directory, `process.resourcesPath` when packaged
 *   (electron-builder.yml `extraResources` copies `resources/genesis` and `resources/networks`
 *   there), `<app>/resources` when run unpackaged (`electron .` in a checkout). It is passed to
 *   the node (`TB_RESOURCES_DIR`) and to the app handlers explicitly.
 * - the preload, the renderer and the node: next to the main bundle (`out/main` → `out/preload`,
 *   `out/renderer`, `out/node`).
 */
import path from 'node:path';

export interface AppLike {
  readonly isPackaged: boolean;
  getAppPath(): string;
}

/** The resources directory. @param resourcesPath Electron's `process.resourcesPath`. */
export function appResourcesDir(app: AppLike, resourcesPath: string | undefined = process.resourcesPath): string {
  if (app.isPackaged) {
    if (!resourcesPath) throw new Error('packaged app without process.resourcesPath');
    return resourcesPath;
  }
  return path.join(app.getAppPath(), 'resources');
}

/** `out/preload/index.cjs`, from the directory of the main bundle (`out/main`). */
export function preloadPath(mainDir: string): string {
  return path.join(mainDir, '..', 'preload', 'index.cjs');
}

/**
 * The node's built entry `out/node/node-entry.js` (its own bundle, electron.vite.config.ts), from
 * the directory of the main bundle; forked as a utilityProcess, never loaded into main.
 */
export function nodeEntryPath(mainDir: string): string {
  return path.join(mainDir, '..', 'node', 'node-entry.js');
}

/** `out/renderer`, from the directory of the main bundle. */
export function rendererPath(mainDir: string): string {
  return path.join(mainDir, '..', 'renderer');
}
