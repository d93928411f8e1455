/**
 * Closing the window (desktop app): the node can keep running in the background, reachable
 * from the tray. The first close asks ("Keep running" / "Quit", with "Remember my choice"
 * ticked); the remembered answer is the `close_action` setting, changeable in Settings.
 */
import type { BrowserWindow, Dialog, MessageBoxOptions } from 'electron';
import type { ConsoleSettings } from '../shared/api/desktop.js';

export interface CloseDeps {
  dialog: Pick<Dialog, 'showMessageBox'>;
  settings: () => ConsoleSettings;
  saveCloseAction: (a: 'background' | 'quit') => Promise<void>;
  /** Hide to the background (window hidden, node running). */
  hide: () => void;
  /** Ordered stop of the node, then quit. */
  quit: () => void;
  /** Told once per session when the app first goes to the background. */
  notifyBackground: () => void;
}

export const CLOSE_DIALOG: MessageBoxOptions = {
  type: 'question',
  title: 'Keep the node running?',
  message: 'Keep the node running in the background?',
  detail:
    'The node keeps following the chain and the tray icon stays; open the console again from the tray. Quit stops the node.',
  buttons: ['Keep running in the background', 'Quit'],
  defaultId: 0,
  cancelId: 0,
  checkboxLabel: 'Remember my choice (change it in Settings)',
  checkboxChecked: true,
  noLink: true,
};

/** Handles a window `close` event. Always prevents the default close (the app decides). */
export function closeHandler(
  d: CloseDeps,
  win: () => BrowserWindow | undefined,
): (e: { preventDefault(): void }) => Promise<'background' | 'quit'> {
  let told = false;
  const background = () => {
    d.hide();
    if (!told) d.notifyBackground();
    told = true;
  };
  return async (e) => {
    e.preventDefault();
    let action = d.settings().close_action;
    if (action === 'ask') {
      const w = win();
      const r = w
        ? await d.dialog.showMessageBox(w, CLOSE_DIALOG)
        : await d.dialog.showMessageBox(CLOSE_DIALOG);
      action = r.response === 1 ? 'quit' : 'background';
      if (r.checkboxChecked) await d.saveCloseAction(action).catch(() => {});
    }
    if (action === 'quit') d.quit();
    else background();
    return action;
  };
}
