/**
 * The launch governor's monitoring contribution: its dashboard (gate states and streaks, intents,
 * decisions), the three alerts of the operations guide ("Alerts to Configure") and gate_no_signal.
 * Plain data (src/shared/monitoring.ts); `npm run monitor` turns it into
 * monitoring/governor_dashboard.json and the `launch_governor` group of monitoring/alerts.yml.
 */
import { DASHBOARD_UIDS, sel, type MonitoringContribution } from '../../shared/monitoring.js';

const G = (state: string) => `sum by (gate) (${sel('governor_gate_state', `state="${state}"`)})`;

export const governorMonitoring: MonitoringContribution = {
  id: 'governor',
  alertGroup: 'launch_governor',
  dashboard: {
    uid: DASHBOARD_UIDS.governor,
    title: 'The Block / Launch governor',
    description: 'Gate states and streaks, signals, pending intents and decisions of the launch governor.',
    tags: ['the-block', 'governor', 'module'],
    rows: [
      {
        title: 'Gates',
        panels: [
          {
            title: 'Gate states',
            description: 'State of each gate over time (from the one-series-per-state governor_gate_state).',
            kind: 'state-timeline',
            // Display encoding only: each state series is 0/1, so the weighted sum names the one that is 1.
            queries: [{ expr: `${G('active')} + 2 * ${G('rehearsal')} + 3 * ${G('trade')}`, legend: '{{gate}}' }],
            valueText: { '0': 'inactive', '1': 'active', '2': 'rehearsal', '3': 'trade' },
            thresholds: [{ value: null, color: 'text' }, { value: 1, color: 'green' }, { value: 2, color: 'blue' }, { value: 3, color: 'purple' }],
            width: 24,
          },
          {
            title: 'Enter streaks',
            description: 'Consecutive windows each gate met its enter condition; it moves when the streak reaches the required count.',
            kind: 'timeseries',
            queries: [
              { expr: `max by (gate) (${sel('governor_gate_enter_streak')})`, legend: '{{gate}}' },
              { expr: `max(${sel('governor_gate_streak_required')})`, legend: 'required' },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Exit streaks',
            description: 'Consecutive windows each gate failed its stay condition.',
            kind: 'timeseries',
            queries: [
              { expr: `max by (gate) (${sel('governor_gate_exit_streak')})`, legend: '{{gate}}' },
              { expr: `max(${sel('governor_gate_streak_required')})`, legend: 'required' },
            ],
            unit: 'short',
            min: 0,
          },
          {
            title: 'Gates without a signal',
            description: 'Gates whose input source is missing (1): they cannot move until the source reports.',
            kind: 'bargauge',
            queries: [{ expr: `max by (gate) (${sel('governor_gate_no_signal')})`, legend: '{{gate}}' }],
            min: 0,
            max: 1,
            thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }],
          },
        ],
      },
      {
        title: 'Intents and decisions',
        panels: [
          {
            title: 'Governor enabled',
            description: 'governor_enabled: 0 fires governor_disabled after 10 minutes.',
            kind: 'stat',
            queries: [{ expr: sel('governor_enabled') }],
            valueText: { '0': 'disabled', '1': 'enabled' },
            thresholds: [{ value: null, color: 'orange' }, { value: 1, color: 'green' }],
            width: 6,
          },
          {
            title: 'Pending intents',
            description: 'Intents recorded but not yet in force on chain. More than 5 for 15 minutes fires intent_backlog.',
            kind: 'timeseries',
            queries: [{ expr: sel('governor_intent_backlog'), legend: 'pending' }],
            unit: 'short',
            min: 0,
            thresholds: [{ value: null, color: 'green' }, { value: 5, color: 'red' }],
            width: 9,
          },
          {
            title: 'Decisions (1 h)',
            description: 'Gate transitions recorded in the last hour, by gate and from → to.',
            kind: 'bargauge',
            queries: [
              { expr: `sum by (gate, from, to) (increase(${sel('governor_gate_transitions_total')}[1h]))`, legend: '{{gate}}: {{from}} → {{to}}' },
            ],
            min: 0,
            width: 9,
          },
        ],
      },
    ],
  },
  alerts: [
    {
      alert: 'gate_transition',
      expr: 'increase(governor_gate_transitions_total[5m]) > 0',
      severity: 'info',
      summary: 'Governor gate {{ $labels.gate }} moved {{ $labels.from }} → {{ $labels.to }}',
      description:
        'Gate {{ $labels.gate }} on {{ $labels.instance }} changed from {{ $labels.from }} to {{ $labels.to }} in the last 5 minutes. ' +
        'Check `contract-cli governor intents --gate {{ $labels.gate }}` and verify the decision file with ' +
        '`contract-cli governor snapshot --epoch <epoch_apply> --verify`.',
      tests: [
        {
          // operational moves inactive → active at 2m; the counter is flat before.
          series: [{ series: 'governor_gate_transitions_total{gate="operational",from="inactive",to="active",instance="n1"}', values: '0 0 1 1 1 1 1 1 1 1' }],
          expect: [
            { at: '1m', firing: [] },
            { at: '3m', firing: [{ labels: { gate: 'operational', from: 'inactive', to: 'active', instance: 'n1' } }] },
          ],
        },
      ],
    },
    {
      alert: 'governor_disabled',
      expr: 'governor_enabled == 0',
      for: '10m',
      severity: 'warning',
      summary: 'Launch governor is disabled on {{ $labels.instance }}',
      description:
        'governor.status answers "enabled": false. Start the node with TB_GOVERNOR_ENABLED=1 (and TB_GOVERNOR_SIGN=1 with ' +
        'TB_NODE_KEY_HEX for signed decisions) unless this is intended.',
      tests: [
        {
          // n2 runs with the governor off (fires after 10m); n1 has it on.
          series: [
            { series: 'governor_enabled{instance="n1"}', values: '1x12' },
            { series: 'governor_enabled{instance="n2"}', values: '0x12' },
          ],
          expect: [
            { at: '9m', firing: [] },
            { at: '11m', firing: [{ labels: { instance: 'n2' } }] },
          ],
        },
      ],
    },
    {
      alert: 'intent_backlog',
      expr: 'governor_intent_backlog > 5',
      for: '15m',
      severity: 'warning',
      summary: '{{ $value }} governor intents pending on {{ $labels.instance }}',
      description:
        'More than 5 governor intents have been pending for 15 minutes. See hold_reason in `contract-cli governor intents` ' +
        '(a refused transaction, a decision file that failed verification, or validators that did not reach a 2/3-stake quorum).',
      tests: [
        {
          // n1 holds 6 pending intents (fires after 15m); n2 exactly 5 (the threshold: quiet).
          series: [
            { series: 'governor_intent_backlog{instance="n1"}', values: '6x17' },
            { series: 'governor_intent_backlog{instance="n2"}', values: '5x17' },
          ],
          expect: [
            { at: '14m', firing: [] },
            { at: '16m', firing: [{ labels: { instance: 'n1' }, value: 6 }] },
          ],
        },
      ],
    },
    {
      alert: 'gate_no_signal',
      expr: 'governor_gate_no_signal == 1',
      for: '30m',
      severity: 'info',
      summary: 'Governor gate {{ $labels.gate }} on {{ $labels.instance }} has had no input signal for 30 minutes',
      description:
        'The source subsystem of gate {{ $labels.gate }} is missing or silent, so the gate cannot move. ' +
        'See last_reason in `contract-cli governor status`.',
      tests: [
        {
          // naming has no signal (fires after 30m); operational has one.
          series: [
            { series: 'governor_gate_no_signal{instance="n1",gate="naming"}', values: '1x32' },
            { series: 'governor_gate_no_signal{instance="n1",gate="operational"}', values: '0x32' },
          ],
          expect: [
            { at: '29m', firing: [] },
            { at: '31m', firing: [{ labels: { instance: 'n1', gate: 'naming' } }] },
          ],
        },
      ],
    },
  ],
};
