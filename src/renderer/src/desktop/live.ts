/**
 * Mount once at the app root: loads the notification center and follows `app.notification`;
 * applies the theme from the settings (and `app.settings` changes) to `<html data-theme>`.
 */
import { useEffect } from 'react';
import { bridge, call } from '../api/client';
import { useLive } from '../store/live';
import { useNotifications } from './store';

const THEME_KEY = 'tb.theme';

/** Applies a theme choice: `system` follows the OS (prefers-color-scheme); light/dark force it. */
export function applyTheme(theme: 'system' | 'light' | 'dark'): void {
  if (theme === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    /* storage unavailable */
  }
}

// Before the first answer: the last theme this browser saw (no flash of the wrong theme).
try {
  const t = localStorage.getItem(THEME_KEY);
  if (t === 'light' || t === 'dark') document.documentElement.dataset.theme = t;
} catch {
  /* storage unavailable */
}

export function useDesktopLive(): void {
  const on = useLive((s) => s.connection) === 'open';
  useEffect(() => {
    if (!on) return;
    let live = true;
    const offs = [
      // (After a data-directory move, a network switch or a restart, the data dir and endpoints are
      // refetched by api/live.ts when the new node reaches `ready`, like everything else.)
      bridge.tb.subscribe('app.notification', (n) => useNotifications.getState().upsert(n)),
      bridge.tb.subscribe('app.settings', (v) => applyTheme(v.settings.theme)),
    ];
    void call('app.notifications', {}).then(
      (r) => live && useNotifications.getState().setAll(r.items),
      () => {},
    );
    void call('app.settings', {}).then(
      (v) => live && applyTheme(v.settings.theme),
      () => {},
    );
    return () => {
      live = false;
      offs.forEach((off) => off());
    };
  }, [on]);
}
