/**
 * Live data: subscribes once to every topic the UI shows and writes the events into the React
 * Query cache and the zustand stores — the renderer never polls. Method results that depend on
 * the head (tip's finalized height, tx status, balances, mempool) are invalidated on each new
 * head, so only the queries on screen are asked again.
 */
import { useEffect } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SupervisorState } from '../../../shared/api/app';
import type { BlockHeader, NodeStatus, Tip } from '../../../shared/api/types';
import { useBlocks } from '../store/blocks';
import { useLive } from '../store/live';
import { useLogs } from '../store/logs';
import { bridge, call } from './client';
import { rpcKey } from './hooks';

/** At most this many missing blocks are loaded into the chart at once. */
const BACKFILL = 60;

/** Keys of results that change with every block. */
const PER_BLOCK = ['chain.tip', 'tx.status', 'wallet.list', 'wallet.history', 'account.get', 'mempool.stats'];

function onHead(qc: QueryClient, h: BlockHeader): void {
  const pts = useBlocks.getState().points;
  const last = pts[pts.length - 1];
  useBlocks.getState().add(h);
  // Load the blocks the chart has not seen: the recent past when the console opens, and any gap
  // (heads produced while the node restarted or the connection was down).
  if (!last || h.height > last.height + 1) void backfill(Math.max(last ? last.height + 1 : 1, h.height - BACKFILL + 1), h.height - 1);
  qc.setQueryData<Tip>(rpcKey('chain.tip'), (old) =>
    old && old.height >= h.height
      ? old
      : { height: h.height, hash: h.hash, state_root: h.state_root, timestamp_ms: h.timestamp_ms, epoch: h.epoch, finalized_height: old?.finalized_height ?? 0 },
  );
  for (const k of PER_BLOCK) void qc.invalidateQueries({ queryKey: [k] });
}

/** Loads blocks `from..to` (inclusive) into the chart buffer. */
async function backfill(from: number, to: number): Promise<void> {
  const have = new Set(useBlocks.getState().points.map((p) => p.height));
  const heights: number[] = [];
  for (let h = from; h <= to; h++) if (!have.has(h)) heights.push(h);
  // A few at a time: this shares the channel with live traffic.
  for (let i = 0; i < heights.length; i += 8) {
    const blocks = await Promise.all(heights.slice(i, i + 8).map((height) => call('chain.block', { height }).catch(() => null)));
    for (const b of blocks) if (b) useBlocks.getState().add({ height: b.height, hash: b.hash, timestamp_ms: b.timestamp_ms, tx_count: b.tx_count });
  }
}

/** Mount once at the app root. */
export function useLiveData(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const { tb } = bridge;
    const live = useLive.getState();
    live.setConnection(bridge.connection());
    let lastState: SupervisorState['state'] | undefined;
    let lastPhase: string | undefined;
    const offs = [
      bridge.onConnection((c) => {
        useLive.getState().setConnection(c);
        // Back after a disconnect: everything on screen may be stale.
        if (c === 'open') void qc.invalidateQueries();
      }),
      tb.subscribe('app.supervisor', (s) => {
        useLive.getState().setSupervisor(s);
        // The cached app.info follows the supervisor — unless it awaits a refetch: setQueryData would
        // mark it fresh again (staleTime is Infinity), and a page mounted later (Settings after a
        // network switch) would show the previous node's data dir and endpoints.
        if (!qc.getQueryState(rpcKey('app.info'))?.isInvalidated)
          qc.setQueryData(rpcKey('app.info'), (old: { supervisor: SupervisorState } | undefined) => (old ? { ...old, supervisor: s } : old));
        // A (re)started node answers again, or has just become ready (endpoints known, every
        // method served): refetch what failed or was partial meanwhile.
        const phase = s.node_phase?.phase;
        if ((s.state === 'running' && lastState !== 'running') || (phase === 'ready' && lastPhase !== 'ready')) void qc.invalidateQueries();
        // Endpoints (JSON-RPC, metrics) arrive with the node's ready message, which can follow the phase.
        else if (phase === 'ready' && !qc.getQueryData<{ node: { rpc_port?: number } }>(rpcKey('app.info'))?.node.rpc_port) void qc.invalidateQueries({ queryKey: ['app.info'] });
        // Which chain the node runs now (a network switch restarts it on another): the chart keeps
        // only that chain's blocks, whatever page is open.
        if (phase === 'ready' && lastPhase !== 'ready')
          void call('node.status')
            .then((st) => useBlocks.getState().setChain(`${st.network}:${st.chain_id}`))
            .catch(() => {});
        lastState = s.state;
        lastPhase = phase;
      }),
      tb.subscribe('newHeads', (h) => onHead(qc, h)),
      tb.subscribe('node.stats', (s) => qc.setQueryData(rpcKey('node.stats'), s)),
      tb.subscribe('node.phase', (p) =>
        qc.setQueryData<NodeStatus>(rpcKey('node.status'), (old) => (old ? { ...old, phase: p.phase, phase_reason: p.reason } : old)),
      ),
      tb.subscribe('log.line', (l) => useLogs.getState().add(l)),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
