#!/usr/bin/env node
// What an installer would ship, computed from electron-builder.yml without running
// electron-builder (which needs the Electron binary and the network): the app's own files
// (`files` patterns over the checkout), the production dependency tree (package-lock.json entries
// that are not dev-only and are installed here; electron-builder adds these itself) filtered by
// the same patterns, the platform's own `files` patterns (other OSes' prebuilds out), and which of
// them `asarUnpack` takes out of the asar. Matching uses minimatch with dotfiles, as
// electron-builder does. Used by test/unit/main/builder-config.test.ts (no src/, .ts or tests
// ship; every native module unpacked), test/unit/main/built-app.test.ts (runs the app from
// exactly these files) and `node scripts/package-files.mjs --report` (unpacked size per platform).
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Minimatch } from 'minimatch';
import YAML from 'yaml';

export const PLATFORMS = /** @type {const} */ (['linux', 'darwin', 'win32']);
const CONFIG_KEY = { linux: 'linux', darwin: 'mac', win32: 'win' };
const APP_SKIP = new Set(['node_modules', '.git', 'dist']);

/** electron-builder.yml, parsed. */
export function loadBuilderConfig(root) {
  return YAML.parse(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8'));
}

/** Files under `dir` (relative to `root`, `/`-separated), not descending into `node_modules` below `dir` or into `skip` names. */
function walk(root, dir, skip = new Set(['node_modules'])) {
  const out = [];
  const rec = (rel) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (!skip.has(e.name)) rec(r);
      } else if (e.isFile()) out.push(r);
    }
  };
  rec(dir);
  return out;
}

/** Installed production packages from package-lock.json: `{dir, name, os?, cpu?}` (`dir` like `node_modules/@scope/x`). */
export function productionPackages(root) {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const out = [];
  for (const [key, meta] of Object.entries(lock.packages)) {
    if (!key.startsWith('node_modules/') || meta.dev || meta.devOptional || meta.link) continue;
    if (!existsSync(path.join(root, key))) continue; // an optional package of another platform
    out.push({ dir: key, name: key.slice(key.lastIndexOf('node_modules/') + 13), os: meta.os, cpu: meta.cpu });
  }
  return out;
}

/** Production packages that carry native code: a `binding.gyp`, a `prebuilds/` folder or a `.node` file. */
export function nativeModules(root) {
  return productionPackages(root).filter(
    (p) => existsSync(path.join(root, p.dir, 'binding.gyp')) || existsSync(path.join(root, p.dir, 'prebuilds')) || walk(root, p.dir).some((f) => f.endsWith('.node')),
  );
}

const compiled = new Map();
/** True when `file` matches one of `patterns` (compiled once each). */
const matches = (file, patterns) =>
  patterns.some((p) => {
    let m = compiled.get(p);
    if (!m) compiled.set(p, (m = new Minimatch(p, { dot: true })));
    return m.match(file);
  });

/** `os` field check of an optional platform package (npm's semantics: a list, `!x` excludes). */
function fitsPlatform(pkg, platform) {
  if (!pkg.os) return true;
  const neg = pkg.os.filter((o) => o.startsWith('!')).map((o) => o.slice(1));
  const pos = pkg.os.filter((o) => !o.startsWith('!'));
  return !neg.includes(platform) && (pos.length === 0 || pos.includes(platform));
}

/**
 * The files an installer for `platform` would hold (relative paths, as inside the asar) and the
 * subset `asarUnpack` leaves outside it.
 */
export function packagedFiles(root, platform = process.platform, cfg = loadBuilderConfig(root)) {
  const patterns = [...(cfg.files ?? []), ...(cfg[CONFIG_KEY[platform]]?.files ?? [])];
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const files = walk(root, '', APP_SKIP).filter((f) => matches(f, include) && !matches(f, exclude));
  for (const pkg of productionPackages(root)) {
    if (!fitsPlatform(pkg, platform)) continue;
    for (const f of walk(root, pkg.dir)) if (!matches(f, exclude)) files.push(f);
  }
  files.sort();
  const unpacked = files.filter((f) => matches(f, cfg.asarUnpack ?? []));
  return { files, unpacked };
}

/** Bytes of a list of files under root. */
export function bytesOf(root, files) {
  let n = 0;
  for (const f of files) n += lstatSync(path.join(root, f)).size;
  return n;
}

/** The package (`node_modules/x` or `node_modules/@s/x`, outermost) or top folder a file belongs to. */
export function ownerOf(file) {
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  return m ? `node_modules/${m[1]}` : file.split('/')[0];
}

function report(root) {
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  const cfg = loadBuilderConfig(root);
  for (const platform of PLATFORMS) {
    const { files, unpacked } = packagedFiles(root, platform, cfg);
    const total = bytesOf(root, files);
    const by = new Map();
    for (const f of files) by.set(ownerOf(f), (by.get(ownerOf(f)) ?? 0) + lstatSync(path.join(root, f)).size);
    const top = [...by].sort((a, b) => b[1] - a[1]).slice(0, 8);
    process.stdout.write(`${platform}: ${files.length} files, ${mb(total)} (asar ${mb(total - bytesOf(root, unpacked))}, unpacked ${mb(bytesOf(root, unpacked))})\n`);
    for (const [k, v] of top) process.stdout.write(`  ${mb(v).padStart(9)}  ${k}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]) && process.argv.includes('--report')) {
  report(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
}
