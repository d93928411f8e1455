/**
 * Event-driven refresh of a page's queries: each topic event invalidates them at once, and new
 * heads at most once a second (never a timer). One hook for every module page (treasury, ad
 * market, names, …).
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { TopicName } from '../../../shared/api/events';
import { bridge } from './client';

const NO_TOPICS: readonly TopicName[] = [];

/** Mount once at the app root (a page registry `live` hook). `keys`, `topics`: module-level constants (effect deps). */
export function useRefreshOn(keys: readonly string[], topics: readonly TopicName[] = NO_TOPICS): void {
  const qc = useQueryClient();
  useEffect(() => {
    let last = 0;
    const refresh = () => {
      for (const k of keys) void qc.invalidateQueries({ queryKey: [k] });
    };
    const offs = [
      ...topics.map((t) => bridge.tb.subscribe(t, refresh)),
      bridge.tb.subscribe('newHeads', () => {
        const now = Date.now();
        if (now - last < 1000) return;
        last = now;
        refresh();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc, keys, topics]);
}
