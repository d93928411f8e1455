// The IPC broker in main: forwards calls and subscriptions from the app's own frame to the node
// (a real child process speaking the node's IPC protocol); refuses messages from any other frame.
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));
const { installIpcBroker } = await import('../../../src/main/ipc-broker.js');
const { isTrustedSender } = await import('../../../src/main/sender.js');
const { Broker } = await import('../../../src/host/broker.js');
const { createAppHandlers } = await import('../../../src/host/app-handlers.js');
const { forkLauncher } = await import('../../../src/host/launcher.js');
const { Supervisor } = await import('../../../src/host/supervisor.js');

const FAKE = fileURLToPath(new URL('../host/fixtures/fake-node.mjs', import.meta.url));

class FakeIpcMain {
  handlers = new Map<string, (...a: any[]) => any>();
  ee = new EventEmitter();
  handle(ch: string, fn: (...a: any[]) => any) {
    this.handlers.set(ch, fn);
  }
  removeHandler(ch: string) {
    this.handlers.delete(ch);
  }
  on(ch: string, fn: (...a: any[]) => void) {
    this.ee.on(ch, fn);
    return this;
  }
  off(ch: string, fn: (...a: any[]) => void) {
    this.ee.off(ch, fn);
    return this;
  }
}
class FakeContents extends EventEmitter {
  sent: unknown[][] = [];
  destroyed = false;
  send(...a: unknown[]) {
    this.sent.push(a);
  }
  isDestroyed() {
    return this.destroyed;
  }
}

const APP = 'app://console/index.html';
let sup: InstanceType<typeof Supervisor>;
let ipc: FakeIpcMain;
let uninstall: () => void;

beforeAll(async () => {
  sup = new Supervisor({ launcher: forkLauncher(), spec: { entry: FAKE, args: [] }, probeIntervalMs: 50 });
  const broker = new Broker(sup, createAppHandlers({ mode: 'electron', supervisor: sup }));
  ipc = new FakeIpcMain();
  uninstall = installIpcBroker(ipc as any, broker);
  sup.start();
  await sup.call('node.status');
});
afterAll(async () => {
  uninstall();
  await sup.stop();
});

const invoke = (url: string | null, method: string, params?: unknown) =>
  ipc.handlers.get('tb:call')!({ senderFrame: url === null ? null : { url }, sender: new FakeContents() }, method, params);

describe('IPC broker', () => {
  it('trusts only frames on app://console', () => {
    expect(isTrustedSender({ senderFrame: { url: APP } })).toBe(true);
    expect(isTrustedSender({ senderFrame: { url: 'app://console/assets/x.js' } })).toBe(true);
    for (const url of ['https://evil.example/', 'app://evil/index.html', 'file:///index.html', 'app://user:pw@console/', 'about:blank', '', 'not a url'])
      expect(isTrustedSender({ senderFrame: { url } }), url).toBe(false);
    expect(isTrustedSender({ senderFrame: null })).toBe(false);
    expect(isTrustedSender({})).toBe(false);
  });

  it('forwards a call from the app frame to the node and answers app.* in main', async () => {
    const r = await invoke(APP, 'node.status');
    expect(r).toMatchObject({ ok: true, result: { chain_id: 7 } });
    const info = await invoke(APP, 'app.info', {});
    expect(info).toMatchObject({ ok: true, result: { mode: 'electron', supervisor: { state: 'running', launcher: 'fork' } } });
    expect(await invoke(APP, 'toString')).toMatchObject({ ok: false, error: { code: -32601 } });
    expect(await invoke(APP, 'app.openLogs', { lines: 'all' })).toMatchObject({ ok: false, error: { code: -32602 } });
  });

  it('rejects a call from a foreign frame without forwarding it', async () => {
    const spy = vi.spyOn(sup, 'call');
    for (const url of ['https://evil.example/', 'app://evil/', null]) {
      const r = await invoke(url, 'node.status');
      expect(r).toMatchObject({ ok: false, error: { code: -32000, data: { reason: 'unauthorized' } } });
    }
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('delivers subscription events to the app frame only, and frees them when the page goes', async () => {
    const wc = new FakeContents();
    const evil = new FakeContents();
    ipc.ee.emit('tb:subscribe', { senderFrame: { url: 'https://evil.example/' }, sender: evil }, { id: 1, topic: 'log.line' });
    ipc.ee.emit('tb:subscribe', { senderFrame: { url: APP }, sender: wc }, { id: 1, topic: 'log.line' });
    ipc.ee.emit('tb:subscribe', { senderFrame: { url: APP }, sender: wc }, { id: 2, topic: 'app.supervisor' });
    ipc.ee.emit('tb:subscribe', { senderFrame: { url: APP }, sender: wc }, { id: 3, topic: 'no.such.topic' });
    await vi.waitFor(() => expect(wc.sent.some(([, id]) => id === 1)).toBe(true));
    expect(wc.sent.find(([, id]) => id === 1)).toEqual(['tb:event', 1, expect.objectContaining({ msg: 'hello from fake node' })]);
    expect(wc.sent.find(([, id]) => id === 2)).toEqual(['tb:event', 2, expect.objectContaining({ state: 'running' })]);
    expect(evil.sent).toEqual([]);

    wc.emit('destroyed');
    wc.sent = [];
    await sup.restart();
    await sup.call('node.status');
    expect(wc.sent).toEqual([]);
  });
});
