// `npm ci` refuses a lock that lacks an optional platform package some dependency declares
// (the registry mirror lacks e.g. darwin builds, so `npm install` leaves them out).
// `npm run lock:fix` adds them; this test catches a lock committed without it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('package-lock.json', () => {
  it('lists every optional dependency declared by a locked package', () => {
    const lock = JSON.parse(readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8'));
    const pkgs: Record<string, { optionalDependencies?: Record<string, string> }> = lock.packages;
    const missing: string[] = [];
    for (const [key, meta] of Object.entries(pkgs))
      for (const name of Object.keys(meta.optionalDependencies ?? {}))
        if (!pkgs[`${key ? key + '/' : ''}node_modules/${name}`] && !pkgs[`node_modules/${name}`]) missing.push(`${key} → ${name}`);
    expect(missing, 'run `npm run lock:fix` after npm install').toEqual([]);
  });
});
