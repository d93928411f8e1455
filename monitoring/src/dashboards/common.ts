/** Panels and queries shown on more than one dashboard. */
import { sel, type PanelSpec } from '../../../src/shared/monitoring.js';

/** q-quantile of the block interval (s) over `$__rate_interval`. */
export const blockIntervalQuantile = (q: number) =>
  `histogram_quantile(${q}, sum by (le) (rate(${sel('block_interval_seconds_bucket')}[$__rate_interval])))`;

/** Head minus finalized height; the finality_lag alert's threshold (30) drawn in red. */
export const finalityLagPanel: PanelSpec = {
  title: 'Finality lag',
  description: 'Blocks between the head and the finalized block. Above 30 for 2 minutes fires finality_lag.',
  kind: 'timeseries',
  queries: [{ expr: `${sel('block_height')} - ${sel('finalized_height')}`, legend: 'blocks behind' }],
  unit: 'short',
  min: 0,
  thresholds: [{ value: null, color: 'green' }, { value: 30, color: 'red' }],
};
