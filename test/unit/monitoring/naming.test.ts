// The naming scheme of monitoring/METRICS.md, checked over every series the node registers.
import { describe, expect, it } from 'vitest';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';

const { registry } = createMetrics();
for (const m of NODE_MODULES) m.metrics?.(registry);
const metrics = await registry.getMetricsAsJSON();

describe('metric names (monitoring/METRICS.md)', () => {
  it('are lowercase snake_case', () => {
    expect(metrics.map((m) => m.name).filter((n) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(n))).toEqual([]);
  });

  it('end in _total exactly when they are counters', () => {
    const bad = metrics.filter((m) => (String(m.type as unknown) === 'counter') !== m.name.endsWith('_total')).map((m) => `${m.name} (${String(m.type as unknown)})`);
    expect(bad).toEqual([]);
  });

  it('use base units (seconds, bytes), never milliseconds', () => {
    // A unit after `per_` is a price's denominator (ad_price_pi_price_per_mib), not the measured unit.
    expect(metrics.map((m) => m.name).filter((n) => /(?<!_per)_(ms|millis|milliseconds|kb|mb|kib|mib)(_|$)/.test(n))).toEqual([]);
  });

  it('do not encode states as numbers (one 0/1 series per state instead)', () => {
    const coded = metrics.filter((m) => /\b0\s*[=:]?\s*[a-z]+,\s*1\s*[=:]?\s*[a-z]+,\s*2\b/i.test(m.help)).map((m) => m.name);
    expect(coded).toEqual([]);
    expect(metrics.find((m) => m.name === 'governor_gate_state')?.help).toContain('one series per state');
  });

  it('have a help text', () => {
    expect(metrics.filter((m) => !m.help?.trim()).map((m) => m.name)).toEqual([]);
  });
});
