/**
 * JSON-RPC over a process message channel (child_process fork IPC, Electron utilityProcess
 * `parentPort`): the same dispatcher as HTTP/WS, one subscription session per port.
 *
 * Wire format on the channel:
 * - a request (or batch) as a structured object/array: answered with the response as an object
 *   (bigints already turned into decimal strings, so fork's JSON serialisation works);
 * - or as JSON text (a string): answered with JSON text. A port whose first message is a string
 *   gets every later message (responses and notifications) as text too.
 * - subscription notifications: `{"jsonrpc":"2.0","method":"subscription","params":{…}}`.
 * Messages that are neither a string, an array, nor an object with `jsonrpc`/`method` are ignored,
 * so other protocols may share the channel. The channel is trusted (the parent spawned the node):
 * calls through it count as authorized.
 */
import type { Dispatcher } from './dispatcher.js';

export interface IpcPort {
  postMessage(m: unknown): void;
  /** Registers a listener; returns its removal function. */
  onMessage(cb: (m: unknown) => void): () => void;
}

const isRpcShaped = (m: unknown): boolean =>
  typeof m === 'string' ||
  Array.isArray(m) ||
  (m !== null && typeof m === 'object' && ('jsonrpc' in m || 'method' in m));

/**
 * Serves `dispatcher` on `port` until the returned function is called (which also frees the
 * port's subscriptions).
 */
export function serveIpc(dispatcher: Dispatcher, port: IpcPort): () => void {
  let textMode: boolean | undefined;
  let stopped = false;
  const conn = dispatcher.openSession(
    (text) => {
      if (stopped) return;
      try {
        port.postMessage(textMode ? text : JSON.parse(text));
      } catch {
        // The channel went away (parent exited): nothing can be delivered any more.
        stop();
      }
    },
    { transport: 'ipc', authorized: true },
  );
  const off = port.onMessage((m) => {
    if (stopped || !isRpcShaped(m)) return;
    textMode ??= typeof m === 'string';
    const done = typeof m === 'string' ? conn.handleText(m) : conn.handleValue(m);
    done.catch(() => stop());
  });
  function stop(): void {
    if (stopped) return;
    stopped = true;
    off();
    conn.close();
  }
  return stop;
}
