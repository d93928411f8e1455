/**
 * Alert rule specs → a Prometheus rules file (YAML through js-yaml). Each contribution becomes
 * one group; `severity` becomes a label; summary and description become annotations.
 */
import yaml from 'js-yaml';
import type { AlertRuleSpec, MonitoringContribution } from '../../src/shared/monitoring.js';

export interface RuleGroup {
  name: string;
  rules: AlertRuleSpec[];
}

/** The groups of alerts.yml: the core group first, then one per contribution with alerts. */
export function ruleGroups(core: AlertRuleSpec[], modules: MonitoringContribution[]): RuleGroup[] {
  const groups = [{ name: 'the_block_node', rules: core }];
  for (const m of modules) if (m.alerts.length) groups.push({ name: m.alertGroup ?? m.id, rules: m.alerts });
  const seen = new Set<string>();
  for (const g of groups)
    for (const r of g.rules) {
      if (seen.has(r.alert)) throw new Error(`alert ${r.alert} is declared twice (group ${g.name})`);
      seen.add(r.alert);
    }
  return groups;
}

/** Rules-file object for promtool/Prometheus; `forOverride` shortens `for:` (test configs). */
export function rulesDocument(groups: RuleGroup[], forOverride?: Record<string, string>): unknown {
  return {
    groups: groups.map((g) => ({
      name: g.name,
      rules: g.rules.map((r) => {
        const f = forOverride?.[r.alert] ?? r.for;
        return {
          alert: r.alert,
          expr: r.expr,
          ...(f ? { for: f } : {}),
          labels: { severity: r.severity },
          annotations: { summary: r.summary, description: r.description },
        };
      }),
    })),
  };
}

export function toYaml(doc: unknown, header: string): string {
  return header + yaml.dump(doc, { lineWidth: 120, noRefs: true, quotingType: "'" });
}

/** Renders the annotation templates the way Prometheus does for these simple forms: `{{ $labels.x }}`, `{{ $value }}`. */
export function expandTemplate(t: string, labels: Record<string, string>, value?: number): string {
  return t.replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_, k: string) => labels[k] ?? '').replace(/\{\{\s*\$value\s*\}\}/g, () => {
    if (value === undefined) throw new Error(`a template uses {{ $value }}: give the expected value in the test case (${t})`);
    return String(value);
  });
}

/** `promtool test rules` document from every alert's cases: one test group per case. */
export function alertTestsDocument(groups: RuleGroup[], ruleFile: string): unknown {
  const tests = [];
  for (const g of groups)
    for (const r of g.rules)
      for (const c of r.tests)
        tests.push({
          interval: '1m',
          input_series: c.series,
          alert_rule_test: c.expect.map((e) => ({
            eval_time: e.at,
            alertname: r.alert,
            exp_alerts: e.firing.map((f) => ({
              exp_labels: { severity: r.severity, ...f.labels },
              exp_annotations: { summary: expandTemplate(r.summary, f.labels, f.value), description: expandTemplate(r.description, f.labels, f.value) },
            })),
          })),
        });
  return { rule_files: [ruleFile], evaluation_interval: '1m', tests };
}
