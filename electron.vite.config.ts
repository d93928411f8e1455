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
 *   `out/main`: this code only ever runs in the node's process (utilityProcess / a forked Node)
 *   or in console server mode (`out/node/console-entry.js`, plain Node: bin/start.mjs), never in
 *   Electron main or a renderer, so the Electronegativity scan of `out/main` (Electron security
 *   settings) stays about Electron code. main finds the node at `../node/node-entry.js`.
 *   Nothing under out/ runs TypeScript or needs `src/` or `tsx`.
 * - preload → `out/preload/index.cjs`: ONE self-contained CommonJS file, as sandboxed preloads
 *   require (`sandbox: true` preloads cannot load other modules; only `electron` is external);
 * - renderer → `out/renderer` (React; also served by console server mode).
 * `npm run build` needs no Electron binary.
 */
import { builtinModules, createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { build, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * Dependencies the node bundle leaves to node_modules: native addons (a `.node` binding cannot be
 * bundled; electron-builder.yml unpacks them from the asar) and pino-pretty (loaded on demand by
 * logging.ts through createRequire, only for a TTY). @chainsafe/libp2p-quic is bundled but for its
 * binding loader (quicBindingFromPackage below).
 */
export const NATIVE_DEPS = ['classic-level', 'sodium-native', 'pino-pretty'];

const requireHere = createRequire(import.meta.url);
/** Accessors of builtins that load a whole library on first read (node:http's WebSocket & co. load undici). */
const LAZY_BUILTIN_EXPORTS = new Set(['WebSocket', 'CloseEvent', 'MessageEvent']);
const VIA_REQUIRE = '\0the-block-builtin:';

/**
 * The node bundle's ESM imports of Node builtins (`import http from 'node:http'`) become CommonJS
 * requires: Node builds an ESM facade of a builtin by reading EVERY export, and node:http's
 * WebSocket/CloseEvent/MessageEvent getters load undici (~60 ms of a ~400 ms start, issue 17).
 * The named exports are listed at build time from this Node (the build's Node is the run's major).
 */
function builtinsViaRequire(): Plugin {
  return {
    name: 'the-block:builtins-via-require',
    enforce: 'pre',
    resolveId(id, _importer, extra) {
      const name = id.replace(/^node:/, '');
      if (!builtinModules.includes(name)) return null;
      // A CommonJS dependency's require() stays a require of the builtin itself.
      if (name === 'module' || (extra as { kind?: string }).kind !== 'import-statement') return { id, external: true };
      return VIA_REQUIRE + name;
    },
    load(id) {
      if (!id.startsWith(VIA_REQUIRE)) return null;
      const name = id.slice(VIA_REQUIRE.length);
      const m = requireHere(`node:${name}`) as Record<string, unknown>;
      const names = Object.keys(m).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default' && !LAZY_BUILTIN_EXPORTS.has(k));
      return [
        `import { createRequire } from 'node:module';`,
        `const m = createRequire(import.meta.url)('node:${name}');`,
        'export default m;',
        ...names.map((k) => `export const ${k} = m.${k};`),
      ].join('\n');
    },
  };
}

const QUIC_NAPI = '\0the-block-quic-napi';

/**
 * @chainsafe/libp2p-quic's JavaScript is bundled like the rest of libp2p. Left external (as it was
 * until issue 17's idle-RSS work), it loaded its own ~250 files of @libp2p/utils, @libp2p/crypto,
 * multiformats, @noble/curves… from node_modules beside the bundle's copies of the same libraries:
 * ~10 MB of the idle node's resident set (113.2 → 103.1 MB, 5+5 paired medians, bench/node-idle.ts).
 * Only its NAPI-RS loader (`dist/src/napi.js`: picks the platform's `.node` binding, e.g.
 * @chainsafe/libp2p-quic-linux-x64-gnu) still loads from the installed package, found at run time
 * by `import.meta.resolve`, so the binding resolves from the package exactly as before (and from
 * the asar's unpacked copy in the desktop app). Its export names are read from that file at build
 * time; the build fails when none are found (a new package layout).
 */
function quicBindingFromPackage(): Plugin {
  let napiFile = '';
  return {
    name: 'the-block:quic-binding-from-package',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id !== './napi.js' || !importer || !/[\\/]@chainsafe[\\/]libp2p-quic[\\/]dist[\\/]src[\\/][^\\/]+\.js$/.test(importer)) return null;
      napiFile = resolve(dirname(importer), 'napi.js');
      return QUIC_NAPI;
    },
    load(id) {
      if (id !== QUIC_NAPI) return null;
      const names = [...readFileSync(napiFile, 'utf8').matchAll(/^export \{ (\w+) \};$/gm)].map((m) => m[1]);
      if (names.length === 0) throw new Error(`${napiFile}: no \`export { Name };\` lines (has @chainsafe/libp2p-quic's loader changed?)`);
      return [
        `const napi = await import(new URL('./napi.js', import.meta.resolve('@chainsafe/libp2p-quic')).href);`,
        ...names.map((k) => `export const ${k} = napi.${k};`),
      ].join('\n');
    },
  };
}

/**
 * One copy of each package version in the node bundle. npm installs a version several times where it
 * cannot hoist it (nested node_modules under libp2p's packages: protons-runtime 7.1.2 ×6,
 * uint8arraylist 3.0.2 ×13, uint8arrays 6.1.1 ×18), and a bundler takes each path for a module of
 * its own: the bundle carried every copy's code, which V8 keeps as source and compiled code (issue
 * 17, idle RSS). Each file resolved inside a package copy is replaced by the same file of the first
 * copy of that name and version resolved in this build (a published version is one set of files).
 */
function dedupePackageCopies(): Plugin {
  const first = new Map<string, string>(); // `name@version` → package directory
  const versionOf = new Map<string, string | null>(); // package directory → `name@version`
  const keyOf = (dir: string): string | null => {
    if (!versionOf.has(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        versionOf.set(dir, pkg.name && pkg.version ? `${pkg.name}@${pkg.version}` : null);
      } catch {
        versionOf.set(dir, null);
      }
    }
    return versionOf.get(dir)!;
  };
  return {
    name: 'the-block:dedupe-package-copies',
    enforce: 'pre',
    async resolveId(id, importer, opts) {
      if (!importer || id.startsWith('\0')) return null;
      const r = await this.resolve(id, importer, { ...opts, skipSelf: true });
      const m = r && !r.external ? /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/@][^\\/]*)([\\/].+)$/.exec(r.id) : null;
      if (!r || !m) return r;
      const key = keyOf(m[1]);
      if (!key) return r;
      if (!first.has(key)) first.set(key, m[1]);
      return first.get(key) === m[1] ? r : { ...r, id: first.get(key)! + m[2] };
    },
  };
}

/** `a < b ? -1 : …`: the order of UTF-16 code units, what `localeCompare` is replaced with below. */
const CODE_UNIT_COMPARE = '((x, y) => (x < y ? -1 : x > y ? 1 : 0))';

/**
 * libp2p's peer store and peer records sort protocol ids, metadata keys and multiaddr strings with
 * `String.prototype.localeCompare`, only to get a deterministic order (sorted before storing, or
 * both sides sorted alike before comparing). Its first call makes V8 create ICU's collator, which
 * maps ~2.4 MB of collation data into the node at idle (issue 17: RssFile 57.8 → 55.4 MB without
 * it, 3+3 paired medians, bench/node-idle.ts). These sites compare by UTF-16 code units instead: a
 * total order as deterministic (and equal only for equal strings). Each site is matched exactly;
 * the build fails when one is not found (a new version of the package: look again).
 */
function codeUnitOrderInLibp2p(): Plugin {
  const sites: { file: RegExp; from: string; to: string; count: number }[] = [
    { file: /[\\/]@libp2p[\\/]peer-store[\\/]dist[\\/]src[\\/]utils[\\/]to-peer-pb\.js$/, from: 'return a.localeCompare(b);', to: `return ${CODE_UNIT_COMPARE}(a, b);`, count: 2 },
    {
      file: /[\\/]@libp2p[\\/]peer-store[\\/]dist[\\/]src[\\/]utils[\\/]dedupe-addresses\.js$/,
      from: 'return a.multiaddr.toString().localeCompare(b.multiaddr.toString());',
      to: `return ${CODE_UNIT_COMPARE}(a.multiaddr.toString(), b.multiaddr.toString());`,
      count: 1,
    },
    { file: /[\\/]@libp2p[\\/]peer-record[\\/]dist[\\/]src[\\/]peer-record[\\/]utils\.js$/, from: 'a.toString().localeCompare(b.toString())', to: `${CODE_UNIT_COMPARE}(a.toString(), b.toString())`, count: 1 },
  ];
  return {
    name: 'the-block:code-unit-order-in-libp2p',
    transform(code, id) {
      const site = sites.find((s) => s.file.test(id));
      if (!site) return null;
      const found = code.split(site.from).length - 1;
      if (found !== site.count) throw new Error(`${id}: expected ${site.count} × \`${site.from}\`, found ${found} (has the package changed?)`);
      return { code: code.split(site.from).join(site.to), map: null };
    },
  };
}

/** Builds the node bundle into `out/node` after main (see the module doc). */
function nodeBundle(): Plugin {
  return {
    name: 'the-block:node-bundle',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        plugins: [builtinsViaRequire(), quicBindingFromPackage(), dedupePackageCopies(), codeUnitOrderInLibp2p()],
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
              // Console server mode (`npm start` without an Electron window, bin/start.mjs).
              'console-entry': resolve('src/cli/console-entry.ts'),
              'snapshot-worker': resolve('src/node-core/snapshots/worker.mjs'),
              'verify-worker': resolve('src/node-core/crypto/verify-worker.mjs'),
            },
            // Builtins other than node:module resolve to builtinsViaRequire's modules.
            external: [...NATIVE_DEPS, new RegExp(`^(${NATIVE_DEPS.join('|')})/`), 'electron', 'module', 'node:module'],
            output: {
              format: 'es',
              entryFileNames: '[name].js',
              chunkFileNames: 'chunks/[name]-[hash].js',
              // Whitespace out and ASCII only, names kept (no mangling, no compression: stack traces
              // still name functions): V8 keeps every script's source in the heap, as two-byte
              // strings when it has any non-ASCII character (idle heap: 6.9 MB of bundle source).
              minify: { compress: false, mangle: false, codegen: { removeWhitespace: true, asciiOnly: true } },
            },
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
