/**
 * The electron-vite build output the built-app tests look at. `npm test` builds before the unit
 * tests; run alone, a test builds when `out/` is missing or older than the sources it is made
 * from (one build at a time: a lock directory, since test files run in parallel).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const SOURCES = ['src/main', 'src/preload', 'src/renderer', 'src/shared', 'src/host', 'src/node-core', 'electron.vite.config.ts', 'package.json'];
const OUTPUTS = ['out/main/index.js', 'out/main/snapshot-worker.js', 'out/main/verify-worker.js', 'out/node/node-entry.js', 'out/node/console-entry.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

function newest(p: string): number {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

function fresh(): boolean {
  const outs = OUTPUTS.map((o) => path.join(ROOT, o));
  if (outs.some((o) => !existsSync(o))) return false;
  return Math.max(...SOURCES.map((s) => newest(path.join(ROOT, s)))) <= Math.min(...outs.map((o) => statSync(o).mtimeMs));
}

/** Builds `out/` unless it is up to date. @throws Error with the build's output when it fails. */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(ROOT, 'out.build-lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200)); // another test file is building
    }
  }
  try {
    if (fresh()) return;
    const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) throw new Error(`electron-vite build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}
