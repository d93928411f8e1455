/**
 * electron-vite build of the three Electron bundles (https://electron-vite.org/config/):
 * - main → `out/main/index.js` (ESM; src/main + src/host; node_modules stay external). The node
 *   is its own bundle: index.ts imports `../node-core/node-entry?modulePath`, so electron-vite
 *   builds src/node-core/node-entry.ts + the rest of src/node-core into `out/main/chunks/` and
 *   hands main its path; the worker threads are entries (`out/main/snapshot-worker.js`,
 *   `verify-worker.js`).
 *   Nothing under out/ runs TypeScript or needs `src/` or `tsx`.
 * - preload → `out/preload/index.cjs`: ONE self-contained CommonJS file, as sandboxed preloads
 *   require (`sandbox: true` preloads cannot load other modules; only `electron` is external);
 * - renderer → `out/renderer` (React; also served by console server mode).
 * `npm run build` needs no Electron binary.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
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
