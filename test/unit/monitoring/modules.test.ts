// A module plugs its monitoring in through its NodeModule: the governor's dashboard and alert group
// come from NODE_MODULES, and the counter fixture module — added to the list — gets its dashboard
// file and alert group, whose rules and promtool cases pass like the node's own.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { renderAll } from '../../../monitoring/src/catalog.js';
import { MODULE_MONITORING, moduleMonitoring } from '../../../monitoring/src/modules/index.js';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { COUNTER } from '../../fixtures/modules/counter/index.js';
import { exportedNames, metricNames, promtool } from './promtool.js';

let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

describe('module monitoring contributions', () => {
  it('come from the node module list, in list order', () => {
    const withMonitoring = NODE_MODULES.filter((m) => m.monitoring);
    expect(withMonitoring.length).toBeGreaterThan(0);
    expect(MODULE_MONITORING).toEqual(withMonitoring.map((m) => m.monitoring));
  });

  it('a module added to the list gets its dashboard and alert group; its rules and cases pass promtool', async () => {
    const modules = [...NODE_MODULES, COUNTER];
    const files = renderAll(moduleMonitoring(modules));
    const dash = JSON.parse(files.get('module_counter_dashboard.json')!) as { uid: string; panels: { title: string; targets?: { expr: string }[] }[] };
    expect(dash.uid).toBe('tb-module-counter');
    expect(dash.panels.find((p) => p.title === 'Counter total')?.targets?.[0].expr).toBe('counter_total{instance=~"$instance"}');
    const rules = yaml.load(files.get('alerts.yml')!) as { groups: { name: string; rules: { alert: string }[] }[] };
    expect(rules.groups.map((g) => g.name)).toEqual(['the_block_node', ...MODULE_MONITORING.filter((m) => m.alerts.length).map((m) => m.alertGroup ?? m.id), 'counter']);
    expect(rules.groups.find((g) => g.name === 'counter')!.rules.map((r) => r.alert)).toEqual(['counter_high']);
    const known = await exportedNames(modules);
    expect(metricNames('counter_total > 100').every((n) => known.has(n))).toBe(true);

    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-modmon-'));
    await fs.mkdir(path.join(tmp, 'tests'));
    await fs.writeFile(path.join(tmp, 'alerts.yml'), files.get('alerts.yml')!);
    await fs.writeFile(path.join(tmp, 'tests', 'alerts_test.yml'), files.get('tests/alerts_test.yml')!);
    const check = promtool(['check', 'rules', path.join(tmp, 'alerts.yml')]);
    expect(check.out).toMatch(/SUCCESS: \d+ rules found/);
    const test = promtool(['test', 'rules', path.join(tmp, 'tests', 'alerts_test.yml')]);
    expect(test.out).toContain('SUCCESS');
    expect(test.code).toBe(0);
  });

  it('a contribution must carry its module’s id', () => {
    const wrong = { ...COUNTER, monitoring: { ...COUNTER.monitoring!, id: 'other' } };
    expect(() => moduleMonitoring([wrong])).toThrow(/module counter: its monitoring contribution is named other/);
  });
});
