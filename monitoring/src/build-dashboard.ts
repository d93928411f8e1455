/**
 * DashboardSpec → Grafana dashboard JSON through Grafana's own builders
 * (@grafana/grafana-foundation-sdk, typed against @grafana/schema). Adds the `datasource` and
 * `instance` variables every panel's PromQL uses, a link menu to the other The Block dashboards,
 * and a left-to-right grid layout (24 columns; a row starts a new line).
 */
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import { BigValueGraphMode, BigValueTextMode, StackingMode, VisibilityMode } from '@grafana/grafana-foundation-sdk/common';
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type Dashboard,
  type Panel,
  type DataSourceRef,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { DashboardSpec, PanelSpec } from '../../src/shared/monitoring.js';

/** Every query goes to the datasource the operator picks in the `datasource` variable. */
const DS: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
const COLS = 24;
const HEIGHT: Record<PanelSpec['kind'], number> = { stat: 5, timeseries: 8, 'state-timeline': 8, bargauge: 8 };

type AnyPanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder | statetimeline.PanelBuilder | bargauge.PanelBuilder;

function panelBuilder(p: PanelSpec): AnyPanelBuilder {
  switch (p.kind) {
    case 'timeseries': {
      const b = new timeseries.PanelBuilder().fillOpacity(10).lineWidth(1);
      if (p.stack) b.stacking({ build: () => ({ mode: StackingMode.Normal, group: 'A' }) });
      return b;
    }
    case 'stat':
      return new stat.PanelBuilder()
        .graphMode(BigValueGraphMode.None)
        .textMode(p.queries.some((q) => q.legend && !q.legend.includes('{{instance}}')) ? BigValueTextMode.Name : BigValueTextMode.Auto)
        .reduceOptions({ build: () => ({ calcs: ['lastNotNull'], values: false }) });
    case 'state-timeline':
      return new statetimeline.PanelBuilder().showValue(VisibilityMode.Auto).mergeValues(true);
    case 'bargauge':
      return new bargauge.PanelBuilder().reduceOptions({ build: () => ({ calcs: ['lastNotNull'], values: false }) });
  }
}

function mappings(text: Record<string, string>): ValueMapping[] {
  const options: Record<string, { text: string; index: number }> = {};
  Object.entries(text).forEach(([value, t], index) => (options[value] = { text: t, index }));
  return [{ type: MappingType.ValueToText, options }];
}

function panel(p: PanelSpec, gridPos: { x: number; y: number; w: number; h: number }): cog.Builder<Panel> {
  const b = panelBuilder(p).title(p.title).description(p.description).datasource(DS).gridPos(gridPos);
  for (const [i, q] of p.queries.entries()) {
    const t = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i)).datasource(DS);
    if (q.legend) t.legendFormat(q.legend);
    b.withTarget(t);
  }
  if (p.unit) b.unit(p.unit);
  if (p.min !== undefined) b.min(p.min);
  if (p.max !== undefined) b.max(p.max);
  if (p.thresholds) b.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(p.thresholds));
  if (p.valueText) b.mappings(mappings(p.valueText));
  return b;
}

export interface BuildOptions {
  /** Other dashboards linked from this one's header (title → uid). */
  siblings?: { uid: string; title: string }[];
}

/** Builds one dashboard. @throws Error when a panel is wider than the grid. */
export function buildDashboard(spec: DashboardSpec, o: BuildOptions = {}): Dashboard {
  const d = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(spec.tags)
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'))
    .withVariable(
      new QueryVariableBuilder('instance')
        .label('Node')
        .datasource(DS)
        .query({ query: 'label_values(node_info, instance)', refId: 'instance' })
        .definition('label_values(node_info, instance)')
        .refresh(VariableRefresh.OnTimeRangeChanged)
        .sort(VariableSort.AlphabeticalAsc)
        .multi(true)
        .includeAll(true)
        .allValue('.+'),
    );
  if (o.siblings?.length)
    d.link(new DashboardLinkBuilder('The Block').type(DashboardLinkType.Dashboards).tags(['the-block']).asDropdown(true).includeVars(true).keepTime(true));
  let y = 0;
  for (const row of spec.rows) {
    d.withRow(new RowBuilder(row.title).gridPos({ x: 0, y, w: COLS, h: 1 }));
    y += 1;
    let x = 0;
    let lineH = 0;
    for (const p of row.panels) {
      const w = p.width ?? 8;
      if (w > COLS || w < 1) throw new Error(`panel "${p.title}" of ${spec.uid}: width ${w} is outside 1..${COLS}`);
      const h = HEIGHT[p.kind];
      if (x + w > COLS) {
        y += lineH;
        x = 0;
        lineH = 0;
      }
      d.withPanel(panel(p, { x, y, w, h }));
      x += w;
      lineH = Math.max(lineH, h);
    }
    y += lineH;
  }
  return d.build();
}
