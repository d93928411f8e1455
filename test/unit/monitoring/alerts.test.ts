// monitoring/alerts.yml: the alerts the issue names exist, pass `promtool check rules`, fire and stay
// quiet as intended on both sides of each threshold (`promtool test rules` on the generated
// monitoring/tests/alerts_test.yml), read only exported metrics; the committed generated files
// (dashboards, rules, tests, prometheus.yml) are what `npm run monitor` writes today.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRuleGroups, renderAll } from '../../../monitoring/src/catalog.js';
import { exportedNames, metricNames, MONITORING, promtool } from './promtool.js';

const rules = allRuleGroups().flatMap((g) => g.rules);

describe('alert rules', () => {
  it('cover node down, head stalled, no peers, finality lag, disk low, crash loop and the governor’s three', () => {
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['node_down', 'head_stalled', 'no_peers', 'finality_lag', 'disk_low', 'crash_loop', 'gate_transition', 'governor_disabled', 'intent_backlog']),
    );
  });

  it('pass promtool check rules', () => {
    const r = promtool(['check', 'rules', path.join(MONITORING, 'alerts.yml')]);
    expect(r.out).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(r.code).toBe(0);
  });

  it('read only metrics the node exports', async () => {
    const known = await exportedNames();
    expect(rules.flatMap((r) => metricNames(r.expr).filter((n) => !known.has(n)).map((n) => `${r.alert}: ${n}`))).toEqual([]);
  });

  it('each has a case where it fires and one where it stays quiet', () => {
    for (const r of rules) {
      const expects = r.tests.flatMap((c) => c.expect);
      expect(expects.some((e) => e.firing.length > 0), `${r.alert} never fires in its tests`).toBe(true);
      expect(expects.some((e) => e.firing.length === 0), `${r.alert} has no quiet case`).toBe(true);
    }
  });

  it('fire and stay quiet as the cases say (promtool test rules)', () => {
    const r = promtool(['test', 'rules', path.join(MONITORING, 'tests', 'alerts_test.yml')]);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});

describe('generated files', () => {
  it('are up to date (npm run monitor)', async () => {
    const stale: string[] = [];
    for (const [rel, text] of renderAll()) if ((await fs.readFile(path.join(MONITORING, rel), 'utf8').catch(() => '')) !== text) stale.push(rel);
    expect(stale, 'run npm run monitor and commit the result').toEqual([]);
  });

  it('prometheus.yml passes promtool check config', () => {
    const r = promtool(['check', 'config', path.join(MONITORING, 'prometheus.yml')]);
    expect(r.out).toContain('is valid prometheus config file syntax');
    expect(r.code).toBe(0);
  });
});
