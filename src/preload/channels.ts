/**
 * IPC channel names between the preload and Electron main (cf. Daedalus `source/common/ipc/api.ts`:
 * one contract file). Every channel starts with `tb:`; main rejects any other.
 */
import type { AppMethodName } from '../shared/api/app';

export const IPC = {
  /** invoke(method, params) → {@link IpcEnvelope} */
  call: 'tb:call',
  /** send({id, topic}) — start a subscription; events come back on `event`. */
  subscribe: 'tb:subscribe',
  /** send(id) — end a subscription. */
  unsubscribe: 'tb:unsubscribe',
  /** main → renderer: (id, payload) */
  event: 'tb:event',
} as const;

/** The answer of `tb:call`: errors travel as data, since Electron keeps only an Error's message. */
export type IpcEnvelope = { ok: true; result: unknown } | { ok: false; error: { code: number; message: string; data?: unknown } };

/** `app.*` method names exposed as `window.tb.app.<short name>`. */
export const APP_SHORT_NAMES = ['info', 'restartNode', 'openDataDir', 'openLogs', 'pickFolder', 'restoreSnapshot', 'restoreStatus', 'networks', 'joinNetwork', 'unlockDataDir',
  'notifications', 'notificationsRead', 'settings', 'setSettings', 'portFree', 'moveDataDir', 'moveCheck', 'moveStatus', 'diagnostics', 'deadlinesIcs',
  'firstRun', 'preflight', 'completeFirstRun', 'practiceTestnet', 'startPracticeTestnet', 'stopPracticeTestnet', 'importNetwork', 'networkInvite'] as const;

// Compile-time check: the list names every `app.*` method of the contract, and nothing else.
type Short<N extends string> = N extends `app.${infer S}` ? S : never;
type Listed = (typeof APP_SHORT_NAMES)[number];
const _complete: [Exclude<Short<AppMethodName>, Listed> | Exclude<Listed, Short<AppMethodName>>] extends [never] ? true : never = true;
void _complete;
