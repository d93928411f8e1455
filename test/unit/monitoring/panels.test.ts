// Every dashboard panel's PromQL parses (compiled into a recording-rules file checked by
// `promtool check rules`), reads only metrics the node exports, and the generated dashboards are
// well formed: unique uids, every panel described, on the `${datasource}` variable, inside the grid
// without overlaps.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allDashboards, renderAll, dashboardFile } from '../../../monitoring/src/catalog.js';
import { exportedNames, metricNames, promtool } from './promtool.js';

/** Grafana fills these in; promtool needs concrete values. */
const concrete = (e: string) => e.replaceAll('$__rate_interval', '1m').replaceAll('$instance', '.+');

let tmp: string;
beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-panels-'));
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const dashboards = allDashboards();
const queries = dashboards.flatMap((d) => d.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => ({ uid: d.uid, panel: p.title, expr: q.expr })))));

describe('dashboard PromQL', () => {
  it('has the core dashboards and one per module contribution', () => {
    expect(dashboards.map((d) => d.uid)).toEqual(['tb-node-health', 'tb-network-consensus', 'tb-backups', 'tb-governor', 'tb-treasury', 'tb-ad-market', 'tb-names', 'tb-energy']);
    expect(queries.length).toBeGreaterThan(40);
  });

  it('every panel query passes promtool check rules (compiled as recording rules)', async () => {
    const file = path.join(tmp, 'panels.yml');
    const rules = queries.map((q, i) => ({ record: `tb_panel:${q.uid.replaceAll('-', '_')}:${i}`, expr: concrete(q.expr) }));
    await fs.writeFile(file, yaml.dump({ groups: [{ name: 'dashboard_panels', rules }] }));
    const r = promtool(['check', 'rules', file]);
    expect(r.out).toContain(`SUCCESS: ${queries.length} rules found`);
    expect(r.code).toBe(0);
  });

  it('a broken expression is caught by the same check', async () => {
    const file = path.join(tmp, 'broken.yml');
    await fs.writeFile(file, yaml.dump({ groups: [{ name: 'g', rules: [{ record: 'tb_panel:x', expr: 'sum by (le) (rate(block_interval_seconds_bucket[1m])' }] }] }));
    const r = promtool(['check', 'rules', file]);
    expect(r.code).not.toBe(0);
  });

  it('reads only metrics the node exports', async () => {
    const known = await exportedNames();
    const unknown = queries.flatMap((q) => metricNames(concrete(q.expr)).filter((n) => !known.has(n)).map((n) => `${q.uid} "${q.panel}": ${n}`));
    expect(unknown).toEqual([]);
    expect(metricNames('sum by (gate) (governor_gate_state{state="x"}) + 2 * rate(x_total[1m]) and on (instance) node_info')).toEqual([
      'governor_gate_state',
      'x_total',
      'node_info',
    ]);
  });
});

describe('generated dashboards', () => {
  const files = renderAll();
  for (const d of dashboards) {
    it(`${d.uid} is well formed`, () => {
      const json = JSON.parse(files.get(dashboardFile(d.uid))!) as {
        uid: string;
        title: string;
        templating: { list: { name: string }[] };
        panels: { type: string; title: string; description?: string; datasource?: { uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets?: { expr: string; refId: string }[] }[];
      };
      expect(json.uid).toBe(d.uid);
      expect(json.templating.list.map((v) => v.name)).toEqual(['datasource', 'instance']);
      const cells = new Set<string>();
      for (const p of json.panels) {
        const g = p.gridPos;
        expect(g.x + g.w, p.title).toBeLessThanOrEqual(24);
        for (let x = g.x; x < g.x + g.w; x++)
          for (let y = g.y; y < g.y + g.h; y++) {
            expect(cells.has(`${x},${y}`), `${p.title} overlaps at ${x},${y}`).toBe(false);
            cells.add(`${x},${y}`);
          }
        if (p.type === 'row') continue;
        expect(p.description, p.title).toBeTruthy();
        expect(p.datasource?.uid).toBe('${datasource}');
        expect(p.targets!.length).toBeGreaterThan(0);
        expect(new Set(p.targets!.map((t) => t.refId)).size).toBe(p.targets!.length);
      }
    });
  }
});
