#!/usr/bin/env node
// Node `^22.13.0 || >=24` for this project (package.json `engines.node`), on a machine whose own
// Node is older. The runtime dependencies (libp2p-quic 2, canonicalize 5, p-retry 8) declare Node
// ≥ 22, electron 45 and @electron/* ≥ 22.12, and the toolchain (vitest 4: ^22 || >=24; vite's
// rolldown, eslint-visitor-keys: ^22.13 || >=23.5 / >=24) narrows that to the range above
// (test/unit/main/node-range.test.ts checks it against package-lock.json). Electron 45 itself
// embeds Node 22. Where the machine's Node is outside the range,
// this fetches the npm package `node` (pinned below; its preinstall step fetches the matching
// `node-<platform>-<arch>` package, a plain Node binary, from the same npm registry — nothing from
// nodejs.org) into `<checkout>/.tools/node22/` once, written to a temp folder and renamed into place.
//
//   node scripts/node22.mjs --bin-dir        prints the folder holding a Node binary in the range
//                                            (`export PATH="$(node scripts/node22.mjs --bin-dir):$PATH"`)
//   node scripts/node22.mjs <cmd> [args…]    runs <cmd> with that folder first on PATH (`npm ci`, …)
//
// Runs on any Node ≥ 18 (plain ESM, no dependencies). TB_NODE22_DIR overrides the install folder.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The npm package (and exact version) that provides the Node binary when the machine's is older. */
export const NODE_PACKAGE = 'node';
export const NODE_VERSION = '22.23.3';
/** Node versions this project runs on: the same as package.json `engines.node`. */
export const NODE_RANGE = '^22.13.0 || >=24';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const isWin = process.platform === 'win32';

/**
 * True when a `vX.Y.Z` / `X.Y.Z` version string is in NODE_RANGE (`^22.13.0 || >=24`; written out
 * by hand: this runs before `npm ci`, so without `semver`).
 */
export function satisfies(version) {
  const [major, minor] = String(version).replace(/^v/, '').split('.').map((n) => Number.parseInt(n, 10));
  return (major === 22 && minor >= 13) || major >= 24;
}

/** Version printed by the Node binary at `bin`, or null when it does not run. */
function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Folder of the fetched Node: `<prefix>/node_modules/node/bin` (holds `node`, or `node.exe`). */
function binDirOf(prefix) {
  return path.join(prefix, 'node_modules', NODE_PACKAGE, 'bin');
}

/**
 * Folder holding a Node binary in NODE_RANGE: the running Node's own folder when it is in range,
 * else `.tools/node22/…` (fetched through npm on first use). Throws when the fetch fails.
 */
export function ensureNode22() {
  if (satisfies(process.versions.node)) return path.dirname(process.execPath);
  const prefix = process.env.TB_NODE22_DIR || path.join(root, '.tools', 'node22');
  const exe = path.join(binDirOf(prefix), isWin ? 'node.exe' : 'node');
  const have = existsSync(exe) ? versionOf(exe) : null;
  if (have && satisfies(have) && have.replace(/^v/, '') === NODE_VERSION) return binDirOf(prefix);

  process.stderr.write(`Node ${process.versions.node} is not in ${NODE_RANGE}: fetching the npm package ${NODE_PACKAGE}@${NODE_VERSION} into ${prefix}…\n`);
  const tmp = `${prefix}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  writeFileSync(path.join(tmp, 'package.json'), `${JSON.stringify({ private: true, dependencies: { [NODE_PACKAGE]: NODE_VERSION }, allowScripts: { [NODE_PACKAGE]: true } }, null, 2)}\n`);
  // --foreground-scripts: the package's preinstall (which fetches the platform binary) prints its
  // progress; its scripts must run, so --ignore-scripts is never passed here.
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--foreground-scripts', '--loglevel=error'], {
    cwd: tmp,
    stdio: ['ignore', 2, 2], // npm's output to stderr: stdout carries only the folder (--bin-dir)
    shell: isWin,
    env: { ...process.env, npm_config_global: 'false', npm_config_ignore_scripts: 'false' },
  });
  const fetched = path.join(binDirOf(tmp), isWin ? 'node.exe' : 'node');
  const got = r.status === 0 && existsSync(fetched) ? versionOf(fetched) : null;
  if (!got || !satisfies(got)) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`could not fetch ${NODE_PACKAGE}@${NODE_VERSION} through npm (npm exit ${r.status}${got ? `, it runs ${got}` : ''})`);
  }
  rmSync(prefix, { recursive: true, force: true });
  renameSync(tmp, prefix);
  process.stderr.write(`Node ${got} ready in ${binDirOf(prefix)}\n`);
  return binDirOf(prefix);
}

/** `process.env` with `dir` first on PATH (the variable's own spelling kept on Windows). */
export function envWith(dir, env = process.env) {
  const key = Object.keys(env).find((k) => k.toUpperCase() === 'PATH') ?? 'PATH';
  return { ...env, [key]: [dir, env[key]].filter(Boolean).join(path.delimiter) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let dir;
  try {
    dir = ensureNode22();
  } catch (e) {
    process.stderr.write(`error: ${e.message}\n`);
    process.exit(1);
  }
  if (args.length === 0 || args[0] === '--bin-dir') {
    process.stdout.write(`${dir}\n`);
  } else {
    const r = spawnSync(args[0], args.slice(1), { stdio: 'inherit', env: envWith(dir), shell: isWin });
    if (r.error) {
      process.stderr.write(`error: ${args[0]}: ${r.error.message}\n`);
      process.exit(1);
    }
    process.exit(r.status ?? 1);
  }
}
