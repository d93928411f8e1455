// metricsText: the scrape collected metric by metric (yielding to the event loop between slices)
// is the same text as prom-client's registry.metrics(), and other work runs during a long scrape.
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { metricsText } from '../../../src/node-core/telemetry/server.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';

/** A registry whose values do not move between two reads (no process/default metrics). */
function fixedRegistry(families: number): Registry {
  const registry = new Registry();
  for (let i = 0; i < families; i++) {
    const c = new Counter({ name: `t_calls_${i}_total`, help: `calls ${i}`, labelNames: ['method', 'code'], registers: [registry] });
    c.inc({ method: 'chain.tip', code: '0' }, i + 1);
    c.inc({ method: 'a"b\\c', code: '-32602' });
    const h = new Histogram({ name: `t_latency_${i}_seconds`, help: 'latency\nin seconds', buckets: [0.001, 0.01, 0.1], registers: [registry] });
    h.observe(0.005 * i);
    new Gauge({ name: `t_collected_${i}`, help: 'set in collect', registers: [registry], collect() { this.set(i * 2); } });
  }
  return registry;
}

describe('metricsText', () => {
  it('equals registry.metrics() (text format), collected in one slice or one metric per slice', async () => {
    const registry = fixedRegistry(20);
    const reference = await registry.metrics();
    expect(await metricsText(registry)).toBe(reference);
    expect(await metricsText(registry, 0)).toBe(reference);
    registry.setDefaultLabels({ network: 'dev' });
    expect(await metricsText(registry, 0)).toBe(await registry.metrics());
  });

  it('an empty registry gives what registry.metrics() gives', async () => {
    const registry = new Registry();
    expect(await metricsText(registry, 0)).toBe(await registry.metrics());
  });

  it('the node registry: the same metric families in the same order as registry.metrics()', async () => {
    const { registry } = createMetrics();
    const families = (t: string) => t.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(families(await metricsText(registry, 0))).toEqual(families(await registry.metrics()));
  });

  it('gives the event loop back between slices (a timer due during the scrape runs before it ends)', async () => {
    const registry = fixedRegistry(50);
    let ranDuring = false;
    let done = false;
    setImmediate(() => (ranDuring = !done));
    await metricsText(registry, 0);
    done = true;
    expect(ranDuring).toBe(true);
  });
});
