/**
 * Alert rules every node needs, whatever modules it runs: node down, head stalled, no peers,
 * finality lag, disk low, crash loop. Thresholds are explained in each description and tested on
 * both sides by monitoring/tests/alerts_test.yml.
 */
import type { AlertRuleSpec } from '../../../src/shared/monitoring.js';
import { SCRAPE_JOB } from '../scrape.js';

const JOB = `job="${SCRAPE_JOB}"`;

export const CORE_ALERTS: AlertRuleSpec[] = [
  {
    alert: 'node_down',
    expr: `up{${JOB}} == 0`,
    for: '1m',
    severity: 'critical',
    summary: 'Node {{ $labels.instance }} is down',
    description:
      'Prometheus has not reached {{ $labels.instance }}/metrics for a minute: the node process is stopped or crashed, or ' +
      'metrics_addr changed. Check `contract-cli node status`, the console’s crash banner and logs/node.log.',
    tests: [
      {
        // a goes down at 2m (fires after 1m); b stays up; a target of another job being down is not ours.
        series: [
          { series: 'up{job="the-block",instance="a"}', values: '1 1 0 0 0 0 0' },
          { series: 'up{job="the-block",instance="b"}', values: '1x6' },
          { series: 'up{job="other",instance="c"}', values: '0x6' },
        ],
        expect: [
          { at: '2m', firing: [] },
          { at: '4m', firing: [{ labels: { job: 'the-block', instance: 'a' } }] },
        ],
      },
    ],
  },
  {
    alert: 'head_stalled',
    expr: 'changes(block_height[2m]) == 0',
    for: '1m',
    severity: 'critical',
    summary: 'Head of {{ $labels.instance }} has not moved for 3 minutes',
    description:
      'block_height did not change for 3 minutes (blocks are due every second). A dev node is not producing, or a network ' +
      'node gets no blocks: check peers (`contract-cli mesh status`), sync (`contract-cli diagnostics gossip`), and whether validators are online.',
    tests: [
      {
        // c stops at 5m; a keeps moving. At 6m c moved within 2m (quiet); from 7m stalled, firing after 1m more.
        series: [
          { series: 'block_height{instance="a"}', values: '1+1x12' },
          { series: 'block_height{instance="c"}', values: '1 2 3 4 5 6 6 6 6 6 6 6 6' },
        ],
        expect: [
          { at: '6m', firing: [] },
          { at: '9m', firing: [{ labels: { instance: 'c' } }] },
        ],
      },
    ],
  },
  {
    alert: 'no_peers',
    expr: 'sum by (instance, job) (peers) == 0 and on (instance, job) node_info{network!="dev"}',
    for: '5m',
    severity: 'warning',
    summary: '{{ $labels.instance }} has had no peers for 5 minutes',
    description:
      'A node on a shared network (not dev) has no connected peer: it cannot receive blocks or votes. Check the bootstrap ' +
      'peers of the network file, TB_MESH_STATIC_PEERS, the firewall for the QUIC/TCP ports, and `contract-cli mesh status`.',
    tests: [
      {
        // t: testnet, 0 peers (fires after 5m); p: testnet, one QUIC peer; d: dev chain, 0 peers (solo by design).
        series: [
          { series: 'peers{job="the-block",instance="t",transport="quic"}', values: '0x8' },
          { series: 'peers{job="the-block",instance="t",transport="tcp"}', values: '0x8' },
          { series: 'node_info{job="the-block",instance="t",network="testnet",version="0.1.0",chain_id="7"}', values: '1x8' },
          { series: 'peers{job="the-block",instance="p",transport="quic"}', values: '1x8' },
          { series: 'peers{job="the-block",instance="p",transport="tcp"}', values: '0x8' },
          { series: 'node_info{job="the-block",instance="p",network="testnet",version="0.1.0",chain_id="7"}', values: '1x8' },
          { series: 'peers{job="the-block",instance="d",transport="quic"}', values: '0x8' },
          { series: 'peers{job="the-block",instance="d",transport="tcp"}', values: '0x8' },
          { series: 'node_info{job="the-block",instance="d",network="dev",version="0.1.0",chain_id="1"}', values: '1x8' },
        ],
        expect: [
          { at: '4m', firing: [] },
          { at: '6m', firing: [{ labels: { job: 'the-block', instance: 't' } }] },
        ],
      },
    ],
  },
  {
    alert: 'finality_lag',
    expr: 'block_height - finalized_height > 30',
    for: '2m',
    severity: 'warning',
    summary: 'Finality on {{ $labels.instance }} is {{ $value }} blocks behind the head',
    description:
      'More than 30 blocks (about 30 s) between head and finalized block for 2 minutes: fewer than 2/3 of the stake is ' +
      'voting (validators offline, a partition, equivocated stake). See the Network & consensus dashboard.',
    tests: [
      {
        // x lags 31 blocks (fires after 2m); y lags exactly 30 (the threshold: quiet).
        series: [
          { series: 'block_height{instance="x"}', values: '100x5' },
          { series: 'finalized_height{instance="x"}', values: '69x5' },
          { series: 'block_height{instance="y"}', values: '100x5' },
          { series: 'finalized_height{instance="y"}', values: '70x5' },
        ],
        expect: [
          { at: '1m', firing: [] },
          { at: '3m', firing: [{ labels: { instance: 'x' }, value: 31 }] },
        ],
      },
    ],
  },
  {
    alert: 'disk_low',
    expr:
      'data_dir_filesystem_avail_bytes / data_dir_filesystem_size_bytes < 0.10 or data_dir_filesystem_avail_bytes < 2147483648',
    for: '5m',
    severity: 'warning',
    summary: 'Data directory disk of {{ $labels.instance }} is low',
    description:
      'Less than 10 % or 2 GiB is available on the filesystem of the data directory. Free space (old snapshots, logs) or ' +
      'move the data directory before writes fail.',
    tests: [
      {
        // a: 9 % free (fires); b: 11 % and 11 GB (quiet); c: 15 % but 1.5 GB < 2 GiB (fires); d: 25 %, 2.5 GB (quiet).
        series: [
          { series: 'data_dir_filesystem_size_bytes{instance="a"}', values: '100000000000x8' },
          { series: 'data_dir_filesystem_avail_bytes{instance="a"}', values: '9000000000x8' },
          { series: 'data_dir_filesystem_size_bytes{instance="b"}', values: '100000000000x8' },
          { series: 'data_dir_filesystem_avail_bytes{instance="b"}', values: '11000000000x8' },
          { series: 'data_dir_filesystem_size_bytes{instance="c"}', values: '10000000000x8' },
          { series: 'data_dir_filesystem_avail_bytes{instance="c"}', values: '1500000000x8' },
          { series: 'data_dir_filesystem_size_bytes{instance="d"}', values: '10000000000x8' },
          { series: 'data_dir_filesystem_avail_bytes{instance="d"}', values: '2500000000x8' },
        ],
        expect: [
          { at: '4m', firing: [] },
          { at: '6m', firing: [{ labels: { instance: 'a' } }, { labels: { instance: 'c' } }] },
        ],
      },
    ],
  },
  {
    alert: 'crash_loop',
    expr: `changes(process_start_time_seconds{${JOB}}[15m]) > 2`,
    severity: 'critical',
    summary: '{{ $labels.instance }} restarted {{ $value }} times in 15 minutes',
    description:
      'The node keeps restarting (the supervisor restarts it after a crash). Read the last lines of logs/node.log and the ' +
      'console’s crash report; a corrupt store or a busy port are named there with the way out.',
    tests: [
      {
        // a starts 4 times (3 restarts) within 15 minutes: fires at the third restart; b restarts twice: quiet.
        series: [
          { series: 'process_start_time_seconds{job="the-block",instance="a"}', values: '100 100 160 160 220 220 280 280' },
          { series: 'process_start_time_seconds{job="the-block",instance="b"}', values: '100 100 160 160 220 220 220 220' },
        ],
        expect: [
          { at: '5m', firing: [] },
          { at: '7m', firing: [{ labels: { job: 'the-block', instance: 'a' }, value: 3 }] },
        ],
      },
    ],
  },
];
