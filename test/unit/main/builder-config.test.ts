/**
 * electron-builder.yml as an operator's installer would be built from it (electron-builder itself
 * cannot run here: it downloads Electron): app identity and targets; every native module of the
 * production dependency tree unpacked from the asar; the fuses; no rebuild of native modules; and
 * the file list (scripts/package-files.mjs, the same patterns) holds the built app and no `src/`,
 * no TypeScript, no tests, no dev tools (tsx, esbuild, electron, vite), no other OS's prebuilds.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { minimatch } from 'minimatch';
import { beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { loadBuilderConfig, nativeModules, packagedFiles, productionPackages } from '../../../scripts/package-files.mjs';
import { ensureBuilt, ROOT } from './built-output.js';

const cfg = loadBuilderConfig(ROOT);
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const natives: { dir: string; name: string }[] = nativeModules(ROOT);
const linuxFiles: string[] = packagedFiles(ROOT, 'linux', cfg).files;
/** True when every shipped file of the package in `dir` is matched by one of the asarUnpack `patterns`. */
const unpackedBy = (patterns: string[], dir: string) => {
  const own = linuxFiles.filter((f) => f.startsWith(`${dir}/`));
  return own.length > 0 && own.every((f) => patterns.some((p) => minimatch(f, p, { dot: true })));
};

describe('electron-builder.yml', () => {
  it('names the app and its targets, with icons and the resources outside the asar', () => {
    expect(cfg).toMatchObject({ appId: 'org.theblock.console', productName: 'The Block Console', asar: true, directories: { output: 'dist', buildResources: 'resources' } });
    expect(pkg.author?.name).toBeTruthy();
    expect(cfg.linux.maintainer).toMatch(/<[^>]+@[^>]+>/);
    expect(cfg.linux.target).toEqual(['AppImage', 'deb']);
    expect(cfg.mac.target).toEqual(['dmg']);
    expect(cfg.win.target).toEqual(['nsis']);
    for (const os of ['linux', 'mac', 'win']) expect(existsSync(path.join(ROOT, cfg[os].icon))).toBe(true);
    expect(cfg.extraResources).toEqual(
      expect.arrayContaining([expect.objectContaining({ from: 'resources/genesis', to: 'genesis' }), expect.objectContaining({ from: 'resources/networks', to: 'networks' })]),
    );
    expect(existsSync(path.join(ROOT, 'resources/genesis/dev.json'))).toBe(true);
  });

  it('unpacks every native module of the production tree from the asar, and rebuilds none', () => {
    const names = natives.map((n) => n.name);
    // The three the app needs at run time are found by the walk (binding.gyp / prebuilds / .node).
    expect(names).toEqual(expect.arrayContaining(['classic-level', 'sodium-native']));
    expect(names.some((n) => n.startsWith('@chainsafe/libp2p-quic-'))).toBe(true);
    const missing = natives.filter((n) => !unpackedBy(cfg.asarUnpack, n.dir)).map((n) => n.name);
    expect(missing).toEqual([]);
    // The check can fail: without the sodium-native pattern (and the catch-all *.node), sodium-native is reported.
    const without = cfg.asarUnpack.filter((p: string) => !p.includes('sodium-native') && p !== '**/*.node');
    expect(unpackedBy(without, 'node_modules/sodium-native')).toBe(false);
    expect(cfg.npmRebuild).toBe(false);
    expect(cfg.nodeGypRebuild).toBe(false);
    expect(cfg.buildDependenciesFromSource).toBe(false);
  });

  it('sets the fuses', () => {
    expect(cfg.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('uses a supported Electron major and one Node range', () => {
    const electron = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/electron/package.json'), 'utf8')).version as string;
    expect(Number(electron.split('.')[0])).toBeGreaterThanOrEqual(45);
    expect(pkg.devDependencies.electron).toMatch(/^\^45\./);
    expect(pkg.engines.node).toBeTruthy();
    // tsx is a development tool (the CLI in a source checkout), not part of what ships.
    expect(pkg.dependencies.tsx).toBeUndefined();
    expect(productionPackages(ROOT).some((p: { name: string }) => p.name === 'tsx' || p.name === 'esbuild')).toBe(false);
  });
});

describe('the packaged file list', () => {
  beforeAll(ensureBuilt, 300_000);

  for (const platform of ['linux', 'darwin', 'win32'] as const) {
    it(`for ${platform}: the built app, no src/, no TypeScript, no tests, no dev tools, no other OS's prebuilds`, () => {
      const { files, unpacked } = packagedFiles(ROOT, platform, cfg) as { files: string[]; unpacked: string[] };
      expect(files).toEqual(expect.arrayContaining(['package.json', 'out/main/index.js', 'out/main/snapshot-worker.js', 'out/main/verify-worker.js', 'out/preload/index.cjs', 'out/renderer/index.html']));
      expect(files).toEqual(expect.arrayContaining(['out/node/node-entry.js', 'out/node/snapshot-worker.js', 'out/node/verify-worker.js']));
      expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('e2e/') || f.startsWith('bench/') || f.startsWith('scripts/'))).toEqual([]);
      expect(files.filter((f) => /\.(ts|mts|cts|tsx)$/.test(f))).toEqual([]);
      expect(files.filter((f) => /(^|\/)(test|tests|__tests__)\//.test(f) || /\.(test|spec)\.[cm]?js$/.test(f))).toEqual([]);
      expect(files.filter((f) => /\.map$/.test(f))).toEqual([]);
      const dev = ['tsx', 'esbuild', 'electron', 'electron-vite', 'vite', 'vitest', 'typescript', '@doyensec/electronegativity', 'electron-builder'];
      expect(files.filter((f) => dev.some((d) => f.startsWith(`node_modules/${d}/`)))).toEqual([]);
      const others = { linux: /prebuilds\/(android|darwin|ios|win32)-/, darwin: /prebuilds\/(android|linux|ios|win32)-/, win32: /prebuilds\/(android|darwin|ios|linux)-/ }[platform];
      expect(files.filter((f) => others.test(f))).toEqual([]);
      // Its own prebuilds are there, and unpacked.
      const own = files.filter((f) => f.startsWith(`node_modules/classic-level/prebuilds/${platform}`));
      expect(own.length).toBeGreaterThan(0);
      expect(own.every((f) => unpacked.includes(f))).toBe(true);
      // The app's own code stays in the asar.
      expect(unpacked.filter((f) => f.startsWith('out/'))).toEqual([]);
    });
  }
});
