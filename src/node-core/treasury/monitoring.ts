/**
 * The treasury's monitoring contribution (src/shared/monitoring.ts): its dashboard (balance,
 * disbursements by status, backlog) and the two alerts of the operations guide ("Treasury
 * Disbursement Operations": backlog age over 2 h; a proposal stalled longer than
 * ROLLBACK_WINDOW_EPOCHS). `npm run monitor` turns it into monitoring/treasury_dashboard.json and
 * the `treasury` group of monitoring/alerts.yml.
 */
import { DASHBOARD_UIDS, sel, type MonitoringContribution } from '../../shared/monitoring.js';

export const treasuryMonitoring: MonitoringContribution = {
  id: 'treasury',
  dashboard: {
    uid: DASHBOARD_UIDS.treasury,
    title: 'The Block / Treasury',
    description:
      'Treasury balance, disbursements by status, backlog and the age of the oldest approved disbursement.',
    tags: ['the-block', 'treasury', 'module'],
    rows: [
      {
        title: 'Treasury',
        panels: [
          {
            title: 'Treasury balance',
            description:
              'Balance of the treasury account (base units of BLOCK). A drop without an executed disbursement needs a look.',
            kind: 'timeseries',
            queries: [{ expr: `max(${sel('treasury_balance')})`, legend: 'balance' }],
            unit: 'short',
            width: 12,
          },
          {
            title: 'Disbursements by status',
            description: 'How many disbursements sit in each state of the lifecycle.',
            kind: 'timeseries',
            queries: [{ expr: `max by (status) (${sel('treasury_disbursements')})`, legend: '{{status}}' }],
            unit: 'short',
            min: 0,
            width: 12,
          },
          {
            title: 'Disbursement backlog',
            description:
              'Approved disbursements not yet executed (Queued + Timelocked). It should drain as executors run.',
            kind: 'stat',
            queries: [{ expr: `max(${sel('treasury_disbursement_backlog')})`, legend: 'backlog' }],
            unit: 'short',
          },
          {
            title: 'Oldest approved disbursement',
            description:
              'Age (block time) of the oldest approved disbursement not yet executed; the alert fires past 2 h.',
            kind: 'stat',
            queries: [
              { expr: `max(${sel('treasury_disbursement_scheduled_oldest_age_seconds')})`, legend: 'age' },
            ],
            unit: 's',
            thresholds: [
              { value: null, color: 'green' },
              { value: 7200, color: 'red' },
            ],
          },
          {
            title: 'Executor intents',
            description:
              'Execution intents staged by this node and not yet settled (treasury/intents.json), and how intents left the queue (success, superseded, dropped) per 5 minutes.',
            kind: 'timeseries',
            queries: [
              { expr: `max(${sel('treasury_executor_staged_intents')})`, legend: 'staged' },
              {
                expr: `sum by (result) (increase(${sel('treasury_executor_result_total')}[5m]))`,
                legend: '{{result}}',
              },
            ],
            unit: 'short',
            min: 0,
            width: 12,
          },
          {
            title: 'Longest stalled ready disbursement',
            description:
              'How long a Timelocked (ready) disbursement has waited for execution; the alert fires past the rollback window.',
            kind: 'stat',
            queries: [{ expr: `max(${sel('treasury_disbursement_stalled_seconds')})`, legend: 'stalled' }],
            unit: 's',
            thresholds: [
              { value: null, color: 'green' },
              { value: 120, color: 'orange' },
            ],
          },
        ],
      },
    ],
  },
  alerts: [
    {
      alert: 'treasury_backlog_age',
      expr: 'treasury_disbursement_scheduled_oldest_age_seconds > 7200',
      for: '5m',
      severity: 'warning',
      summary: 'Treasury disbursement backlog older than 2 h on {{ $labels.instance }}',
      description:
        'The oldest approved disbursement has waited {{ $value }} s. Check `contract-cli gov treasury executor-status` (lease holder, intents) and `contract-cli gov disburse list --status Timelocked`.',
      tests: [
        {
          series: [
            {
              series: 'treasury_disbursement_scheduled_oldest_age_seconds{instance="n1"}',
              values: '7201x10',
            },
            {
              series: 'treasury_disbursement_scheduled_oldest_age_seconds{instance="n2"}',
              values: '7200x10',
            },
          ],
          expect: [{ at: '10m', firing: [{ labels: { instance: 'n1' }, value: 7201 }] }],
        },
        {
          // Exactly 2 h is not yet "older than 2 h".
          series: [
            {
              series: 'treasury_disbursement_scheduled_oldest_age_seconds{instance="n2"}',
              values: '7200x10',
            },
          ],
          expect: [{ at: '10m', firing: [] }],
        },
      ],
    },
    {
      alert: 'treasury_proposal_stalled',
      expr: 'treasury_disbursement_stalled_seconds > 120',
      for: '1m',
      severity: 'warning',
      summary:
        'A ready treasury disbursement stalled longer than the rollback window on {{ $labels.instance }}',
      description:
        'A Timelocked disbursement has waited {{ $value }} s for execution (ROLLBACK_WINDOW_EPOCHS = 1 epoch = 120 blocks of 1 s). Run `contract-cli gov disburse execute --id <id>` or check the executor lease.',
      tests: [
        {
          series: [
            { series: 'treasury_disbursement_stalled_seconds{instance="n1"}', values: '121x10' },
            { series: 'treasury_disbursement_stalled_seconds{instance="n2"}', values: '120x10' },
          ],
          expect: [{ at: '10m', firing: [{ labels: { instance: 'n1' }, value: 121 }] }],
        },
        {
          // Waiting exactly the rollback window is not yet stalled.
          series: [{ series: 'treasury_disbursement_stalled_seconds{instance="n2"}', values: '120x10' }],
          expect: [{ at: '10m', firing: [] }],
        },
      ],
    },
  ],
};
