// The app:// protocol: strict CSP header on every response, files only from the renderer dir.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));
const { APP_SCHEME, handleAppRequest, registerAppScheme } = await import('../../../src/main/protocol.js');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tb-proto-'));
  await mkdir(path.join(dir, 'renderer', 'assets'), { recursive: true });
  await writeFile(path.join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  await writeFile(path.join(dir, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'secret.txt'), 'top secret');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => handleAppRequest(path.join(dir, 'renderer'), { url, method });

describe('app:// protocol', () => {
  it('registers app:// as a standard secure scheme', () => {
    const reg = vi.fn();
    registerAppScheme({ registerSchemesAsPrivileged: reg });
    expect(reg).toHaveBeenCalledWith([{ scheme: APP_SCHEME, privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves the renderer with a strict CSP header', async () => {
    const r = await get('app://console/index.html');
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<title>x</title>');
    const csp = r.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    expect(directives['default-src']).toEqual(["'self'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(directives['object-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await get('app://console/assets/app.js')).headers.get('content-type')).toMatch(/javascript/);
    expect((await get('app://console/')).status).toBe(200);
  });

  it('refuses paths outside the renderer, other hosts and methods', async () => {
    for (const url of ['app://console/../secret.txt', 'app://console/%2e%2e/secret.txt', 'app://console/..%2fsecret.txt', 'app://other/index.html', 'app://console/missing.js', 'app://console/index.html%00.js']) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
    }
    expect((await get('app://console/index.html', 'POST')).status).toBe(404);
  });
});
