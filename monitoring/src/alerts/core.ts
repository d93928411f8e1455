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
  },
  {
    alert: 'head_stalled',
    expr: 'changes(block_height[2m]) == 0',
    for: '1m',
    severity: 'critical',
    summary: 'Head of {{ $labels.instance }} has not moved for 3 minutes',
    description:
      'block_height did not change for 3 minutes (blocks are due every second). A dev node is not producing, or a network ' +
      'node gets no blocks: check peers (`contract-cli net peers`), sync, and whether validators are online.',
  },
  {
    alert: 'no_peers',
    expr: 'sum by (instance, job) (peers) == 0 and on (instance, job) node_info{network!="dev"}',
    for: '5m',
    severity: 'warning',
    summary: '{{ $labels.instance }} has had no peers for 5 minutes',
    description:
      'A node on a shared network (not dev) has no connected peer: it cannot receive blocks or votes. Check the bootstrap ' +
      'peers of the network file, TB_MESH_STATIC_PEERS, the firewall for the QUIC/TCP ports, and `contract-cli net peers`.',
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
  },
  {
    alert: 'crash_loop',
    expr: `changes(process_start_time_seconds{${JOB}}[15m]) > 2`,
    severity: 'critical',
    summary: '{{ $labels.instance }} restarted {{ $value }} times in 15 minutes',
    description:
      'The node keeps restarting (the supervisor restarts it after a crash). Read the last lines of logs/node.log and the ' +
      'console’s crash report; a corrupt store or a busy port are named there with the way out.',
  },
];
