/**
 * Picks the bridge: `window.tb` from the preload in the Electron window, else a WebSocket to the
 * console server that served this page (console server mode).
 */
import type { TbBridge } from '../../../preload/api';
import { tokenFromHash, WsBridge, type ConnectionState } from './ws-bridge';

export type { ConnectionState };

export interface Bridge {
  tb: TbBridge;
  mode: 'electron' | 'server';
  /** Connection to the host (always `open` in Electron). */
  connection(): ConnectionState;
  onConnection(cb: (s: ConnectionState) => void): () => void;
}

export function createBridge(): Bridge {
  if (window.tb) return { tb: window.tb, mode: 'electron', connection: () => 'open', onConnection: () => () => {} };
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const token = tokenFromHash(location.hash);
  const ws = new WsBridge(url, token);
  // A fresh console URL pasted into this tab changes only the fragment (no page load): start over
  // with the new token, or the tab kept showing "Access refused" until a manual reload (#19).
  // Page changes rewrite the hash with replaceState, which fires no hashchange.
  window.addEventListener('hashchange', () => {
    if (tokenFromHash(location.hash) !== token) location.reload();
  });
  return { tb: ws, mode: 'server', connection: () => ws.connection(), onConnection: (cb) => ws.onConnection(cb) };
}
