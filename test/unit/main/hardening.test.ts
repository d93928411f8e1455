// Production hardening (src/main/hardening.ts) with `electron` mocked: debugging switches refused
// in the packaged app only, the production menu, the DevTools/reload shortcuts, DevTools closed
// if opened. The built app is checked the same way in built-app.test.ts.
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { guardDevTools, hardenProductionApp, isDebugShortcut, productionMenuTemplate, refusedSwitch } from '../../../src/main/hardening.js';
import { consoleWebPreferences } from '../../../src/main/window.js';

const key = (k: string, mods: Partial<Record<'control' | 'meta' | 'shift' | 'alt', boolean>> = {}) => ({ type: 'keyDown' as const, key: k, control: false, meta: false, shift: false, alt: false, ...mods });

describe('production hardening', () => {
  it.each([
    [['--remote-debugging-port=9222'], 'remote-debugging-port'],
    [['--remote-debugging-pipe'], 'remote-debugging-pipe'],
    [['--inspect=9229'], 'inspect'],
    [['--inspect-brk'], 'inspect-brk'],
    [['--js-flags=--allow-natives-syntax'], 'js-flags'],
    [['--', '--data-dir', '/srv/tb'], undefined],
    [['--remote-debugging'], undefined],
  ])('refusedSwitch(%j) = %s', (argv, expected) => {
    expect(refusedSwitch(() => false, argv)).toBe(expected);
  });

  it('asks Chromium for switches too', () => {
    expect(refusedSwitch((s) => s === 'remote-debugging-port', [])).toBe('remote-debugging-port');
  });

  it('refuses debugging switches in the packaged app only, and sets the production menu', () => {
    const mk = (isPackaged: boolean) => ({
      app: { isPackaged, commandLine: { hasSwitch: () => false } as any, exit: vi.fn() },
      Menu: { setApplicationMenu: vi.fn(), buildFromTemplate: vi.fn((t) => ({ t }) as any) },
    });
    const err: string[] = [];
    const packaged = mk(true);
    expect(hardenProductionApp(packaged, { argv: ['app', '--remote-debugging-port=9222'], stderr: (l) => err.push(l) })).toBe(false);
    expect(packaged.app.exit).toHaveBeenCalledWith(1);
    expect(err.join('')).toMatch(/--remote-debugging-port is refused/);
    expect(packaged.Menu.setApplicationMenu).not.toHaveBeenCalled();

    const dev = mk(false);
    expect(hardenProductionApp(dev, { argv: ['app', '--remote-debugging-port=9222'] })).toBe(true);
    expect(dev.app.exit).not.toHaveBeenCalled();
    expect(dev.Menu.setApplicationMenu).not.toHaveBeenCalled();

    const linux = mk(true);
    expect(hardenProductionApp(linux, { argv: ['app'], platform: 'linux' })).toBe(true);
    expect(linux.Menu.setApplicationMenu).toHaveBeenCalledWith(null);
    const mac = mk(true);
    hardenProductionApp(mac, { argv: ['app'], platform: 'darwin' });
    expect(mac.Menu.buildFromTemplate).toHaveBeenCalledWith(productionMenuTemplate('darwin'));
  });

  it('keeps no DevTools or reload item in the macOS menu', () => {
    const roles = JSON.stringify(productionMenuTemplate('darwin'));
    expect(roles).not.toMatch(/toggleDevTools|reload|forceReload|viewMenu/);
    expect(productionMenuTemplate('win32')).toBeNull();
  });

  it.each([
    [key('F12'), true],
    [key('I', { control: true, shift: true }), true],
    [key('j', { meta: true, alt: true }), true],
    [key('C', { control: true, shift: true }), true],
    [key('r', { control: true }), true],
    [key('R', { meta: true, shift: true }), true],
    [key('F5'), true],
    [key('c', { control: true }), false],
    [key('i'), false],
    [{ ...key('F12'), type: 'keyUp' as const }, false],
  ])('isDebugShortcut(%j) = %s', (input, expected) => {
    expect(isDebugShortcut(input)).toBe(expected);
  });

  it('swallows the shortcuts and closes DevTools if they open anyway', () => {
    const wc = Object.assign(new EventEmitter(), { closeDevTools: vi.fn() });
    guardDevTools(wc as any);
    const e = { preventDefault: vi.fn() };
    wc.emit('before-input-event', e, key('F12'));
    expect(e.preventDefault).toHaveBeenCalled();
    const e2 = { preventDefault: vi.fn() };
    wc.emit('before-input-event', e2, key('a'));
    expect(e2.preventDefault).not.toHaveBeenCalled();
    wc.emit('devtools-opened');
    expect(wc.closeDevTools).toHaveBeenCalled();
  });

  it('turns DevTools off in the production window only', () => {
    expect(consoleWebPreferences('/p.cjs', true).devTools).toBe(false);
    expect(consoleWebPreferences('/p.cjs').devTools).toBe(true);
  });
});
