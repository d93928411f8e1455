/**
 * Overview: the node at a glance — phase, network, chain id, height and finalized height, the
 * live block chart, mempool, peers, data directory and its size, process CPU and memory, version.
 * All values are live (subscriptions write the cache; see api/live.ts).
 */
import { lazy, Suspense, useMemo } from 'react';
import { rpc } from '../api/hooks';
import { bridge } from '../api/client';
import { Card, Stat } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { Icon } from '../components/Icon';
import { describeStatus } from '../components/status';
import { useBlocks } from '../store/blocks';
import { useLive } from '../store/live';
import { fmtBytes, fmtDuration, fmtInt, reachableEndpoint, shortHash } from '../format';
import { newerMempoolSize } from './mempool';

/** The chart (recharts: most of the Overview's code) loads after the first paint (issue 17: the height and phase do not wait for it). */
const BlockChart = lazy(async () => ({ default: (await import('./BlockChart')).BlockChart }));

/** The page's icon in the navigation (pages/registry.tsx). */

function Row({ k, v, testId, mono }: { k: string; v: React.ReactNode; testId?: string; mono?: boolean }) {
  return (
    <div className="kv__row">
      <dt>{k}</dt>
      <dd className={mono ? 'mono' : undefined} data-testid={testId}>
        {v}
      </dd>
    </div>
  );
}

function RecentBlocks() {
  const points = useBlocks((s) => s.points);
  const recent = points.slice(-8).reverse();
  return (
    <table className="table" data-testid="recent-blocks">
      <thead>
        <tr>
          <th>Height</th>
          <th>Hash</th>
          <th className="num">Txs</th>
          <th className="num">Interval</th>
        </tr>
      </thead>
      <tbody>
        {recent.map((b) => (
          <tr key={b.height}>
            <td className="mono">#{fmtInt(b.height)}</td>
            <td className="mono muted">{shortHash(b.hash, 10)}</td>
            <td className="num">{b.txs}</td>
            <td className="num">{b.interval_ms === null ? '—' : `${b.interval_ms} ms`}</td>
          </tr>
        ))}
        {recent.length === 0 && (
          <tr>
            <td colSpan={4} className="muted">
              No blocks yet
            </td>
          </tr>
        )}
      </tbody>
    </table>
  );
}

export function Overview() {
  const conn = useLive((s) => s.connection);
  const sup = useLive((s) => s.supervisor);
  const on = conn === 'open';
  // Asked again on every visit: its uptime was read when it was fetched, and a cached copy from
  // a previous visit made the uptime stale (#19).
  const status = rpc['node.status'].useQuery(undefined, { enabled: on, refetchOnMount: 'always' });
  const tip = rpc['chain.tip'].useQuery(undefined, { enabled: on });
  const stats = rpc['node.stats'].useQuery(undefined, { enabled: on });
  const mempool = rpc['mempool.stats'].useQuery(undefined, { enabled: on });
  const info = rpc['app.info'].useQuery(undefined, { enabled: on });
  const openDir = rpc['app.openDataDir'].useMutation();
  const st = describeStatus(conn, sup);
  const s = status.data;
  // Resource samples, uptime, peers and mempool of a process that is gone (crash, backoff, start
  // failure, stopped) are not shown as if current: "—" instead.
  const live = sup?.state === 'running';
  const sample = live ? stats.data : undefined;
  const pool = live ? mempool.data : undefined;
  // When the node process started (wall clock), from the uptime it reported; re-rendered with every block.
  const startedAt = useMemo(() => (s && live && !status.isFetching ? Date.now() - s.uptime_ms : undefined), [s?.pid, s?.uptime_ms, live, status.isFetching]);
  const poolSize = newerMempoolSize(sample, pool, mempool.dataUpdatedAt);
  const lag = tip.data ? tip.data.height - tip.data.finalized_height : undefined;
  const dataDir = s?.data_dir ?? info.data?.node.data_dir;
  const node = info.data?.node;

  return (
    <div className="page" data-testid="page-overview">
      <div className="stats">
        <Stat label="Height" value={fmtInt(tip.data?.height)} sub={tip.data ? `epoch ${tip.data.epoch}` : undefined} testId="tip-height" />
        <Stat label="Finalized" value={fmtInt(tip.data?.finalized_height)} sub={lag === undefined ? undefined : lag === 0 ? 'at head' : `${lag} behind head`} testId="finalized-height" />
        <Stat label="Mempool" value={fmtInt(poolSize)} sub={pool ? `fee floor ${fmtInt(pool.fee_floor)}` : undefined} testId="mempool-size" />
        <Stat label="Peers" value={fmtInt(sample?.peers ?? (live ? s?.peers : undefined))} sub={s?.network === 'dev' ? 'dev: single validator' : undefined} testId="peers" />
        <Stat label="Node CPU" value={sample ? `${sample.cpu_percent.toFixed(1)} %` : '—'} sub="of one core" testId="node-cpu" />
        <Stat label="Node memory" value={fmtBytes(sample?.rss_bytes)} sub="resident" testId="node-memory" />
      </div>

      <div className="grid-2">
        <Card title="Blocks — last 10 minutes" testId="chart-card">
          <Suspense fallback={<div className="chart chart--empty">Loading the chart…</div>}>
            <BlockChart />
          </Suspense>
        </Card>
        <Card title="Node" testId="node-card">
          <dl className="kv">
            <Row k="Phase" v={<span className={`tone tone--${st.tone}`}>{st.label}{st.detail ? ` — ${st.detail}` : ''}</span>} testId="overview-phase" />
            <Row k="Network" v={s?.network ?? '—'} testId="network" />
            <Row k="Chain id" v={s?.chain_id ?? '—'} testId="chain-id" mono />
            <Row k="Version" v={s?.version ?? info.data?.version ?? '—'} testId="node-version" />
            <Row k="Uptime" v={fmtDuration(startedAt === undefined ? undefined : Date.now() - startedAt)} testId="node-uptime" />
            <Row k="Process" v={sup?.pid ? `pid ${sup.pid}` : '—'} testId="node-pid" mono />
            <Row k="Node address" v={<span title={s?.node_address}>{shortHash(s?.node_address, 10)}</span>} mono />
            <Row k="JSON-RPC" v={node?.rpc_addr && node.rpc_port ? reachableEndpoint(node.rpc_addr, node.rpc_port) : '—'} testId="rpc-endpoint" mono />
            <Row
              k="Metrics"
              v={node?.metrics_addr && node.metrics_port ? `${reachableEndpoint(node.metrics_addr, node.metrics_port)}/metrics` : node?.metrics_port === null ? 'off' : '—'}
              testId="metrics-endpoint"
              mono
            />
          </dl>
          <ErrorNote error={status.error} testId="status-error" />
        </Card>
      </div>

      <div className="grid-2">
        <Card title="Recent blocks" testId="recent-card">
          <RecentBlocks />
        </Card>
        <Card
          title="Data directory"
          testId="datadir-card"
          actions={
            bridge.mode === 'electron' && dataDir ? (
              <button className="btn btn--ghost" onClick={() => openDir.mutate(undefined)} data-testid="open-data-dir">
                <Icon name="folder" size={16} /> Open
              </button>
            ) : undefined
          }
        >
          <div className="path mono" data-testid="data-dir" title={dataDir}>
            {dataDir ?? '—'}
          </div>
          <div className="datadir__size">
            <span className="datadir__figure" data-testid="data-dir-size">
              {fmtBytes(stats.data?.data_dir_bytes)}
            </span>
            <span className="muted"> on disk</span>
          </div>
          <dl className="kv kv--compact">
            <Row k="Mempool age p50 / p95" v={pool ? `${fmtDuration(pool.age_p50)} / ${fmtDuration(pool.age_p95)}` : '—'} />
            <Row k="Fee p50 / p90" v={pool ? `${fmtInt(pool.fee_p50)} / ${fmtInt(pool.fee_p90)}` : '—'} mono />
          </dl>
          <ErrorNote error={openDir.error} />
        </Card>
      </div>
    </div>
  );
}
