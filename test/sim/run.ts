/** Runs many seeds of the simulator and summarises them (used by `npm test` and `npm run sim`). */
import { LIVENESS_BOUND_MS, BLOCK_MS } from './scenario.js';
import { simulate, type Broken, type SimResult } from './world.js';

export interface SimSummary {
  protocol: string;
  seeds: { from: number; count: number };
  broken: Broken | null;
  simulated_blocks: number;
  simulated_events: number;
  violations: number;
  failing_seeds: number[];
  seeds_with_byzantine: number;
  seeds_with_evidence: number;
  /** Rounds needed to finalize a height (1 = first round), over all heights / over heights after stabilisation. */
  rounds_to_finality: { p50: number; p90: number; p99: number; max: number };
  rounds_to_finality_stable: { p50: number; p90: number; p99: number; max: number };
  liveness_bound_block_times: number;
  /** Block times from stabilisation until the last honest node finalized a new block (per seed). */
  recovery_block_times: { p50: number; p90: number; p99: number; max: number };
}

export function replayCommand(seed: number, o: { validators?: number; broken?: Broken } = {}): string {
  return `npm run sim -- --seed ${seed}${o.validators ? ` --validators ${o.validators}` : ''}${o.broken ? ` --broken ${o.broken}` : ''} --trace`;
}

function percentiles(xs: number[]): { p50: number; p90: number; p99: number; max: number } {
  if (xs.length === 0) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const s = Float64Array.from(xs).sort();
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s[s.length - 1] };
}

export function runSeeds(o: {
  from: number;
  count: number;
  validators?: number;
  broken?: Broken;
  trace?: (line: string) => void;
  onFailure?: (r: SimResult) => void;
  onProgress?: (done: number) => void;
  stopAtFirstFailure?: boolean;
}): SimSummary {
  const rounds: number[] = [];
  const stableRounds: number[] = [];
  const failing: number[] = [];
  const recovery: number[] = [];
  let blocks = 0;
  let events = 0;
  let withByz = 0;
  let withEvidence = 0;
  for (let i = 0; i < o.count; i++) {
    const r = simulate(o.from + i, { validators: o.validators, broken: o.broken, trace: o.trace });
    blocks += r.heights;
    recovery.push(r.recoveryMs / BLOCK_MS);
    events += r.events;
    if (r.byzantine > 0) withByz++;
    if (r.evidence > 0) withEvidence++;
    for (const x of r.decisionRounds) rounds.push(x + 1);
    for (const x of r.stableDecisionRounds) stableRounds.push(x + 1);
    if (r.violations.length > 0) {
      failing.push(r.seed);
      o.onFailure?.(r);
      if (o.stopAtFirstFailure) break;
    }
    o.onProgress?.(i + 1);
  }
  return {
    protocol: 'Tendermint (Buchman, Kwon, Milosevic 2018, Algorithm 1) — src/node-core/chain/tendermint/core.ts',
    seeds: { from: o.from, count: o.count },
    broken: o.broken ?? null,
    simulated_blocks: blocks,
    simulated_events: events,
    violations: failing.length,
    failing_seeds: failing,
    seeds_with_byzantine: withByz,
    seeds_with_evidence: withEvidence,
    rounds_to_finality: percentiles(rounds),
    rounds_to_finality_stable: percentiles(stableRounds),
    liveness_bound_block_times: LIVENESS_BOUND_MS / BLOCK_MS,
    recovery_block_times: percentiles(recovery),
  };
}
