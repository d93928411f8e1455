// The preload exposes exactly window.tb.{call, subscribe, app} through contextBridge, over fixed tb: channels.
import { describe, expect, it, vi } from 'vitest';
import { APP_METHODS } from '../../../src/shared/api/app.js';

const exposed: Record<string, any> = {};
const listeners = new Map<string, (...a: any[]) => void>();
const ipcRenderer = {
  invoke: vi.fn(async (_ch: string, method: string) =>
    method === 'app.info' ? { ok: true, result: { mode: 'electron' } } : { ok: false, error: { code: -32000, message: 'nope', data: { reason: 'not_ready' } } },
  ),
  send: vi.fn(),
  on: vi.fn((ch: string, fn: (...a: any[]) => void) => listeners.set(ch, fn)),
};
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: vi.fn((key: string, api: unknown) => (exposed[key] = api)) },
  ipcRenderer,
}));

const electron = await import('electron');
await import('../../../src/preload/index.js');

describe('preload', () => {
  it('exposes exactly call, subscribe and app on window.tb, and nothing else', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect(Object.keys(exposed)).toEqual(['tb']);
    expect(Object.keys(exposed.tb).sort()).toEqual(['app', 'call', 'subscribe']);
    expect(typeof exposed.tb.call).toBe('function');
    expect(typeof exposed.tb.subscribe).toBe('function');
    const short = APP_METHODS.map((m) => m.name.replace(/^app\./, '')).sort();
    expect(Object.keys(exposed.tb.app).sort()).toEqual(short);
    // ipcRenderer itself never crosses the bridge.
    expect(JSON.stringify(Object.keys(exposed.tb))).not.toContain('ipcRenderer');
  });

  it('call invokes tb:call and rejects with the JSON-RPC error object', async () => {
    await expect(exposed.tb.app.info()).resolves.toEqual({ mode: 'electron' });
    expect(ipcRenderer.invoke).toHaveBeenCalledWith('tb:call', 'app.info', {});
    await expect(exposed.tb.call('chain.tip')).rejects.toEqual({ code: -32000, message: 'nope', data: { reason: 'not_ready' } });
    expect(ipcRenderer.invoke).toHaveBeenLastCalledWith('tb:call', 'chain.tip', undefined);
  });

  it('subscribe sends tb:subscribe, delivers tb:event by id, and unsubscribes', () => {
    const got: unknown[] = [];
    const off = exposed.tb.subscribe('newHeads', (p: unknown) => got.push(p));
    const [ch, msg] = ipcRenderer.send.mock.calls.at(-1)!;
    expect(ch).toBe('tb:subscribe');
    expect(msg).toMatchObject({ topic: 'newHeads' });
    const deliver = listeners.get('tb:event')!;
    deliver({}, msg.id, { height: 7 });
    deliver({}, msg.id + 1000, { height: 8 }); // someone else's id
    expect(got).toEqual([{ height: 7 }]);
    off();
    expect(ipcRenderer.send).toHaveBeenLastCalledWith('tb:unsubscribe', msg.id);
    deliver({}, msg.id, { height: 9 });
    expect(got).toHaveLength(1);
    expect(() => exposed.tb.subscribe('newHeads', 'not a function')).toThrow(TypeError);
  });
});
