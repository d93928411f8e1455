// monitoring/treasury-alerts.yml: the two treasury alerts pass `promtool check rules`, equal the
// module's declared `alerts`, use only metrics the module registers, and fire / stay quiet as
// intended on synthetic series (`promtool test rules`).
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { TREASURY } from '../../../src/node-core/treasury/index.js';

const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const RULES = path.join(REPO, 'monitoring', 'treasury-alerts.yml');
let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});
function promtool(args: string[], cwd?: string) {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('monitoring/treasury-alerts.yml', () => {
  it('passes promtool check rules', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.out).toContain('SUCCESS: 2 rules found');
    expect(r.code).toBe(0);
  });

  it('matches the module declaration and uses registered metrics', async () => {
    const text = await fs.readFile(RULES, 'utf8');
    const exprs = [...text.matchAll(/^\s+expr: (.*)$/gm)].map((m) => m[1]);
    expect(exprs).toEqual(TREASURY.alerts!.map((a) => a.expr));
    const reg = new Registry();
    TREASURY.metrics!(reg);
    const names = (await reg.getMetricsAsJSON()).map((m) => m.name);
    for (const e of exprs) expect(names).toContain(/^([a-z_]+)/.exec(e)![1]);
    for (const p of TREASURY.panels!) expect(names).toContain(p.expr);
  });

  it('fires on a 2 h backlog and a stalled ready disbursement; quiet just below (promtool test rules)', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-talerts-'));
    await fs.copyFile(RULES, path.join(tmp, 'treasury-alerts.yml'));
    await fs.writeFile(
      path.join(tmp, 't.yml'),
      `rule_files: [treasury-alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'treasury_disbursement_scheduled_oldest_age_seconds{instance="n1"}'
        values: '7201x10'
      - series: 'treasury_disbursement_scheduled_oldest_age_seconds{instance="n2"}'
        values: '7200x10'
      - series: 'treasury_disbursement_stalled_seconds{instance="n1"}'
        values: '121x10'
      - series: 'treasury_disbursement_stalled_seconds{instance="n2"}'
        values: '120x10'
    alert_rule_test:
      - eval_time: 4m
        alertname: TreasuryBacklogAge
        exp_alerts: []
      - eval_time: 6m
        alertname: TreasuryBacklogAge
        exp_alerts:
          - exp_labels: { severity: warning, instance: n1 }
            exp_annotations:
              summary: 'Treasury disbursement backlog older than 2 h on n1'
              description: 'The oldest approved disbursement has waited 7201 s. Check \`contract-cli gov treasury executor-status\` (lease holder, intents) and \`contract-cli gov disburse list --status Timelocked\`.'
      - eval_time: 2m
        alertname: TreasuryProposalStalled
        exp_alerts:
          - exp_labels: { severity: warning, instance: n1 }
            exp_annotations:
              summary: 'A ready treasury disbursement stalled longer than the rollback window on n1'
              description: 'A Timelocked disbursement has waited 121 s for execution. Run \`contract-cli gov disburse execute --id N\`, or roll it back with a reason.'
`,
    );
    const r = promtool(['test', 'rules', 't.yml'], tmp);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
