/**
 * Mount once at the app root: loads the notification center and follows `app.notification`;
 * refreshes the data directory after a move; applies the theme from the settings (and `app.settings` changes) to `<html data-theme>`.
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
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
  const qc = useQueryClient();
  useEffect(() => {
    if (!on) return;
    let live = true;
    let moved = false;
    let settle: ReturnType<typeof setTimeout> | undefined;
    const refreshDataDir = () => {
      for (const k of ['app.info', 'node.status', 'app.settings']) void qc.invalidateQueries({ queryKey: [k] });
    };
    const offs = [
      // A finished data-directory move: every page's data dir and status are stale — refreshed
      // at once and on every supervisor update in the ready phase for 5 s after the first one (the
      // new node's 'ready' can reach the page before or after the move's 'done', and the node's
      // `ready` message — which carries the new data dir that app.info reports — comes in its own
      // supervisor update just after the ready phase's).
      bridge.tb.subscribe('app.move', (p) => {
        if (p.step !== 'done') return;
        moved = true;
        refreshDataDir();
      }),
      bridge.tb.subscribe('app.supervisor', (st) => {
        if (!moved || st.node_phase?.phase !== 'ready') return;
        refreshDataDir();
        settle ??= setTimeout(() => {
          moved = false;
          settle = undefined;
        }, 5_000);
      }),
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
      clearTimeout(settle);
      offs.forEach((off) => off());
    };
  }, [on, qc]);
}
