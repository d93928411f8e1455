/** Backups: last successful snapshot, duration, size, failures, restores. */
import { DASHBOARD_UIDS, sel, type DashboardSpec } from '../../../src/shared/monitoring.js';

export const backups: DashboardSpec = {
  uid: DASHBOARD_UIDS.backups,
  title: 'The Block / Backups',
  description: 'Snapshots (manual and scheduled): last success, duration, size and failures; restores into this data directory.',
  tags: ['the-block', 'backups'],
  rows: [
    {
      title: 'Snapshots',
      panels: [
        {
          title: 'Last successful snapshot',
          description: 'When the last snapshot completed (empty until one has on this node).',
          kind: 'stat',
          queries: [{ expr: `${sel('snapshot_last_success_timestamp_seconds')} * 1000` }],
          unit: 'dateTimeFromNow',
          width: 6,
        },
        {
          title: 'Age of the last snapshot',
          description: 'Seconds since the last snapshot completed; with a daily schedule this stays under 24 h.',
          kind: 'stat',
          queries: [{ expr: `time() - ${sel('snapshot_last_success_timestamp_seconds')}` }],
          unit: 's',
          thresholds: [{ value: null, color: 'green' }, { value: 90000, color: 'yellow' }, { value: 8 * 86400, color: 'red' }],
          width: 6,
        },
        {
          title: 'Last snapshot size',
          description: 'Data bytes of the last completed snapshot.',
          kind: 'stat',
          queries: [{ expr: sel('snapshot_bytes') }],
          unit: 'bytes',
          width: 6,
        },
        {
          title: 'Failed snapshots (24 h)',
          description: 'Snapshots that failed or were cancelled in the last 24 hours (the node log says why; Backup & Restore shows the last failure).',
          kind: 'stat',
          queries: [{ expr: `increase(${sel('snapshot_fail_total')}[24h])` }],
          thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }],
          width: 6,
        },
        {
          title: 'Snapshot duration',
          description: 'Mean and slowest bucket of the time to create a snapshot, over the last day.',
          kind: 'timeseries',
          queries: [
            { expr: `increase(${sel('snapshot_duration_seconds_sum')}[1d]) / increase(${sel('snapshot_duration_seconds_count')}[1d])`, legend: 'mean' },
            { expr: `histogram_quantile(0.99, sum by (le) (increase(${sel('snapshot_duration_seconds_bucket')}[1d])))`, legend: 'p99' },
          ],
          unit: 's',
          min: 0,
          width: 12,
        },
        {
          title: 'Snapshot size over time',
          description: 'Data bytes of each completed snapshot (grows with the chain).',
          kind: 'timeseries',
          queries: [{ expr: sel('snapshot_bytes'), legend: 'bytes' }],
          unit: 'bytes',
          min: 0,
          width: 12,
        },
      ],
    },
    {
      title: 'Restores',
      panels: [
        {
          title: 'Restores completed',
          description: 'Restores into this data directory that completed (all recorded restores, loaded at start).',
          kind: 'stat',
          queries: [{ expr: sel('restore_duration_seconds_count') }],
          width: 8,
        },
        {
          title: 'Restores failed or rolled back',
          description: 'Restores that failed or were rolled back after an interruption.',
          kind: 'stat',
          queries: [{ expr: sel('restore_fail_total') }],
          thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'yellow' }],
          width: 8,
        },
        {
          title: 'Mean restore duration',
          description: 'Mean time of the completed restores.',
          kind: 'stat',
          queries: [{ expr: `${sel('restore_duration_seconds_sum')} / ${sel('restore_duration_seconds_count')}` }],
          unit: 's',
          width: 8,
        },
      ],
    },
  ],
};
