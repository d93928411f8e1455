import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detachedNodeCommand } from '../../../src/host/launcher.js';
import { builtNodeEntry, nodeLaunch } from '../../../src/host/paths.js';

/** A fake package root: node sources at mtime `src`, out/ files at mtime `out` (seconds since the epoch). */
function fakeRoot(src: number, out: number | null): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'tb-launch-'));
  const put = (rel: string, t: number) => {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), '');
    utimesSync(path.join(root, rel), t, t);
  };
  for (const f of ['src/node-core/main.ts', 'src/shared/x.ts', 'electron.vite.config.ts', 'package.json']) put(f, src);
  // Directory mtimes count too (a file added or removed), as in `npm start`'s staleness check.
  for (const d of ['src/node-core', 'src/shared']) utimesSync(path.join(root, d), src, src);
  if (out !== null) for (const f of ['out/node/node-entry.js', 'out/node/snapshot-worker.js', 'out/node/verify-worker.js']) put(f, out);
  return root;
}

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

describe('console server mode node entry', () => {
  it('uses the built bundle, with the --tb-node marker and the checkout resources, when out/ is newer than the node sources', () => {
    const root = fakeRoot(1_000_000, 2_000_000);
    roots.push(root);
    expect(builtNodeEntry(root)).toBe(path.join(root, 'out/node/node-entry.js'));
    const l = nodeLaunch(root, {});
    expect(l).toMatchObject({ kind: 'built', leadArgs: ['--tb-node'], env: { TB_RESOURCES_DIR: path.join(root, 'resources') } });
  });

  it('falls back to main.ts through tsx when out/ is older, missing, or TB_NODE_FROM_SOURCE=1', () => {
    const stale = fakeRoot(2_000_000, 1_000_000);
    const none = fakeRoot(1_000_000, null);
    const fresh = fakeRoot(1_000_000, 2_000_000);
    roots.push(stale, none, fresh);
    expect(builtNodeEntry(stale)).toBeNull();
    expect(builtNodeEntry(none)).toBeNull();
    for (const [root, env] of [[stale, {}], [none, {}], [fresh, { TB_NODE_FROM_SOURCE: '1' }]] as const)
      expect(nodeLaunch(root, env)).toEqual({ entry: path.join(root, 'src/node-core/main.ts'), leadArgs: [], env: {}, kind: 'source' });
  });
});

describe('a detached node (practice testnet validator) runs what the console node runs', () => {
  it('the built bundle with the marker and the resources directory, not src/ through tsx', () => {
    const c = detachedNodeCommand({ entry: '/app/out/node/node-entry.js', leadArgs: ['--tb-node'], args: ['--network', 'dev'], env: { TB_RESOURCES_DIR: '/app/resources', HOME: '/h' } });
    expect(c.execPath).toBe(process.execPath);
    expect(c.argv.slice(-2)).toEqual(['/app/out/node/node-entry.js', '--tb-node']);
    expect(c.argv).not.toContain('tsx');
    expect(c.env).toEqual({ TB_RESOURCES_DIR: '/app/resources' });
  });

  it('the source entry through tsx, from the package root (where tsx resolves)', () => {
    const c = detachedNodeCommand({ entry: '/repo/src/node-core/main.ts', args: [] });
    expect(c.argv.slice(-3)).toEqual(['--import', 'tsx', '/repo/src/node-core/main.ts']);
    expect(c.cwd).toBe('/repo');
  });
});
