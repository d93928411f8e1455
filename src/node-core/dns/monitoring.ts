/**
 * The `.block` registry's monitoring contribution (src/shared/monitoring.ts): its dashboard
 * (auction outcomes, settlement durations and prices, TXT verification results, registry
 * activity, trade mode) and one alert: TXT ownership checks failing — the naming gate's TXT
 * success ratio input. `npm run monitor` turns it into monitoring/names_dashboard.json and the
 * `names` group of monitoring/alerts.yml.
 */
import { DASHBOARD_UIDS, sel, type MonitoringContribution } from '../../shared/monitoring.js';

export const dnsMonitoring: MonitoringContribution = {
  id: 'dns',
  alertGroup: 'names',
  dashboard: {
    uid: DASHBOARD_UIDS.dns,
    title: 'The Block / .block names',
    description:
      'Name auctions (outcomes, settlement durations and prices), TXT ownership checks, registry activity and trade mode: the naming gate’s inputs.',
    tags: ['the-block', 'names', 'module'],
    rows: [
      {
        title: 'Auctions',
        panels: [
          {
            title: 'Auction outcomes',
            description:
              'Auctions closed per outcome (completed, cancelled) over 15 minutes. Many cancels lower the naming gate’s completion ratio.',
            kind: 'timeseries',
            queries: [
              {
                expr: `sum by (outcome) (increase(${sel('dns_auction_outcome_total')}[15m]))`,
                legend: '{{outcome}}',
              },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Settlement duration p90',
            description: 'Listing-to-settlement time of completed auctions (90th percentile over 1 h).',
            kind: 'stat',
            queries: [
              {
                expr: `histogram_quantile(0.9, sum by (le) (rate(${sel('dns_auction_duration_seconds_bucket')}[1h])))`,
                legend: 'p90',
              },
            ],
            unit: 's',
          },
          {
            title: 'Settlement price p50',
            description: 'Median settlement price of completed auctions over 1 h (base units of BLOCK).',
            kind: 'stat',
            queries: [
              {
                expr: `histogram_quantile(0.5, sum by (le) (rate(${sel('dns_auction_settlement_bucket')}[1h])))`,
                legend: 'p50',
              },
            ],
            unit: 'short',
          },
        ],
      },
      {
        title: 'Ownership and registry',
        panels: [
          {
            title: 'TXT verifications',
            description:
              'TXT ownership checks on this node by result (ok, fail) over 15 minutes; failures lower the naming gate’s TXT success ratio.',
            kind: 'timeseries',
            queries: [
              {
                expr: `sum by (result) (increase(${sel('dns_txt_verify_total')}[15m]))`,
                legend: '{{result}}',
              },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Registry activity',
            description:
              'Registry counters from chain state: listings, bids, completions, cancels, stake unlocks, records.',
            kind: 'timeseries',
            queries: [{ expr: `max by (kind) (${sel('dns_registry_events')})`, legend: '{{kind}}' }],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Trade mode',
            description:
              '1 when the registry moves value (naming gate in trade), 0 in rehearsal or inactive.',
            kind: 'stat',
            queries: [{ expr: `max(${sel('dns_trade_mode')})`, legend: 'trade' }],
            valueText: { '0': 'rehearsal', '1': 'trade' },
          },
        ],
      },
    ],
  },
  alerts: [
    {
      alert: 'names_txt_failures',
      expr: 'sum by (instance) (increase(dns_txt_verify_total{result="fail"}[15m])) > 5',
      for: '5m',
      severity: 'warning',
      summary: 'More than 5 TXT ownership checks failed in 15 minutes on {{ $labels.instance }}',
      description:
        'TXT records of .block names fail verification ({{ $value }} in 15 min): forged or stale records, or a wrong key. Check `contract-cli net dns verify <record>`; the naming gate reads this ratio.',
      tests: [
        {
          // 1 failure a minute: 15 in 15 minutes.
          series: [{ series: 'dns_txt_verify_total{instance="n1",result="fail"}', values: '0+1x30' }],
          expect: [{ at: '25m', firing: [{ labels: { instance: 'n1' }, value: 15 }] }],
        },
        {
          // 5 failures in 15 minutes (one every 3 minutes) is not more than 5.
          series: [
            {
              series: 'dns_txt_verify_total{instance="n2",result="fail"}',
              values: '0 0 0 1 1 1 2 2 2 3 3 3 4 4 4 5 5 5 6 6 6 7 7 7 8 8 8 9 9 9 10',
            },
          ],
          expect: [{ at: '25m', firing: [] }],
        },
      ],
    },
  ],
};
