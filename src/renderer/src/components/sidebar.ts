/**
 * The sidebar's width: collapsed to icons below 1100 px wide (at 1024 px the 216 px sidebar left
 * the pages too narrow and cut their labels, #19), expanded above; the operator's toggle wins and
 * is remembered (localStorage `tb.sidebar`).
 */
import { useEffect, useState } from 'react';

export type SidebarPref = 'auto' | 'collapsed' | 'expanded';
const KEY = 'tb.sidebar';
export const NARROW_QUERY = '(max-width: 1100px)';

/** Collapsed or not, from the preference and the window width. */
export function isCollapsed(pref: SidebarPref, narrow: boolean): boolean {
  return pref === 'collapsed' || (pref === 'auto' && narrow);
}

function loadPref(): SidebarPref {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'collapsed' || v === 'expanded' ? v : 'auto';
  } catch {
    return 'auto';
  }
}

/** `[collapsed, toggle]` for the shell. */
export function useSidebar(): [boolean, () => void] {
  const [pref, setPref] = useState<SidebarPref>(loadPref);
  const [narrow, setNarrow] = useState(() => typeof matchMedia !== 'undefined' && matchMedia(NARROW_QUERY).matches);
  useEffect(() => {
    if (typeof matchMedia === 'undefined') return;
    const mq = matchMedia(NARROW_QUERY);
    const on = () => setNarrow(mq.matches);
    mq.addEventListener('change', on);
    return () => mq.removeEventListener('change', on);
  }, []);
  const collapsed = isCollapsed(pref, narrow);
  const toggle = () => {
    const next: SidebarPref = collapsed ? 'expanded' : 'collapsed';
    setPref(next);
    try {
      localStorage.setItem(KEY, next);
    } catch {
      /* private mode: not remembered */
    }
  };
  return [collapsed, toggle];
}
