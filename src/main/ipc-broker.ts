/**
 * The IPC broker in Electron main: takes `window.tb` traffic from the preload and hands it to the
 * host {@link Broker} (node calls → supervisor → node process; `app.*` → handlers here).
 * Every message is first checked for its sender frame ({@link isTrustedSender}); a refused
 * message gets an `unauthorized` error (calls) or is dropped (subscriptions). Subscriptions are
 * tracked per WebContents and freed when it is destroyed or navigates.
 */
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import { ErrorCode, Reason, RpcError } from '../shared/api/errors.js';
import type { AnyTopic, Broker } from '../host/broker.js';
import { IPC, type IpcEnvelope } from '../preload/channels.js';
import { isTrustedSender } from './sender.js';

const MAX_SUBSCRIPTIONS_PER_WINDOW = 64;

function envelopeOf(e: unknown): IpcEnvelope {
  // Internal exception text never reaches the renderer.
  const err = e instanceof RpcError ? e.toJSON() : { code: ErrorCode.Internal, message: 'internal error' };
  return { ok: false, error: err };
}

/** Installs the handlers; returns a function that removes them and frees every subscription. */
export function installIpcBroker(ipcMain: Pick<IpcMain, 'handle' | 'on' | 'removeHandler' | 'off'>, broker: Broker): () => void {
  const perContents = new Map<WebContents, Map<number, () => void>>();

  const subsOf = (wc: WebContents): Map<number, () => void> => {
    let m = perContents.get(wc);
    if (!m) {
      const fresh = new Map<number, () => void>();
      m = fresh;
      perContents.set(wc, fresh);
      const free = () => {
        for (const off of fresh.values()) off();
        fresh.clear();
        perContents.delete(wc);
      };
      wc.once('destroyed', free);
      // A reload or navigation starts a new page: the old page's listeners are gone.
      wc.on('did-start-navigation', (details: { isMainFrame?: boolean; isSameDocument?: boolean }) => {
        if (details?.isMainFrame && !details.isSameDocument) free();
      });
    }
    return m;
  };

  const onCall = async (e: IpcMainInvokeEvent, method: unknown, params: unknown): Promise<IpcEnvelope> => {
    if (!isTrustedSender(e)) return envelopeOf(RpcError.app(Reason.unauthorized, 'IPC message from a foreign frame refused'));
    try {
      return { ok: true, result: await broker.call(method, params) };
    } catch (err) {
      return envelopeOf(err);
    }
  };

  const onSubscribe = (e: IpcMainEvent, msg: unknown) => {
    if (!isTrustedSender(e)) return;
    const { id, topic } = (msg ?? {}) as { id?: unknown; topic?: unknown };
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || typeof topic !== 'string') return;
    const subs = subsOf(e.sender);
    if (subs.has(id) || subs.size >= MAX_SUBSCRIPTIONS_PER_WINDOW) return;
    const wc = e.sender;
    try {
      subs.set(
        id,
        broker.subscribe(topic as AnyTopic, (payload) => {
          if (!wc.isDestroyed()) wc.send(IPC.event, id, payload);
        }),
      );
    } catch {
      // unknown topic: nothing to deliver
    }
  };

  const onUnsubscribe = (e: IpcMainEvent, id: unknown) => {
    if (!isTrustedSender(e) || typeof id !== 'number') return;
    const subs = perContents.get(e.sender);
    subs?.get(id)?.();
    subs?.delete(id);
  };

  ipcMain.handle(IPC.call, onCall);
  ipcMain.on(IPC.subscribe, onSubscribe);
  ipcMain.on(IPC.unsubscribe, onUnsubscribe);
  return () => {
    ipcMain.removeHandler(IPC.call);
    ipcMain.off(IPC.subscribe, onSubscribe);
    ipcMain.off(IPC.unsubscribe, onUnsubscribe);
    for (const subs of perContents.values()) for (const off of subs.values()) off();
    perContents.clear();
  };
}
