/**
 * Treasury live data: `treasury.disbursementChanged` and new heads refresh the treasury queries
 * (at most once a second; event-driven, never a timer).
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { bridge } from '../api/client';

const KEYS = ['gov.treasury.disbursements', 'gov.treasury.disbursement', 'gov.treasury.balance', 'gov.treasury.executor_status', 'gov.param.history', 'gov.param.show'];

/** Mount once at the app root. */
export function useTreasuryLive(): void {
  const qc = useQueryClient();
  useEffect(() => {
    let last = 0;
    const refresh = () => {
      for (const k of KEYS) void qc.invalidateQueries({ queryKey: [k] });
    };
    const offs = [
      bridge.tb.subscribe('treasury.disbursementChanged', refresh),
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
