/**
 * electron-vite build of the three Electron bundles (https://electron-vite.org/config/), plus the
 * node's own bundle:
 * - main → `out/main/index.js` (ESM; src/main + src/host; node_modules stay external); the worker
 *   threads main runs itself (snapshot restores) are entries (`out/main/snapshot-worker.js`,
 *   `verify-worker.js`).
 * - node → `out/node/node-entry.js` (+ `out/node/chunks/`, its own `snapshot-worker.js`,
 *   `verify-worker.js`), built by the `the-block:node-bundle` plugin below once main is written:
 *   src/node-core WITH its JavaScript dependencies bundled (issue 17: resolving ~1,000 files of
 *   libp2p/zod/pino/… from node_modules was most of the node's start), only the native addons
 *   (NATIVE_DEPS) stay external and load from node_modules. A directory of its own, not
 *   `out/main`: this code only ever runs in the node's process (utilityProcess / a forked Node),
 *   never in Electron main or a renderer, so the Electronegativity scan of `out/main` (Electron
 *   security settings) stays about Electron code. main finds it at `../node/node-entry.js`.
 *   Nothing under out/ runs TypeScript or needs `src/` or `tsx`.
 * - preload → `out/preload/index.cjs`: ONE self-contained CommonJS file, as sandboxed preloads
 *   require (`sandbox: true` preloads cannot load other modules; only `electron` is external);
 * - renderer → `out/renderer` (React; also served by console server mode).
 * `npm run build` needs no Electron binary.
 */
import { builtinModules } from 'node:module';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { build, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Dependencies the node bundle leaves to node_modules: native addons (a `.node` binding cannot be
 * bundled; electron-builder.yml unpacks them from the asar) and pino-pretty (loaded on demand by
 * logging.ts through createRequire, only for a TTY).
 */
export const NATIVE_DEPS = ['classic-level', 'sodium-native', '@chainsafe/libp2p-quic', 'pino-pretty'];

/** Builds the node bundle into `out/node` after main (see the module doc). */
function nodeBundle(): Plugin {
  return {
    name: 'the-block:node-bundle',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        publicDir: false,
        build: {
          outDir: resolve('out/node'),
          emptyOutDir: true,
          ssr: true,
          target: 'node22',
          minify: false,
          reportCompressedSize: false,
          rollupOptions: {
            input: {
              'node-entry': resolve('src/node-core/node-entry.ts'),
              'snapshot-worker': resolve('src/node-core/snapshots/worker.mjs'),
              'verify-worker': resolve('src/node-core/crypto/verify-worker.mjs'),
            },
            external: [...NATIVE_DEPS, new RegExp(`^(${NATIVE_DEPS.join('|')})/`), 'electron', ...builtinModules.flatMap((m) => [m, `node:${m}`])],
            output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
          },
        },
        ssr: { noExternal: true, target: 'node' },
      });
    },
  };
}

export default defineConfig({
  main: {
    plugins: [nodeBundle()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src/main/index.ts'),
          // Worker threads of the node (src/node-core/workers.ts finds them by these names).
          'snapshot-worker': resolve('src/node-core/snapshots/worker.mjs'),
          'verify-worker': resolve('src/node-core/crypto/verify-worker.mjs'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      minify: true,
      // Loaded from local disk (app:// or 127.0.0.1), not over a network: one ~0.8 MB chunk is fine.
      chunkSizeWarningLimit: 1200,
      // No inline scripts or styles: the CSP forbids them (and Vite's modulepreload polyfill is not needed by Chromium).
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
      rollupOptions: { input: resolve('src/renderer/index.html') },
    },
  },
});
