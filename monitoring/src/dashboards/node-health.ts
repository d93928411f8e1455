/** Node health: is it up, where is its head, how fast are blocks and transactions, CPU, memory, disk. */
import { DASHBOARD_UIDS, sel, type DashboardSpec } from '../../../src/shared/monitoring.js';
import { blockIntervalQuantile, finalityLagPanel } from './common.js';

const R = '$__rate_interval';

export const nodeHealth: DashboardSpec = {
  uid: DASHBOARD_UIDS.nodeHealth,
  title: 'The Block / Node health',
  description: 'Phase, head and finality, block interval, transactions, mempool, RPC, CPU, memory and disk of one node.',
  tags: ['the-block', 'node'],
  rows: [
    {
      title: 'Node',
      panels: [
        {
          title: 'Scrape',
          description: 'Whether Prometheus reaches the node’s /metrics (0 = node down or metrics address wrong).',
          kind: 'stat',
          queries: [{ expr: sel('up'), legend: '{{instance}}' }],
          valueText: { '0': 'down', '1': 'up' },
          thresholds: [{ value: null, color: 'red' }, { value: 1, color: 'green' }],
          width: 4,
        },
        {
          title: 'Phase',
          description: 'Lifecycle phase (starting → opening_db → replaying → syncing → ready → stopping → stopped, or failed).',
          kind: 'stat',
          queries: [{ expr: `${sel('node_phase')} == 1`, legend: '{{phase}}' }],
          width: 4,
        },
        {
          title: 'Network and version',
          description: 'node_info labels: network, chain id and software version.',
          kind: 'stat',
          queries: [{ expr: sel('node_info'), legend: '{{network}} · chain {{chain_id}} · v{{version}}' }],
          width: 8,
        },
        {
          title: 'Restarts (1 h)',
          description: 'Process starts in the last hour (changes of process_start_time_seconds). More than 2 in 15 minutes fires crash_loop.',
          kind: 'stat',
          queries: [{ expr: `changes(${sel('process_start_time_seconds')}[1h])` }],
          thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'yellow' }, { value: 3, color: 'red' }],
          width: 4,
        },
        {
          title: 'Uptime',
          description: 'Seconds since the node process started.',
          kind: 'stat',
          queries: [{ expr: `time() - ${sel('process_start_time_seconds')}` }],
          unit: 's',
          width: 4,
        },
      ],
    },
    {
      title: 'Chain',
      panels: [
        {
          title: 'Head and finalized height',
          description: 'Height of the canonical head and of the highest finalized block.',
          kind: 'timeseries',
          queries: [
            { expr: sel('block_height'), legend: 'head' },
            { expr: sel('finalized_height'), legend: 'finalized' },
          ],
          unit: 'short',
        },
        finalityLagPanel,
        {
          title: 'Block interval',
          description: 'Median and 90th percentile of the time between consecutive blocks (target: the genesis block_time_ms).',
          kind: 'timeseries',
          queries: [
            { expr: blockIntervalQuantile(0.5), legend: 'p50' },
            { expr: blockIntervalQuantile(0.9), legend: 'p90' },
          ],
          unit: 's',
          min: 0,
        },
        {
          title: 'Transactions per second',
          description: 'Transactions applied in canonical blocks per second.',
          kind: 'timeseries',
          queries: [{ expr: `sum(rate(${sel('txs_applied_total')}[${R}]))`, legend: 'tx/s' }],
          unit: 'ops',
          min: 0,
        },
        {
          title: 'Mempool',
          description: 'Transactions waiting for a block.',
          kind: 'timeseries',
          queries: [{ expr: sel('mempool_size'), legend: 'waiting' }],
          unit: 'short',
          min: 0,
        },
        {
          title: 'Mempool refusals',
          description: 'Transactions refused at admission per second, by reason (bad signature, replayed nonce, fee below floor, …).',
          kind: 'timeseries',
          queries: [{ expr: `sum by (reason) (rate(${sel('mempool_reject_total')}[${R}]))`, legend: '{{reason}}' }],
          unit: 'ops',
          min: 0,
          stack: true,
        },
      ],
    },
    {
      title: 'JSON-RPC',
      panels: [
        {
          title: 'Requests by method',
          description: 'JSON-RPC requests per second by method.',
          kind: 'timeseries',
          queries: [{ expr: `sum by (method) (rate(${sel('rpc_requests_total')}[${R}]))`, legend: '{{method}}' }],
          unit: 'reqps',
          min: 0,
          stack: true,
        },
        {
          title: 'Errors by code',
          description: 'JSON-RPC answers with an error per second, by code (−32602 invalid params, −32001 rate limited, …).',
          kind: 'timeseries',
          queries: [{ expr: `sum by (code) (rate(${sel('rpc_requests_total', 'code!="0"')}[${R}]))`, legend: '{{code}}' }],
          unit: 'reqps',
          min: 0,
        },
        {
          title: 'Latency p90',
          description: '90th percentile of JSON-RPC handling time by method.',
          kind: 'timeseries',
          queries: [
            { expr: `histogram_quantile(0.9, sum by (method, le) (rate(${sel('rpc_latency_seconds_bucket')}[${R}])))`, legend: '{{method}}' },
          ],
          unit: 's',
          min: 0,
        },
      ],
    },
    {
      title: 'Process and disk',
      panels: [
        {
          title: 'CPU',
          description: 'CPU time used by the node process per second (1 = one full core).',
          kind: 'timeseries',
          queries: [{ expr: `rate(${sel('process_cpu_seconds_total')}[${R}])`, legend: 'cpu' }],
          unit: 'percentunit',
          min: 0,
        },
        {
          title: 'Memory',
          description: 'Resident set size and V8 heap in use of the node process.',
          kind: 'timeseries',
          queries: [
            { expr: sel('process_resident_memory_bytes'), legend: 'resident' },
            { expr: sel('nodejs_heap_size_used_bytes'), legend: 'heap used' },
          ],
          unit: 'bytes',
          min: 0,
        },
        {
          title: 'Data directory disk',
          description: 'Bytes available on the filesystem of the data directory. Below 10 % or 2 GiB for 5 minutes fires disk_low.',
          kind: 'timeseries',
          queries: [
            { expr: sel('data_dir_filesystem_avail_bytes'), legend: 'available' },
            { expr: sel('data_dir_filesystem_size_bytes'), legend: 'size' },
          ],
          unit: 'bytes',
          min: 0,
        },
        {
          title: 'Disk available',
          description: 'Share of the data directory’s filesystem still available.',
          kind: 'stat',
          queries: [{ expr: `${sel('data_dir_filesystem_avail_bytes')} / ${sel('data_dir_filesystem_size_bytes')}` }],
          unit: 'percentunit',
          thresholds: [{ value: null, color: 'red' }, { value: 0.1, color: 'yellow' }, { value: 0.2, color: 'green' }],
          width: 6,
        },
        {
          title: 'Event loop lag p99',
          description: 'Node.js event loop delay (99th percentile): a busy loop delays blocks, votes and RPC answers.',
          kind: 'timeseries',
          queries: [{ expr: sel('nodejs_eventloop_lag_p99_seconds'), legend: 'p99' }],
          unit: 's',
          min: 0,
          width: 10,
        },
        {
          title: 'WebSocket subscriptions',
          description: 'Open JSON-RPC subscriptions (the console holds a few).',
          kind: 'stat',
          queries: [{ expr: sel('rpc_subscriptions') }],
          width: 8,
        },
      ],
    },
  ],
};
