#!/usr/bin/env node
// `npm start`: the operator console on the embedded dev node.
// 1. Builds the app (`electron-vite build`) when `out/` is missing or older than its sources.
// 2. Opens the Electron window when an Electron binary can run here (binary present, it starts,
//    and on Linux a display is set; the node then runs from its built bundle in a utilityProcess);
//    otherwise console server mode (`contract-cli console`, from the build: out/node/console-entry.js,
//    no tsx): the node (out/node/node-entry.js) in a child process, the UI on 127.0.0.1 with a
//    per-start token, the URL printed and opened in Chromium --app when one is found.
// Flags: `--server` forces console server mode; the others are those of `contract-cli console`
// (`--no-open`, `--port`, `--data-dir`, `--rpc-addr`, `--network`, …); in Electron mode they go
// to the node after `--`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as nodeModule from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNode22, envWith, satisfies } from '../scripts/node22.mjs';

// On a Node outside package.json's range (a machine with Node 20): run this same script on the Node
// that `npm run setup` fetched (scripts/node22.mjs), passing signals on and its exit code back.
if (!satisfies(process.versions.node)) {
  const dir = ensureNode22();
  const child = spawn(path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node'), [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit', env: envWith(dir) });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  await new Promise(() => {}); // the child's exit ends this process
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The node (src/node-core) is part of the build: the desktop app runs it from its bundle.
const SOURCES = ['src/main', 'src/preload', 'src/renderer', 'src/shared', 'src/host', 'src/node-core', 'electron.vite.config.ts', 'package.json'];
const OUTPUTS = ['out/main/index.js', 'out/main/snapshot-worker.js', 'out/main/verify-worker.js', 'out/node/node-entry.js', 'out/node/console-entry.js', 'out/preload/index.cjs', 'out/renderer/index.html'];

/** Newest mtime (ms) under a file or directory. */
function newest(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const e of readdirSync(p)) m = Math.max(m, newest(path.join(p, e)));
  return m;
}

/** Builds when out/ is missing or older than the sources. @returns whether it built. */
function buildIfStale() {
  const outs = OUTPUTS.map((o) => path.join(root, o));
  const missing = outs.some((o) => !existsSync(o));
  const stale = !missing && Math.max(...SOURCES.map((s) => newest(path.join(root, s)))) > Math.min(...outs.map((o) => statSync(o).mtimeMs));
  if (!missing && !stale) return false;
  process.stderr.write(`${missing ? 'out/ is missing' : 'out/ is older than the sources'}: building the console (electron-vite build)…\n`);
  const bin = path.join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('error: the console build failed (see above)\n');
    process.exit(1);
  }
  return true;
}

/** Path of a runnable Electron binary, or a reason why there is none. Never triggers a download. */
function electronBinary() {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'no Electron binary is installed (node_modules/electron/path.txt missing)' };
  const bin = path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(bin)) return { reason: `the Electron binary ${bin} is missing` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  const v = spawnSync(bin, ['--version'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 15_000, encoding: 'utf8' });
  if (v.status !== 0) return { reason: `the Electron binary does not run here (${(v.stderr || v.error?.message || `exit ${v.status}`).trim().split('\n')[0]})` };
  return { bin };
}

const args = process.argv.slice(2);
const forceServer = args.includes('--server');
const rest = args.filter((a) => a !== '--server');
const consoleEntry = new URL('../out/node/console-entry.js', import.meta.url);

// V8's code cache on disk (Node's default directory, keyed by file content) for the console
// bundle: ~55 ms less CPU before the console forks the node (issue 17, first live height). Not
// inherited by the node process (src/node-core/node-entry.ts says why).
if (forceServer) nodeModule.enableCompileCache?.();
// With --server, the node process is forked (src/host/prewarm.ts) before the build check below,
// which walks the sources (~30 ms) on this core while the node loads on the other; when that
// check rebuilds, the node is stopped and forked again from the new bundle (issue 17).
let early;
if (forceServer && existsSync(fileURLToPath(consoleEntry))) {
  try {
    early = await import(consoleEntry.href);
    early.prewarmNode(root);
  } catch {
    early = undefined; // a partial out/: the build below replaces it
  }
}

const rebuilt = buildIfStale();

const electron = forceServer ? { reason: '--server given' } : electronBinary();
if (electron.bin) {
  const nodeFlags = rest.filter((a) => a !== '--no-open');
  const child = spawn(electron.bin, [root, ...(nodeFlags.length ? ['--', ...nodeFlags] : [])], { stdio: 'inherit', cwd: root });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  process.stderr.write(`Electron window not available: ${electron.reason}. Starting console server mode.\n`);
  // Built (buildIfStale above made out/ fresh): no TypeScript compiled at start (src/cli/console-entry.ts).
  nodeModule.enableCompileCache?.();
  if (!early || rebuilt) {
    // The bundle imported above (if any) was replaced: its node stops, and the new one is imported
    // under a new URL (an ES module is loaded once per URL).
    early?.cancelPrewarm();
    early = await import(`${consoleEntry.href}${early ? `?rebuilt=${Date.now()}` : ''}`);
    // The node process starts loading its bundle now, on the other core, while the console loads;
    // the supervisor's first start hands it its flags (src/host/prewarm.ts; issue 17).
    early.prewarmNode(root);
  }
  await early.startConsole([process.argv[0], 'start', ...rest]);
}
