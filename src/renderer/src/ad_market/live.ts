/**
 * Ad market live data: `adMarket.readinessChanged` and new heads (at most once a second)
 * refresh the ad market queries — event-driven, never a timer.
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { bridge } from '../api/client';

const KEYS = ['ad_market.readiness', 'ad_market.inventory', 'ad_market.list_campaigns', 'ad_market.list_presence_cohorts'];

/** Mount once at the app root. */
export function useAdMarketLive(): void {
  const qc = useQueryClient();
  useEffect(() => {
    let last = 0;
    const refresh = () => {
      for (const k of KEYS) void qc.invalidateQueries({ queryKey: [k] });
    };
    const offs = [
      bridge.tb.subscribe('adMarket.readinessChanged', refresh),
      bridge.tb.subscribe('newHeads', () => {
        const now = Date.now();
        if (now - last < 1000) return;
        last = now;
        refresh();
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
