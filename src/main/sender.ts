/**
 * IPC sender validation (cf. VS Code `src/vs/base/parts/ipc/electron-main/ipcMain.ts`): a message
 * is handled only when it comes from a frame of the app's own origin (`app://console`). A frame
 * that navigated elsewhere, an iframe of another origin, or a destroyed frame is refused.
 */
import { APP_HOST, APP_SCHEME } from './protocol.js';

/** The part of an IPC event this check reads. */
export interface SenderEvent {
  senderFrame?: { url: string } | null;
}

/** True when the message comes from a frame whose URL is on `app://console/`. */
export function isTrustedSender(e: SenderEvent): boolean {
  const url = e.senderFrame?.url;
  if (!url) return false;
  try {
    // Node's WHATWG URL gives "null" as the origin of non-special schemes, so compare the parts.
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
