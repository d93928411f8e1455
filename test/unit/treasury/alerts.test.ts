// The treasury's monitoring contribution (src/node-core/treasury/monitoring.ts): its alerts and
// panels use only metrics the module registers, it is part of the generated monitoring (the
// `treasury` group of monitoring/alerts.yml, its dashboard), and its alert cases — fire at 7201 s /
// 121 s, quiet at exactly 7200 s / 120 s — pass `promtool test rules` with every other module's
// (test/unit/monitoring/alerts.test.ts runs them all).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TREASURY } from '../../../src/node-core/treasury/index.js';
import { MODULE_MONITORING } from '../../../monitoring/src/modules/index.js';

const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

describe('treasury monitoring', () => {
  it('uses only metrics the module registers', async () => {
    const reg = new Registry();
    TREASURY.metrics!(reg);
    const names = new Set((await reg.getMetricsAsJSON()).map((m) => m.name));
    const m = TREASURY.monitoring!;
    const exprs = [...m.alerts.map((a) => a.expr), ...m.dashboard!.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => q.expr)))];
    for (const e of exprs) for (const [name] of e.matchAll(/\b(treasury_[a-z_]+|governance_[a-z_]+)\b/g)) expect(names, e).toContain(name);
    expect(m.alerts.map((a) => a.alert)).toEqual(['treasury_backlog_age', 'treasury_proposal_stalled']);
  });

  it('is generated into alerts.yml and its own dashboard (npm run monitor)', async () => {
    expect(MODULE_MONITORING.map((c) => c.id)).toContain('treasury');
    const rules = await fs.readFile(path.join(REPO, 'monitoring', 'alerts.yml'), 'utf8');
    expect(rules).toContain('alert: treasury_backlog_age');
    expect(rules).toContain('treasury_disbursement_scheduled_oldest_age_seconds > 7200');
    expect(rules).toContain('alert: treasury_proposal_stalled');
    const dash = JSON.parse(await fs.readFile(path.join(REPO, 'monitoring', 'treasury_dashboard.json'), 'utf8'));
    expect(dash.uid).toBe('tb-treasury');
  });
});
