// Window security baseline under Node with `electron` mocked: webPreferences, app:// instead of
// file://, navigation and new windows denied (http(s) → system browser), permissions denied.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { consoleWebPreferences, createConsoleWindow, denyAllPermissions, hardenWebContents, isExternalLink } = await import('../../../src/main/window.js');
const { APP_URL } = await import('../../../src/main/protocol.js');

class FakeContents extends EventEmitter {
  openHandler?: (d: { url: string }) => { action: string };
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}

function navigate(wc: FakeContents, event: string, url: string): boolean {
  const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
  wc.emit(event, e, url);
  return e.defaultPrevented;
}

describe('console window', () => {
  it('uses isolated, sandboxed webPreferences without Node', () => {
    const p = consoleWebPreferences('/app/out/preload/index.cjs');
    expect(p).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('creates the window on app://, never file://', () => {
    const created: { opts: any; url?: string; contents: FakeContents }[] = [];
    class BrowserWindow extends EventEmitter {
      webContents = new FakeContents();
      constructor(opts: any) {
        super();
        created.push({ opts, contents: this.webContents });
      }
      loadURL(url: string) {
        created[0].url = url;
        return Promise.resolve();
      }
      show() {}
    }
    const shell = { openExternal: vi.fn(async () => {}) };
    createConsoleWindow({ BrowserWindow: BrowserWindow as any, shell }, '/p/index.cjs');
    expect(created).toHaveLength(1);
    expect(created[0].url).toBe(APP_URL);
    expect(created[0].url).toMatch(/^app:\/\/console\//);
    expect(created[0].opts.webPreferences).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, preload: '/p/index.cjs' });
    expect(created[0].opts).toMatchObject({ width: 1280, height: 800 });
  });

  it('denies navigation, redirects, webviews and new windows; only http(s) opens externally', () => {
    const wc = new FakeContents();
    const shell = { openExternal: vi.fn(async () => {}) };
    hardenWebContents(wc as any, shell);
    expect(navigate(wc, 'will-navigate', 'https://evil.example/')).toBe(true);
    expect(navigate(wc, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate(wc, 'will-redirect', 'https://evil.example/')).toBe(true);
    expect(navigate(wc, 'will-attach-webview', 'https://x/')).toBe(true);

    expect(wc.openHandler!({ url: 'https://example.org/docs' })).toEqual({ action: 'deny' });
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.org/docs');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://console/index.html', 'smb://host/share', 'not a url']) {
      expect(wc.openHandler!({ url })).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(isExternalLink('http://example.org')).toBe(true);
    expect(isExternalLink('ftp://example.org')).toBe(false);
  });

  it('denies every permission request and check', () => {
    let request: any;
    let check: any;
    denyAllPermissions({ setPermissionRequestHandler: (h: any) => (request = h), setPermissionCheckHandler: (h: any) => (check = h) } as any);
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) {
      const cb = vi.fn();
      request({}, perm, cb, {});
      expect(cb).toHaveBeenCalledWith(false);
      expect(check({}, perm, 'app://console', {})).toBe(false);
    }
  });
});
