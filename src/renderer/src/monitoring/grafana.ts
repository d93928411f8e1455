/**
 * The Grafana address the console links dashboards to (Settings → Monitoring), kept in
 * localStorage like the backup folder. Empty = no links shown.
 */
import { create } from 'zustand';
import { grafanaDashboardUrl } from '../../../shared/monitoring';

const KEY = 'tb.monitoring.grafanaUrl';

function load(): string {
  try {
    return localStorage.getItem(KEY) ?? '';
  } catch {
    return '';
  }
}

interface GrafanaState {
  url: string;
  /** Saves a URL (empty clears it). @returns false when it is not an http(s) URL (nothing saved). */
  setUrl(u: string): boolean;
}

export const useGrafana = create<GrafanaState>((set) => ({
  url: load(),
  setUrl: (u) => {
    const v = u.trim();
    if (v && !grafanaDashboardUrl(v, 'x')) return false;
    try {
      if (v) localStorage.setItem(KEY, v);
      else localStorage.removeItem(KEY);
    } catch {
      /* storage unavailable: keep it for this session only */
    }
    set({ url: v });
    return true;
  },
}));

/** The dashboard's Grafana URL, or undefined when no Grafana is configured. */
export function useDashboardUrl(uid: string | undefined): string | undefined {
  const base = useGrafana((s) => s.url);
  return uid && base ? grafanaDashboardUrl(base, uid) : undefined;
}
