/**
 * The node's read-only resources (genesis templates `genesis/<network>.json`, network files
 * `networks/<name>.json`) live in ONE directory, passed to the node explicitly:
 * - the desktop app passes `TB_RESOURCES_DIR` (Electron's `process.resourcesPath` when packaged,
 *   `<app>/resources` otherwise) to the node process, and the directory to its own handlers;
 * - in a source checkout (CLI, console server mode, tests) the default is the checkout's
 *   `resources/`, found relative to this file (`src/node-core/` → `../../resources`).
 * A bundled node (out/…) never uses the default: its entry refuses to start without
 * `TB_RESOURCES_DIR` (node-entry.ts), since the bundle's location says nothing about
 * where the resources are.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable naming the resources directory (absolute path). */
export const RESOURCES_ENV = 'TB_RESOURCES_DIR';

/** The source checkout's `resources/` (valid only when running from `src/`). */
export function checkoutResourcesDir(): string {
  return fileURLToPath(new URL('../../resources/', import.meta.url));
}

/** The resources directory: `$TB_RESOURCES_DIR` when set and non-empty, else the checkout's. */
export function resourcesDir(env: NodeJS.ProcessEnv = process.env): string {
  const v = env[RESOURCES_ENV];
  return v ? path.resolve(v) : checkoutResourcesDir();
}

/** `<resources>/genesis`: genesis templates. */
export function genesisDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(resourcesDir(env), 'genesis');
}

/** `<resources>/networks`: built-in network files. */
export function networksDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(resourcesDir(env), 'networks');
}
