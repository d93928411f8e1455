/**
 * What a subsystem contributes to the generated monitoring (monitoring/, `npm run monitor`):
 * dashboard panels (turned into Grafana dashboards by @grafana/grafana-foundation-sdk) and
 * Prometheus alert rules (written to monitoring/alerts.yml). Plain data, so a chain module can
 * declare it next to its metrics without importing the generator.
 *
 * PromQL conventions (checked by test/unit/monitoring/ with `promtool check rules`):
 * - select the operator's node with the `instance=~"$instance"` matcher (helper `sel`), and
 *   use `$__rate_interval` as the range of `rate`/`increase` (Grafana fills both in);
 * - metric names follow monitoring/METRICS.md.
 */
import { MODULE_DASHBOARDS } from './api/modules.js';

/** How a panel draws its queries. */
export type PanelKind = 'timeseries' | 'stat' | 'state-timeline' | 'bargauge';

export interface PanelQuery {
  /** PromQL; may use `$instance` and `$__rate_interval`. */
  expr: string;
  /** Legend template, e.g. `{{gate}}`. */
  legend?: string;
}

export interface PanelSpec {
  title: string;
  /** One or two sentences: what the panel shows and what to do when it looks wrong. */
  description: string;
  kind: PanelKind;
  queries: PanelQuery[];
  /** Grafana unit id: `s`, `bytes`, `percentunit`, `short`, `ops`, `dateTimeFromNow`, … */
  unit?: string;
  min?: number;
  max?: number;
  /** Width in grid columns (of 24); default 8. */
  width?: number;
  /** Colour steps (ascending values); the first is the base colour. */
  thresholds?: { value: number | null; color: string }[];
  /** Value → text for states (`{ '1': 'up' }`). */
  valueText?: Record<string, string>;
  /** Stack the series (timeseries). */
  stack?: boolean;
}

export interface PanelRow {
  title: string;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  /** Stable Grafana uid (`tb-…`); the console links pages to it. */
  uid: string;
  title: string;
  description: string;
  tags: string[];
  rows: PanelRow[];
}

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface AlertRuleSpec {
  /** Alert name (snake_case, as the operations guide names them). */
  alert: string;
  /** PromQL without Grafana variables (Prometheus evaluates it as is). */
  expr: string;
  /** Prometheus duration the condition must hold (`5m`); absent = fire at once. */
  for?: string;
  severity: AlertSeverity;
  /** May use `{{ $labels.x }}` and `{{ $value }}`. */
  summary: string;
  /** What it means and what the operator does. */
  description: string;
  /**
   * Cases for `promtool test rules` (monitoring/tests/alerts_test.yml is generated from them):
   * at least one evaluation where the alert fires and one where a series sits just on the quiet
   * side of the threshold (a test enforces both).
   */
  tests: AlertTestCase[];
}

/** One promtool test group: input series sampled every minute from t = 0, expectations at eval times. */
export interface AlertTestCase {
  /** promtool notation: `{ series: 'peers{instance="a",transport="quic"}', values: '0x10' }`. */
  series: { series: string; values: string }[];
  expect: {
    /** Evaluation time (`5m`). */
    at: string;
    /** Alerts firing at that time: their labels (besides alertname and severity) and `{{ $value }}`. */
    firing: { labels: Record<string, string>; value?: number }[];
  }[];
}

/** A subsystem's share of the monitoring: its dashboard and its alert group. */
export interface MonitoringContribution {
  /** Subsystem / module id (`governor`, `treasury`, …). */
  id: string;
  dashboard?: DashboardSpec;
  /** Alert group name in alerts.yml (default: the id). */
  alertGroup?: string;
  alerts: AlertRuleSpec[];
}

/** `name{instance=~"$instance",extra}`: a metric selector limited to the dashboard's node(s). */
export function sel(name: string, extra = ''): string {
  return `${name}{instance=~"$instance"${extra ? `,${extra}` : ''}}`;
}

/**
 * Uids of the generated dashboards the console links to (one place for generator and renderer):
 * the node's own, then each module's by module id (declared in its contract slice, listed in
 * src/shared/api/modules.ts).
 */
export const DASHBOARD_UIDS = {
  nodeHealth: 'tb-node-health',
  networkConsensus: 'tb-network-consensus',
  backups: 'tb-backups',
  ...MODULE_DASHBOARDS,
} as const;

/**
 * Grafana address of a dashboard: `<base>/d/<uid>` (Grafana resolves the slug itself).
 * @returns undefined unless `base` is an absolute http(s) URL without credentials (the console
 *   only opens http(s) links externally; DESIGN.md "Hard edges → Renderer").
 */
export function grafanaDashboardUrl(base: string, uid: string): string | undefined {
  let u: URL;
  try {
    u = new URL(base.trim());
  } catch {
    return undefined;
  }
  if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return undefined;
  const root = u.href.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return `${root}/d/${encodeURIComponent(uid)}`;
}
