/**
 * The Electronegativity gate (scripts/electronegativity.mjs, also `npm run test:security`): the
 * built main + preload pass with zero findings, and the gate does fail on an insecure build
 * (context isolation and sandbox off, no navigation limits).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, ROOT } from './built-output.js';

const SCRIPT = path.join(ROOT, 'scripts/electronegativity.mjs');
const run = (out: string) => spawnSync(process.execPath, [SCRIPT, out], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });

beforeAll(ensureBuilt, 300_000);

it('passes the built main and preload with zero findings', () => {
  const r = run(path.join(ROOT, 'out'));
  expect(r.stdout).toMatch(/: \d+ checks, 0 findings, /);
  expect(r.status).toBe(0);
}, 180_000);

it('fails an insecure build', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tb-eng-bad-'));
  try {
    for (const d of ['main', 'preload', 'renderer']) mkdirSync(path.join(dir, d));
    writeFileSync(
      path.join(dir, 'main/index.js'),
      "import { BrowserWindow } from 'electron';\nconst w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\nw.loadURL('http://example.com/');\n",
    );
    writeFileSync(path.join(dir, 'preload/index.cjs'), "require('electron');\n");
    writeFileSync(path.join(dir, 'renderer/index.html'), '<!doctype html><html><head></head><body></body></html>\n');
    // The node's bundle is not scanned because it never loads Electron: one that does is a finding.
    mkdirSync(path.join(dir, 'node/chunks'), { recursive: true });
    writeFileSync(path.join(dir, 'node/chunks/x.js'), 'import{app}from"electron";app.quit();\n');
    const r = run(dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FINDING CONTEXT_ISOLATION_JS_CHECK main\/index\.js:2/);
    expect(r.stdout).toMatch(/FINDING SANDBOX_JS_CHECK main\/index\.js:2/);
    expect(r.stdout).toMatch(/FINDING LIMIT_NAVIGATION_GLOBAL_CHECK/);
    expect(r.stdout).toMatch(/FINDING NODE_BUNDLE_LOADS_ELECTRON node\/chunks\/x\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
