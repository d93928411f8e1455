/**
 * The preload (sandboxed, bundled as one CommonJS file): exposes exactly `window.tb.call`,
 * `window.tb.subscribe` and `window.tb.app` through `contextBridge` — three typed functions over
 * fixed `tb:` channels, never `ipcRenderer` itself (cf. VS Code's minimal sandbox preload).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { AppBridge, BridgeTopic, TbBridge } from './api';
import { APP_SHORT_NAMES, IPC, type IpcEnvelope } from './channels';

const listeners = new Map<number, (payload: unknown) => void>();
let nextId = 1;

ipcRenderer.on(IPC.event, (_e, id: unknown, payload: unknown) => {
  if (typeof id === 'number') listeners.get(id)?.(payload);
});

async function call(method: string, params?: unknown): Promise<unknown> {
  const r = (await ipcRenderer.invoke(IPC.call, method, params)) as IpcEnvelope;
  // A plain object crosses the bridge with its fields (an Error would keep only its message).
  if (!r.ok) return Promise.reject({ code: r.error.code, message: r.error.message, data: r.error.data });
  return r.result;
}

function subscribe(topic: BridgeTopic, cb: (payload: unknown) => void): () => void {
  if (typeof cb !== 'function') throw new TypeError('subscribe(topic, callback): callback must be a function');
  const id = nextId++;
  listeners.set(id, cb);
  ipcRenderer.send(IPC.subscribe, { id, topic: String(topic) });
  return () => {
    if (listeners.delete(id)) ipcRenderer.send(IPC.unsubscribe, id);
  };
}

const app = Object.fromEntries(APP_SHORT_NAMES.map((n) => [n, (params?: unknown) => call(`app.${n}`, params ?? {})])) as AppBridge;

const tb = { call, subscribe, app } as TbBridge;
contextBridge.exposeInMainWorld('tb', tb);
