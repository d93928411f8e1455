/**
 * The three dashboard panels the operations guide names, over the module's metrics
 * (`monitoring/ad_market_dashboard.json` is generated from these: scripts/gen-ad-dashboard).
 */
import type { Panel } from '../modules/index.js';

export const AD_PANELS: readonly Panel[] = [
  { title: 'Ad Market Readiness', expr: 'ad_readiness_ready', kind: 'stat' },
  { title: 'Presence Freshness', expr: 'sum by (presence_bucket) (rate(ad_segment_ready_total{presence_bucket!="any"}[5m]))', kind: 'timeseries' },
  { title: 'Selector Competitiveness', expr: 'ad_auction_win_rate', kind: 'timeseries', unit: 'ppm' },
];
