/**
 * Network live data: `net.sync` writes the sync status into the cache (phases, blocks/s, ETA) and
 * `net.peers` refreshes the peers list and the peer counts of node.status / node.stats — pushed by
 * the node, never polled.
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { NodeStats, NodeStatus } from '../../../shared/api/types';
import { bridge } from '../api/client';
import { rpcKey } from '../api/hooks';

/** Mount once at the app root. */
export function useNetworkLive(): void {
  const qc = useQueryClient();
  useEffect(() => {
    let last = 0;
    const offs = [
      bridge.tb.subscribe('net.sync', (s) => qc.setQueryData(rpcKey('net.sync_status'), s)),
      // The console's practice testnet: its state, and the network list once it exists or stopped.
      bridge.tb.subscribe('app.practice', (p) => {
        const old = qc.getQueryData<{ state: string }>(rpcKey('app.practiceTestnet'));
        qc.setQueryData(rpcKey('app.practiceTestnet'), p);
        if (old?.state !== p.state) void qc.invalidateQueries({ queryKey: ['app.networks'] });
      }),
      bridge.tb.subscribe('net.peers', (p) => {
        qc.setQueryData<NodeStatus>(rpcKey('node.status'), (old) => (old ? { ...old, peers: p.count } : old));
        qc.setQueryData<NodeStats>(rpcKey('node.stats'), (old) => (old ? { ...old, peers: p.count } : old));
        void qc.invalidateQueries({ queryKey: ['net.peers'] });
      }),
      // Finality, peer heights, latency and scores move with the blocks: the queries on screen
      // refetch, at most every 2 s (event-driven, no timer).
      bridge.tb.subscribe('newHeads', () => {
        const now = Date.now();
        if (now - last < 2000) return;
        last = now;
        for (const k of ['consensus.finality', 'net.sync_status', 'net.peers']) void qc.invalidateQueries({ queryKey: [k] });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
