/**
 * The energy market's monitoring contribution (src/shared/monitoring.ts): its dashboard
 * (providers, pending credits, disputes, kWh traded, average price, treasury fees, readings and
 * settlements per provider, signature failures, oracle latency, fulfillment time, snapshot
 * writes, trade mode) and one alert: readings refused for bad signatures — a key rotation that
 * missed the node, or forged readings. `npm run monitor` turns it into
 * monitoring/energy_dashboard.json and the `energy` group of monitoring/alerts.yml.
 */
import { DASHBOARD_UIDS, sel, type MonitoringContribution } from '../../shared/monitoring.js';

const ts = (title: string, description: string, expr: string, legend: string, unit = 'short') => ({
  title,
  description,
  kind: 'timeseries' as const,
  queries: [{ expr, legend }],
  unit,
  min: 0,
});

export const energyMonitoring: MonitoringContribution = {
  id: 'energy',
  alertGroup: 'energy',
  dashboard: {
    uid: DASHBOARD_UIDS.energy,
    title: 'The Block / Energy market',
    description:
      'Providers, signed meter readings, credits, settlements, disputes and the verifier registry of the energy market: the energy gate’s inputs.',
    tags: ['the-block', 'energy', 'module'],
    rows: [
      {
        title: 'Market',
        panels: [
          {
            title: 'Providers',
            description: 'Providers registered on the chain.',
            kind: 'stat',
            queries: [{ expr: `max(${sel('energy_provider_total')})`, legend: 'providers' }],
            unit: 'short',
          },
          ts(
            'Pending credits and open disputes',
            'Credits not yet settled, and open disputes.',
            `max(${sel('energy_pending_credits')})`,
            'pending credits',
          ),
          ts(
            'kWh traded',
            'kWh settled per 15 minutes.',
            `sum(increase(${sel('energy_kwh_traded_total')}[15m]))`,
            'kWh',
          ),
          ts(
            'Average price',
            'Average listed price per kWh (base units).',
            `max(${sel('energy_avg_price')})`,
            'price',
          ),
          ts(
            'Treasury fees',
            'Treasury fees accrued per 15 minutes (base units, trade mode).',
            `sum(increase(${sel('energy_treasury_fee_ct_total')}[15m]))`,
            'fee',
          ),
          {
            title: 'Trade mode',
            description: '1 when the market moves value (energy gate entered), 0 in rehearsal.',
            kind: 'stat',
            queries: [{ expr: `max(${sel('energy_market_trade_mode')})`, legend: 'trade' }],
            valueText: { '0': 'rehearsal', '1': 'trade' },
          },
        ],
      },
      {
        title: 'Readings and settlements',
        panels: [
          ts(
            'Readings per provider',
            'Meter readings credited per provider over 15 minutes.',
            `sum by (provider) (increase(${sel('energy_meter_reading_total')}[15m]))`,
            '{{provider}}',
          ),
          ts(
            'Settlements per provider',
            'Settlements per provider over 15 minutes.',
            `sum by (provider) (increase(${sel('energy_settlement_total')}[15m]))`,
            '{{provider}}',
          ),
          ts(
            'Rejected readings',
            'Readings refused by energy.submit_reading, by reason, over 15 minutes.',
            `sum by (reason) (increase(${sel('energy_reading_reject_total')}[15m]))`,
            '{{reason}}',
          ),
          ts(
            'Signature failures',
            'Readings refused by the verifier registry, by reason, over 15 minutes.',
            `sum by (reason) (increase(${sel('energy_signature_failure_total')}[15m]))`,
            '{{reason}}',
          ),
          ts(
            'Oracle latency p90',
            'Age of readings on arrival (90th percentile over 15 minutes).',
            `histogram_quantile(0.9, sum by (le) (rate(${sel('oracle_reading_latency_seconds_bucket')}[15m])))`,
            'p90',
            's',
          ),
          ts(
            'Fulfillment p90',
            'Credit-to-settlement time (90th percentile over 1 h).',
            `histogram_quantile(0.9, sum by (le) (rate(${sel('energy_provider_fulfillment_seconds_bucket')}[1h])))`,
            'p90',
            's',
          ),
          ts(
            'Store writes',
            'energy_market store write time p90 and failures.',
            `histogram_quantile(0.9, sum by (le) (rate(${sel('energy_snapshot_duration_seconds_bucket')}[15m])))`,
            'p90',
            's',
          ),
          ts(
            'Disputes',
            'Disputes opened and resolved over 1 h.',
            `sum(increase(${sel('energy_dispute_open_total')}[1h]))`,
            'opened',
          ),
        ],
      },
    ],
  },
  alerts: [
    {
      alert: 'energy_signature_failures',
      expr: 'sum by (instance) (increase(energy_signature_failure_total[15m])) > 10',
      for: '5m',
      severity: 'warning',
      summary: 'More than 10 energy readings failed signature checks in 15 minutes on {{ $labels.instance }}',
      description:
        'Meter readings are refused by the verifier registry ({{ $value }} in 15 min): a provider key rotated on the oracle but not on the node (`contract-cli energy reload-keys`), a revoked key still in use, or forged readings.',
      tests: [
        {
          // 2 failures a minute: 30 in 15 minutes.
          series: [
            {
              series:
                'energy_signature_failure_total{instance="n1",provider="energy-0x00000000",reason="invalid_signature"}',
              values: '0+2x30',
            },
          ],
          expect: [{ at: '25m', firing: [{ labels: { instance: 'n1' }, value: 30 }] }],
        },
        {
          // 1 failure every 3 minutes: 5 in 15 minutes.
          series: [
            {
              series:
                'energy_signature_failure_total{instance="n2",provider="energy-0x00000000",reason="invalid_signature"}',
              values: '0 0 0 1 1 1 2 2 2 3 3 3 4 4 4 5 5 5 6 6 6 7 7 7 8 8 8 9 9 9 10',
            },
          ],
          expect: [{ at: '25m', firing: [] }],
        },
      ],
    },
  ],
};
