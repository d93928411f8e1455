/**
 * Governor live data: `governor.gateChanged` raises an in-app notification and refreshes the
 * governor queries; the status (streaks, last reasons) is refreshed on new heads, at most once a
 * second and only while a governor query is on screen (event-driven, never a timer).
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { bridge } from '../api/client';
import { throttleTrailing } from '../api/throttle';
import { useGovernorUi } from './store';

const KEYS = ['governor.status', 'governor.decisions', 'governor.snapshot'];

/** Mount once at the app root. */
export function useGovernorLive(): void {
  const qc = useQueryClient();
  useEffect(() => {
    // At most once a second, with a trailing refresh (api/throttle.ts): the last head of a burst is shown.
    const onHead = throttleTrailing(() => {
      void qc.invalidateQueries({ queryKey: ['governor.status'] });
      void qc.invalidateQueries({ queryKey: ['governor.decisions'] });
    }, 1000);
    const offs = [
      bridge.tb.subscribe('governor.gateChanged', (e) => {
        useGovernorUi.getState().notify(e);
        for (const k of KEYS) void qc.invalidateQueries({ queryKey: [k] });
      }),
      bridge.tb.subscribe('newHeads', onHead.call),
    ];
    return () => {
      offs.forEach((off) => off());
      onHead.cancel();
    };
  }, [qc]);
}
