/**
 * One seed → one scenario: the validator set (4–10 validators, unequal stakes), which of them are
 * Byzantine (strictly less than 1/3 of the stake) and how, and the faults of the unstable phase
 * (delays 0–10× the block time, drops, duplicates, partitions that heal, crashes with restarts
 * from persisted state, clock skew). After `stableAtMs` the network is synchronous: no drops, no
 * partitions, every node up, delays ≤ STABLE_MAX_DELAY.
 */
import { Rng } from './rng.js';

export const BLOCK_MS = 1000;
/** Largest message delay once the network is stable (the Δ of partial synchrony after GST). */
export const STABLE_MAX_DELAY = BLOCK_MS / 5;
/** After stabilisation every honest node finalizes a new block within this bound (simulated ms). */
export const LIVENESS_BOUND_MS = 40 * BLOCK_MS;

export type ByzMode = 'equivocate' | 'silent' | 'selective' | 'round_spam' | 'amnesia' | 'lock_splitter';

export interface Scenario {
  seed: number;
  validators: { id: string; stake: bigint }[];
  byzantine: Map<string, ByzMode>;
  /** Honest nodes: honest validators and the full node `full`. */
  honest: string[];
  maxDelayMs: number;
  dropP: number;
  dupP: number;
  partitions: { from: number; to: number; side: Set<string> }[];
  crashes: { node: string; at: number; back: number }[];
  /**
   * Largest delay of each directed link in each LINK_EPOCH_MS slice of the unstable phase (key
   * `epoch:from>to`): most links are fast, some slow — so some nodes see a round's messages long
   * after others (the schedules where locks matter).
   */
  linkMaxDelay: Map<string, number>;
  /** Timer rate per node (1 = true time): clock skew and drift of the monotonic timers. */
  skew: Map<string, number>;
  stableAtMs: number;
  endMs: number;
  /**
   * The adversary delays catch-up (commit certificates) until the network stabilises — any
   * message may be late before GST. Swarm-testing switch: makes the schedules where a node that
   * decided leaves the others behind last long enough for the locking rules to matter.
   */
  lateCatchUp: boolean;
}

export const LINK_EPOCH_MS = 4 * BLOCK_MS;

export function makeScenario(seed: number, o: { validators?: number } = {}): Scenario {
  const rng = new Rng(seed);
  const n = o.validators ?? rng.int(4, 10);
  const validators = Array.from({ length: n }, (_, i) => ({ id: `v${i}`, stake: BigInt(rng.chance(0.3) ? 10 : rng.int(1, 100)) }));
  const total = validators.reduce((s, v) => s + v.stake, 0n);
  const byzantine = new Map<string, ByzMode>();
  let byzStake = 0n;
  const wantByz = rng.int(0, Math.floor((n - 1) / 3));
  const modes: ByzMode[] = ['equivocate', 'equivocate', 'amnesia', 'lock_splitter', 'lock_splitter', 'silent', 'selective', 'round_spam'];
  for (const v of rng.shuffle([...validators])) {
    if (byzantine.size >= wantByz) break;
    if ((byzStake + v.stake) * 3n >= total) continue;
    byzStake += v.stake;
    byzantine.set(v.id, rng.pick(modes));
  }
  const honest = [...validators.filter((v) => !byzantine.has(v.id)).map((v) => v.id), 'full'];
  const stableAtMs = rng.int(5, 30) * BLOCK_MS;
  const maxDelayMs = rng.pick([0.1, 0.5, 1, 2, 5, 10]) * BLOCK_MS;
  const partitions: Scenario['partitions'] = [];
  for (let k = rng.int(0, 3); k > 0; k--) {
    const from = rng.int(0, stableAtMs);
    const side = new Set([...validators.map((v) => v.id), 'full'].filter(() => rng.chance(0.5)));
    partitions.push({ from, to: Math.min(stableAtMs, from + rng.int(1, 15) * BLOCK_MS), side });
  }
  const crashes: Scenario['crashes'] = [];
  for (let k = rng.int(0, 3); k > 0; k--) {
    const at = rng.int(0, stableAtMs);
    crashes.push({ node: rng.pick(honest), at, back: Math.min(stableAtMs, at + rng.int(0, 10) * BLOCK_MS) });
  }
  const ids = [...validators.map((v) => v.id), 'full'];
  const linkMaxDelay = new Map<string, number>();
  for (let e = 0; e <= Math.floor(stableAtMs / LINK_EPOCH_MS); e++)
    for (const a of ids)
      for (const b of ids) {
        if (a === b) continue;
        const x = rng.float();
        linkMaxDelay.set(`${e}:${a}>${b}`, x < 0.6 ? BLOCK_MS / 10 : x < 0.85 ? maxDelayMs / 2 : maxDelayMs);
      }
  const skew = new Map<string, number>();
  for (const id of [...validators.map((v) => v.id), 'full']) skew.set(id, rng.chance(0.5) ? 1 : 0.5 + rng.float() * 1.5);
  return {
    seed,
    validators,
    byzantine,
    honest,
    maxDelayMs,
    dropP: rng.pick([0, 0, 0.05, 0.2, 0.4]),
    dupP: rng.pick([0, 0.05, 0.3]),
    partitions,
    crashes,
    skew,
    linkMaxDelay,
    stableAtMs,
    endMs: stableAtMs + LIVENESS_BOUND_MS,
    lateCatchUp: rng.chance(0.5),
  };
}

/** True when a and b are on different sides of a partition active at time t. */
export function partitioned(s: Scenario, t: number, a: string, b: string): boolean {
  for (const p of s.partitions) if (t >= p.from && t < p.to && p.side.has(a) !== p.side.has(b)) return true;
  return false;
}
