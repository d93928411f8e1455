/**
 * OS notifications (desktop app): every notice the center decides to alert about (new, outside
 * its kind's throttle) is also shown by the system when Settings → Notifications → "Also show
 * system notifications" is on. Clicking one opens the console.
 */
import type { Notification as ElectronNotification, NotificationConstructorOptions } from 'electron';
import type { ConsoleSettings, Notification } from '../shared/api/desktop.js';

export interface OsNotifyDeps {
  Notification: { new (o: NotificationConstructorOptions): ElectronNotification; isSupported(): boolean };
  settings: () => ConsoleSettings;
  open: () => void;
}

/** @returns the listener to register with `center.on`. */
export function osNotifier(d: OsNotifyDeps): (n: Notification, alert: boolean) => void {
  return (n, alert) => {
    if (!alert || !d.settings().notifications.os || !d.Notification.isSupported()) return;
    const note = new d.Notification({
      title: n.title,
      body: n.body,
      silent: n.severity === 'info',
      urgency: n.severity === 'error' ? 'critical' : 'normal',
    });
    note.on('click', () => d.open());
    note.show();
  };
}
