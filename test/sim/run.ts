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
  /** Seeds where evidence was committed in a decided block (an equivocator excluded from then on). */
  seeds_with_exclusion: number;
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

/** Per-seed figures of a shard of seeds (mergeable: `npm run sim -- --jobs N` runs shards in child processes). */
export interface SimRaw {
  from: number;
  count: number;
  broken: Broken | null;
  rounds: number[];
  stableRounds: number[];
  recovery: number[];
  failing: number[];
  blocks: number;
  events: number;
  withByz: number;
  withEvidence: number;
  withExclusion: number;
}

export function runSeedsRaw(o: {
  from: number;
  count: number;
  validators?: number;
  broken?: Broken;
  trace?: (line: string) => void;
  onFailure?: (r: SimResult) => void;
  onProgress?: (done: number) => void;
  stopAtFirstFailure?: boolean;
}): SimRaw {
  const raw: SimRaw = { from: o.from, count: o.count, broken: o.broken ?? null, rounds: [], stableRounds: [], recovery: [], failing: [], blocks: 0, events: 0, withByz: 0, withEvidence: 0, withExclusion: 0 };
  for (let i = 0; i < o.count; i++) {
    const r = simulate(o.from + i, { validators: o.validators, broken: o.broken, trace: o.trace });
    raw.blocks += r.heights;
    raw.recovery.push(r.recoveryMs / BLOCK_MS);
    raw.events += r.events;
    if (r.byzantine > 0) raw.withByz++;
    if (r.evidence > 0) raw.withEvidence++;
    if (r.excluded > 0) raw.withExclusion++;
    for (const x of r.decisionRounds) raw.rounds.push(x + 1);
    for (const x of r.stableDecisionRounds) raw.stableRounds.push(x + 1);
    if (r.violations.length > 0) {
      raw.failing.push(r.seed);
      o.onFailure?.(r);
      if (o.stopAtFirstFailure) break;
    }
    o.onProgress?.(i + 1);
  }
  return raw;
}

/** One summary over shards (in seed order). */
export function summarize(shards: SimRaw[]): SimSummary {
  const all = (k: 'rounds' | 'stableRounds' | 'recovery' | 'failing') => shards.flatMap((s) => s[k]);
  const sum = (k: 'blocks' | 'events' | 'withByz' | 'withEvidence' | 'withExclusion' | 'count') => shards.reduce((a, s) => a + s[k], 0);
  return {
    protocol: 'Tendermint (Buchman, Kwon, Milosevic 2018, Algorithm 1) — src/node-core/chain/tendermint/core.ts',
    seeds: { from: Math.min(...shards.map((s) => s.from)), count: sum('count') },
    broken: shards[0]?.broken ?? null,
    simulated_blocks: sum('blocks'),
    simulated_events: sum('events'),
    violations: all('failing').length,
    failing_seeds: all('failing'),
    seeds_with_byzantine: sum('withByz'),
    seeds_with_evidence: sum('withEvidence'),
    seeds_with_exclusion: sum('withExclusion'),
    rounds_to_finality: percentiles(all('rounds')),
    rounds_to_finality_stable: percentiles(all('stableRounds')),
    liveness_bound_block_times: LIVENESS_BOUND_MS / BLOCK_MS,
    recovery_block_times: percentiles(all('recovery')),
  };
}

export function runSeeds(o: Parameters<typeof runSeedsRaw>[0]): SimSummary {
  return summarize([runSeedsRaw(o)]);
}
