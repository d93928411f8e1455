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
    const refreshDataDir = () => {
      for (const k of ['app.info', 'node.status', 'app.settings']) void qc.invalidateQueries({ queryKey: [k] });
    };
    const offs = [
      // A finished data-directory move: every page's data dir and status are stale. The move's
      // 'done' comes once the node on the new folder was started, before it is ready: refreshed at
      // once and again on the first supervisor update in the ready phase (the node posts its
      // endpoints, with the data dir app.info reports, before its ready phase: src/host/supervisor.ts).
      bridge.tb.subscribe('app.move', (p) => {
        if (p.step !== 'done') return;
        moved = true;
        refreshDataDir();
      }),
      bridge.tb.subscribe('app.supervisor', (st) => {
        if (!moved || st.node_phase?.phase !== 'ready') return;
        moved = false;
        refreshDataDir();
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
      offs.forEach((off) => off());
    };
  }, [on, qc]);
}
