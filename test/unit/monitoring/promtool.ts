/** Helpers for the monitoring tests: run promtool, find the metric names a PromQL expression reads. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnyNodeModule } from '../../../src/node-core/modules/index.js';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';

export const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const MONITORING = path.join(REPO, 'monitoring');

export function promtool(args: string[], cwd?: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd });
  if (r.error) throw new Error(`promtool could not run (${r.error.message}); install Debian's prometheus package`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/** Metric names read by a PromQL expression (identifiers that are not functions, keywords or label names). */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) if (!m[2] && !KEYWORDS.has(m[1].toLowerCase())) names.add(m[1]);
  return [...names];
}

/** Every series name the node and its modules export (histograms with their _bucket/_sum/_count), plus Prometheus' own `up`. */
export async function exportedNames(modules: readonly AnyNodeModule[] = NODE_MODULES): Promise<Set<string>> {
  const out = new Set<string>(['up']);
  const { registry } = createMetrics();
  for (const mod of modules) mod.metrics?.(registry);
  for (const m of await registry.getMetricsAsJSON()) {
    out.add(m.name);
    // prom-client types `type` as a numeric enum, but the JSON carries 'histogram' / 'summary'.
    const type = String(m.type as unknown);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) out.add(m.name + s);
  }
  return out;
}
