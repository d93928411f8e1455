/** Names live data: the registry view is refreshed on new heads, at most once a second (event-driven). */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { bridge } from '../api/client';

export function useNamesLive(): void {
  const qc = useQueryClient();
  useEffect(() => {
    let last = 0;
    return bridge.tb.subscribe('newHeads', () => {
      const now = Date.now();
      if (now - last < 1000) return;
      last = now;
      void qc.invalidateQueries({ queryKey: ['dns.auctions'] });
    });
  }, [qc]);
}
