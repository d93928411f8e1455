/**
 * Event-driven refresh of a page's queries: each topic event invalidates them at once, and new
 * heads at most once a second (a head inside that second refreshes when it is up; no polling
 * timer). One hook for every module page (treasury, ad market, names, …).
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { TopicName } from '../../../shared/api/events';
import { bridge } from './client';
import { throttleTrailing } from './throttle';

const NO_TOPICS: readonly TopicName[] = [];

/** Mount once at the app root (a page registry `live` hook). `keys`, `topics`: module-level constants (effect deps). */
export function useRefreshOn(keys: readonly string[], topics: readonly TopicName[] = NO_TOPICS): void {
  const qc = useQueryClient();
  useEffect(() => {
    const refresh = () => {
      for (const k of keys) void qc.invalidateQueries({ queryKey: [k] });
    };
    // A head inside the second after the last refresh refreshes when the second is up (the last
    // head of a burst — or of a dev chain mined by hand — would otherwise stay unshown).
    const onHead = throttleTrailing(refresh, 1000);
    const offs = [...topics.map((t) => bridge.tb.subscribe(t, refresh)), bridge.tb.subscribe('newHeads', onHead.call)];
    return () => {
      offs.forEach((off) => off());
      onHead.cancel();
    };
  }, [qc, keys, topics]);
}
