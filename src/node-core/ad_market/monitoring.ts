/**
 * The ad market's monitoring contribution (src/shared/monitoring.ts): the dashboard with the three
 * panels the operations guide names — "Ad Market Readiness", "Presence Freshness", "Selector
 * Competitiveness" — plus privacy budgets, and the ad_privacy_budget_low alert. `npm run monitor`
 * turns it into monitoring/ad_market_dashboard.json and the `ad_market` group of monitoring/alerts.yml.
 */
import { DASHBOARD_UIDS, sel, type MonitoringContribution } from '../../shared/monitoring.js';

export const adMarketMonitoring: MonitoringContribution = {
  id: 'ad_market',
  dashboard: {
    uid: DASHBOARD_UIDS.ad_market,
    title: 'The Block / Ad market',
    description: 'Ad readiness (blockers, counts vs thresholds, streak), presence freshness, per-selector auction competitiveness and privacy budgets.',
    tags: ['the-block', 'ad-market', 'module'],
    rows: [
      {
        title: 'Readiness',
        panels: [
          {
            title: 'Ad Market Readiness',
            description: 'ad_readiness_ready (1 = no blocker). When blocked, compare viewers / hosts / providers with their thresholds (next panel) or run `contract-cli ad-market readiness`.',
            kind: 'stat',
            queries: [{ expr: `max(${sel('ad_readiness_ready')})` }],
            valueText: { '0': 'blocked', '1': 'ready' },
            thresholds: [{ value: null, color: 'orange' }, { value: 1, color: 'green' }],
            width: 6,
          },
          {
            title: 'Readiness counts vs thresholds',
            description: 'Distinct viewers, hosts and providers in the window against the thresholds in force (static or EMA percentile).',
            kind: 'timeseries',
            queries: [
              { expr: sel('ad_readiness_unique_viewers'), legend: 'viewers' },
              { expr: sel('ad_readiness_min_unique_viewers'), legend: 'min viewers' },
              { expr: sel('ad_readiness_hosts'), legend: 'hosts' },
              { expr: sel('ad_readiness_min_hosts'), legend: 'min hosts' },
              { expr: sel('ad_readiness_providers'), legend: 'providers' },
              { expr: sel('ad_readiness_min_providers'), legend: 'min providers' },
            ],
            unit: 'short',
            min: 0,
            width: 12,
          },
          {
            title: 'Ready streak',
            description: 'Consecutive ready windows (the rehearsal gates need several).',
            kind: 'stat',
            queries: [{ expr: `max(${sel('ad_readiness_ready_streak_windows')})` }],
            unit: 'short',
            width: 6,
          },
        ],
      },
      {
        title: 'Presence and selectors',
        panels: [
          {
            title: 'Presence Freshness',
            description: 'Ready presence buckets per evaluation, and impressions/reservations skipped because a bucket went stale or its crowd failed policy.',
            kind: 'timeseries',
            queries: [
              { expr: `sum by (presence_bucket) (rate(${sel('ad_segment_ready_total', 'presence_bucket!="any"')}[$__rate_interval]))`, legend: '{{presence_bucket}}' },
              { expr: `sum(rate(${sel('ad_readiness_skipped_total', 'reason="presence"')}[$__rate_interval]))`, legend: 'skipped (presence)' },
            ],
            unit: 'ops',
            min: 0,
          },
          {
            title: 'Selector Competitiveness',
            description: 'Win rate (ppm) and bid shading (bps) per selector; a falling win rate with full shading means competitors outbid the campaigns.',
            kind: 'timeseries',
            queries: [
              { expr: `max by (selector) (${sel('ad_auction_win_rate')})`, legend: 'win rate {{selector}}' },
              { expr: `max by (selector) (${sel('ad_bid_shading_factor_bps')})`, legend: 'shading {{selector}}' },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Top bid and clearing price',
            description: 'Top bid of the last cleared auction and the PI clearing price per selector, µUSD.',
            kind: 'timeseries',
            queries: [
              { expr: `max by (selector) (${sel('ad_auction_top_bid_usd_micros')})`, legend: 'top {{selector}}' },
              { expr: `max by (selector) (${sel('ad_price_pi_price_per_mib')})`, legend: 'clearing {{selector}}' },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Privacy budget used',
            description: 'Per selector: spent share of the tightest badge family budget its impressions spend; at 1 they are denied (budget_exhausted, then cooldown).',
            kind: 'bargauge',
            queries: [{ expr: `max by (selector) (${sel('ad_privacy_budget_utilization_ratio')})`, legend: '{{selector}}' }],
            unit: 'percentunit',
            min: 0,
            max: 1,
            thresholds: [{ value: null, color: 'green' }, { value: 0.8, color: 'orange' }, { value: 0.95, color: 'red' }],
          },
          {
            title: 'Budget pacing',
            description: 'Budget broker per campaign (16 biggest spenders): factor applied to bids min(1, κ/(1+λ)), shadow price λ, and spent share of the budget.',
            kind: 'timeseries',
            queries: [
              { expr: `max by (campaign) (${sel('ad_budget_shading_multiplier')})`, legend: 'bid factor {{campaign}}' },
              { expr: `max by (campaign) (${sel('ad_budget_dual_price')})`, legend: 'shadow price {{campaign}}' },
              { expr: `max by (campaign) (${sel('ad_budget_progress')})`, legend: 'spent {{campaign}}' },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Conversions',
            description: 'Conversion value attributed per selector (µUSD/s), and advertiser conversion requests accepted or rejected by reason (auth header, token, unknown campaign).',
            kind: 'timeseries',
            queries: [
              { expr: `sum by (selector) (rate(${sel('ad_conversion_value_total')}[$__rate_interval]))`, legend: 'value {{selector}}' },
              { expr: `sum by (result, reason) (rate(${sel('ad_conversion_total')}[$__rate_interval]))`, legend: '{{result}} {{reason}}' },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Privacy denials',
            description: 'Impressions denied by the privacy guard, by reason.',
            kind: 'timeseries',
            queries: [{ expr: `sum by (reason) (rate(${sel('ad_privacy_denial_total')}[$__rate_interval]))`, legend: '{{reason}}' }],
            unit: 'ops',
            min: 0,
          },
        ],
      },
    ],
  },
  alerts: [
    {
      alert: 'ad_privacy_budget_low',
      expr: 'ad_privacy_budget_remaining_ppm < 50000',
      for: '15m',
      severity: 'warning',
      summary: 'Ad privacy budget below 5% on {{ $labels.instance }}',
      description:
        'The tightest badge family has {{ $value }} ppm of its privacy budget left: the governor closes the ad-targeting gates below 50 000 ppm and impressions will be denied. Check `contract-cli ad-market readiness --with-privacy` for the family and its forecast.',
      tests: [
        {
          series: [
            { series: 'ad_privacy_budget_remaining_ppm{instance="n1"}', values: '40000x30' },
            { series: 'ad_privacy_budget_remaining_ppm{instance="n2"}', values: '50000x30' },
          ],
          expect: [
            { at: '10m', firing: [] },
            { at: '20m', firing: [{ labels: { instance: 'n1' }, value: 40000 }] },
          ],
        },
      ],
    },
  ],
};
