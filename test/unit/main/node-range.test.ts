/**
 * One Node range for the CLI, the tests and CI (issue 11): package.json `engines.node` is the range
 * that every package in package-lock.json accepts (so `npm ci` prints no EBADENGINE on it), the
 * helper that fetches a Node in range on older machines (scripts/node22.mjs, used by `.ci/run` and
 * `npm run setup`) agrees with it, and this test itself runs on a Node in range — the proof that CI
 * does (`.ci/run` puts that Node first on PATH).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations (it runs before `npm ci`)
import { NODE_RANGE, NODE_VERSION, satisfies } from '../../../scripts/node22.mjs';
import { ROOT } from './built-output.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8'));

describe('the Node range', () => {
  it('is stated once: package.json, its lock entry and scripts/node22.mjs agree', () => {
    expect(pkg.engines.node).toBe(NODE_RANGE);
    expect(lock.packages[''].engines.node).toBe(NODE_RANGE);
    expect(semver.validRange(NODE_RANGE)).not.toBeNull();
  });

  it('is accepted by every package in the lockfile (no EBADENGINE from npm ci)', () => {
    const refusing: string[] = [];
    let checked = 0;
    for (const [where, entry] of Object.entries<{ engines?: { node?: string } | string[] }>(lock.packages)) {
      const want = !Array.isArray(entry.engines) ? entry.engines?.node : undefined;
      if (!where || !want) continue;
      checked++;
      if (!semver.subset(NODE_RANGE, want)) refusing.push(`${where.replace(/^.*node_modules\//, '')} wants ${want}`);
    }
    expect(checked).toBeGreaterThan(50);
    expect(refusing).toEqual([]);
  });

  it('scripts/node22.mjs decides membership as semver does, and fetches a Node in range', () => {
    for (const v of ['20.19.0', '20.20.2', '22.0.0', '22.12.0', '22.13.0', '22.23.3', '23.5.0', '23.11.1', '24.0.0', '26.1.0', 'v22.13.1']) {
      expect(satisfies(v), v).toBe(semver.satisfies(v.replace(/^v/, ''), NODE_RANGE));
    }
    expect(semver.satisfies(NODE_VERSION, NODE_RANGE)).toBe(true);
  });

  it('is the range this test runs on (CI runs Node in range: .ci/run, or `export PATH="$(node scripts/node22.mjs --bin-dir):$PATH"`)', () => {
    expect(semver.satisfies(process.versions.node, NODE_RANGE), `Node ${process.versions.node}`).toBe(true);
  });
});
