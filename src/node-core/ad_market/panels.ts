/**
 * The three dashboard panels the operations guide names, over the module's metrics
 * (`monitoring/ad_market_dashboard.json` is generated from these: dashboard.ts, scripts/gen-ad-dashboard.mjs).
 */
import type { Panel } from '../modules/index.js';

export const AD_PANELS: readonly Panel[] = [
  { title: 'Ad Market Readiness', expr: 'ad_readiness_ready', kind: 'stat' },
  { title: 'Presence Freshness', expr: 'sum by (presence_bucket) (rate(ad_segment_ready_total{presence_bucket!="any"}[5m])) or ad_readiness_skipped_total{reason="presence"}', kind: 'timeseries' },
  { title: 'Selector Competitiveness', expr: 'ad_auction_win_rate or ad_bid_shading_factor_bps or ad_auction_top_bid_usd_micros', kind: 'timeseries' },
];
