// The NodeModule contract (modules/types.ts): a module's handler slice must be complete (checked by
// the compiler: `npm run typecheck` fails on the unused @ts-expect-error if it ever compiles), every
// metric name of the node and its modules is listed in metric-names.txt (one place to check names),
// and the node's module list is well-formed (ids, data paths, dashboard queries over registered metrics).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { chainModulesOf, dataPathsOf, ModuleHost } from '../../../src/node-core/modules/index.js';
import { defineModule } from '../../../src/node-core/modules/index.js';
import { SUBSYSTEMS } from '../../../src/node-core/snapshots/subsystems.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';
import { COUNTER, COUNTER_METHODS } from '../../fixtures/modules/counter/index.js';

const NAMES_FILE = path.join(import.meta.dirname, 'metric-names.txt');

describe('NodeModule', () => {
  it('a declared method without a handler does not compile', () => {
    const incomplete = defineModule({
      id: 'incomplete',
      label: 'Incomplete',
      methods: COUNTER_METHODS,
      // @ts-expect-error — `counter.get` is declared but its handler slice leaves it out
      async start() {
        return {
          handlers: {},
          close() {},
        };
      },
    });
    expect(incomplete.methods.map((m) => m.name)).toEqual(['counter.get']);
  });

  it('every metric name of the node and its modules, in one place (metric-names.txt)', async () => {
    const m = createMetrics();
    for (const mod of [...NODE_MODULES, COUNTER]) mod.metrics?.(m.registry);
    const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name).sort();
    expect(names).toContain('counter_total');
    expect(names.join('\n') + '\n').toBe(await fs.readFile(NAMES_FILE, 'utf8'));
  });

  it('the module list is well-formed: unique ids, its data paths in the snapshot subsystems, panels over registered metrics', async () => {
    expect(() => new ModuleHost([COUNTER, COUNTER], createMetrics().registry)).toThrow(/listed twice/);
    const ids = NODE_MODULES.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of dataPathsOf(NODE_MODULES)) expect(SUBSYSTEMS).toContainEqual(d);
    expect(chainModulesOf(NODE_MODULES).map((c) => c.id)).toEqual(['governor', 'treasury', 'ad_market', 'dns', 'energy']);
    const m = createMetrics();
    for (const mod of NODE_MODULES) mod.metrics?.(m.registry);
    const names = new Set((await m.registry.getMetricsAsJSON()).map((x) => x.name));
    // Monitoring: every dashboard query reads a registered metric (test/unit/monitoring/ checks them strictly, with promtool).
    for (const mod of NODE_MODULES)
      for (const r of mod.monitoring?.dashboard?.rows ?? [])
        for (const p of r.panels) for (const q of p.queries) expect(q.expr.match(/[a-z_]+/g)!.some((w) => names.has(w) || names.has(w.replace(/_(bucket|sum|count)$/, ''))), `${mod.id}: ${q.expr}`).toBe(true);
  });
});
