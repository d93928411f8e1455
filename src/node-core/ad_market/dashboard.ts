/**
 * `monitoring/ad_market_dashboard.json`: a Grafana dashboard with the three named panels,
 * generated from AD_PANELS (regenerate with `node scripts/gen-ad-dashboard.mjs`; a unit test
 * checks the committed file equals this output).
 */
import type { Panel } from '../modules/index.js';
import { AD_PANELS } from './panels.js';

const TYPES: Record<Panel['kind'], string> = { stat: 'stat', timeseries: 'timeseries', gauge: 'gauge' };

export function adMarketDashboard(panels: readonly Panel[] = AD_PANELS): Record<string, unknown> {
  return {
    title: 'The Block — Ad Market',
    uid: 'the-block-ad-market',
    schemaVersion: 39,
    version: 1,
    editable: true,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus' }] },
    panels: panels.map((p, i) => ({
      id: i + 1,
      title: p.title,
      type: TYPES[p.kind],
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 8, x: (i % 3) * 8, y: Math.floor(i / 3) * 8 },
      fieldConfig: { defaults: p.unit ? { unit: p.unit } : {}, overrides: [] },
      targets: [{ refId: 'A', expr: p.expr, legendFormat: '__auto' }],
    })),
  };
}

export const dashboardText = () => JSON.stringify(adMarketDashboard(), null, 2) + '\n';
