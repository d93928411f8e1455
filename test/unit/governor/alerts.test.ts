// monitoring/alerts.yml: the three alerts of the operations guide pass `promtool check rules`,
// fire (and stay quiet) as intended on synthetic series (`promtool test rules`), and only use
// metric names the node really exports.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../../src/node-core/telemetry/metrics.js';

const REPO = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const RULES = path.join(REPO, 'monitoring', 'alerts.yml');
let tmp: string | undefined;
afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true });
});

function promtool(args: string[], cwd?: string) {
  const r = spawnSync('promtool', args, { encoding: 'utf8', cwd });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('monitoring/alerts.yml', () => {
  it('passes promtool check rules with the three governor alerts', () => {
    const r = promtool(['check', 'rules', RULES]);
    expect(r.out).toContain('SUCCESS: 3 rules found');
    expect(r.code).toBe(0);
  });

  it('references only metrics the node exports', async () => {
    const text = await fs.readFile(RULES, 'utf8');
    const used = [...text.matchAll(/^\s+expr: (.*)$/gm)].map((m) => /([a-z_]+)(?:\[|\s*[=>])/.exec(m[1].replace(/^increase\(/, ''))![1]);
    expect(used).toEqual(['governor_gate_transitions_total', 'governor_enabled', 'intent_backlog']);
    const names = (await createMetrics().registry.getMetricsAsJSON()).map((m) => m.name);
    for (const n of used) expect(names).toContain(n);
  });

  it('fires on a transition, a disabled governor and a backlog; stays quiet otherwise (promtool test rules)', async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-alerts-'));
    await fs.copyFile(RULES, path.join(tmp, 'alerts.yml'));
    await fs.writeFile(
      path.join(tmp, 'alerts_test.yml'),
      `rule_files: [alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'governor_gate_transitions_total{gate="operational",from="inactive",to="active",instance="n1"}'
        values: '0 0 1 1 1 1 1 1 1 1 1 1'
      - series: 'governor_enabled{instance="n1"}'
        values: '1x20'
      - series: 'governor_enabled{instance="n2"}'
        values: '0x20'
      - series: 'intent_backlog{instance="n1"}'
        values: '6x20'
      - series: 'intent_backlog{instance="n2"}'
        values: '5x20'
    alert_rule_test:
      - eval_time: 1m
        alertname: gate_transition
        exp_alerts: []
      - eval_time: 3m
        alertname: gate_transition
        exp_alerts:
          - exp_labels: { severity: info, gate: operational, from: inactive, to: active, instance: n1 }
            exp_annotations:
              summary: 'Governor gate operational moved inactive → active'
              description: 'Gate operational on n1 changed from inactive to active in the last 5 minutes. Check \`contract-cli governor intents --gate operational\` and verify the decision file with \`contract-cli governor snapshot --epoch <epoch_apply> --verify\`.'
      - eval_time: 9m
        alertname: governor_disabled
        exp_alerts: []
      - eval_time: 11m
        alertname: governor_disabled
        exp_alerts:
          - exp_labels: { severity: warning, instance: n2 }
            exp_annotations:
              summary: 'Launch governor is disabled on n2'
              description: 'governor.status answers "enabled": false. Start the node with TB_GOVERNOR_ENABLED=1 (and TB_GOVERNOR_SIGN=1 with TB_NODE_KEY_HEX for signed decisions) unless this is intended.'
      - eval_time: 16m
        alertname: intent_backlog
        exp_alerts:
          - exp_labels: { severity: warning, instance: n1 }
            exp_annotations:
              summary: '6 governor intents pending on n1'
              description: 'More than 5 governor intents have been pending for 15 minutes. See hold_reason in \`contract-cli governor intents\` (a refused transaction, a decision file that failed verification, or validators that did not reach a 2/3-stake quorum).'
`,
    );
    const r = promtool(['test', 'rules', 'alerts_test.yml'], tmp);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });
});
