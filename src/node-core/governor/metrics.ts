/**
 * The launch governor's metrics (issue 4; names of monitoring/METRICS.md, pinned with every other
 * name in test/unit/modules/metric-names.txt), registered by the module on the node's registry
 * whether or not the governor runs (`governor_enabled` 0 then). Gate label values are the 8 gate
 * names (bounded).
 */
import client, { type Registry } from 'prom-client';
import type { GateMemory } from './gates.js';

export type GovernorMetrics = ReturnType<typeof governorMetrics>;

/** Registers the governor's gauges and counter on `registry` and returns their handles. */
export function governorMetrics(registry: Registry) {
  return {
    governorEnabled: new client.Gauge({ name: 'governor_enabled', help: '1 when the launch governor runs (TB_GOVERNOR_ENABLED), else 0.', registers: [registry] }),
    governorGateState: new client.Gauge({
      name: 'governor_gate_state',
      help: 'State of each governor gate: one series per state (inactive, active, rehearsal, trade), 1 for the current one.',
      labelNames: ['gate', 'state'] as const,
      registers: [registry],
    }),
    governorGateTransitionsTotal: new client.Counter({
      name: 'governor_gate_transitions_total',
      help: 'Governor gate state changes (decisions), by gate and from/to state.',
      labelNames: ['gate', 'from', 'to'] as const,
      registers: [registry],
    }),
    governorGateEnterStreak: new client.Gauge({ name: 'governor_gate_enter_streak', help: 'Consecutive windows a gate met its enter condition.', labelNames: ['gate'] as const, registers: [registry] }),
    governorGateExitStreak: new client.Gauge({ name: 'governor_gate_exit_streak', help: 'Consecutive windows a gate failed its stay condition.', labelNames: ['gate'] as const, registers: [registry] }),
    governorGateStreakRequired: new client.Gauge({ name: 'governor_gate_streak_required', help: 'Consecutive windows needed for a gate to move.', labelNames: ['gate'] as const, registers: [registry] }),
    governorGateNoSignal: new client.Gauge({ name: 'governor_gate_no_signal', help: '1 when a gate has no input signal (its source is missing).', labelNames: ['gate'] as const, registers: [registry] }),
    intentBacklog: new client.Gauge({ name: 'governor_intent_backlog', help: 'Governor intents recorded but not yet in force on chain (state pending).', registers: [registry] }),
  };
}

const GATE_STATES = ['inactive', 'active', 'rehearsal', 'trade'] as const;

/** Publishes each gate's state, streaks and signal, and the intent backlog (called after every tick). */
export function publishGateMetrics(m: GovernorMetrics, gates: Iterable<GateMemory>, required: number, backlog: number): void {
  for (const g of gates) {
    for (const st of GATE_STATES) m.governorGateState.set({ gate: g.name, state: st }, st === g.state ? 1 : 0);
    m.governorGateEnterStreak.set({ gate: g.name }, g.enterStreak);
    m.governorGateExitStreak.set({ gate: g.name }, g.exitStreak);
    m.governorGateStreakRequired.set({ gate: g.name }, required);
    m.governorGateNoSignal.set({ gate: g.name }, g.signal === 'no_signal' ? 1 : 0);
  }
  m.intentBacklog.set(backlog);
}
