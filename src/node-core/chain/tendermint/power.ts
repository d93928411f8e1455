/**
 * Voting power of one height (core.ts): the validators' stakes with the proven equivocators
 * excluded at that height counting 0, and the paper's thresholds in weighted form — "2f + 1" is
 * more than 2/3 of the effective power (w × 3 > effective × 2), "f + 1" more than 1/3.
 * Plus the two checks anyone can run on messages alone: a commit certificate and an equivocation.
 */
import type { CommitCertificate, Evidence, ValueId } from './types.js';

export class VotingPower {
  readonly excluded: ReadonlySet<string>;
  /** Total power minus the excluded validators' power. */
  readonly effective: bigint;

  /** @param half test-only broken variant `half_quorum`: more than 1/2 counts as "2f + 1". */
  constructor(
    private readonly validators: ReadonlyMap<string, bigint>,
    excluded: Iterable<string>,
    private readonly half = false,
  ) {
    this.excluded = new Set(excluded);
    let t = 0n;
    for (const [id, p] of validators) if (!this.excluded.has(id)) t += p;
    this.effective = t;
  }

  /** The power of the next height: these validators excluded too. */
  excluding(ids: Iterable<string>): VotingPower {
    return new VotingPower(this.validators, [...this.excluded, ...ids], this.half);
  }

  /** A validator's power at this height (0 when excluded or unknown). */
  of(id: string): bigint {
    return this.excluded.has(id) ? 0n : (this.validators.get(id) ?? 0n);
  }

  /** w × 3 > effective × 2: "2f + 1" (> 2/3). */
  quorum(w: bigint): boolean {
    return this.half ? w * 2n > this.effective : w * 3n > this.effective * 2n;
  }

  /** w × 3 > effective: "f + 1" (> 1/3). */
  third(w: bigint): boolean {
    return w * 3n > this.effective;
  }
}

/**
 * A commit certificate holds: distinct validators' precommits for id(value) at its (height, round)
 * with more than 2/3 of the power left after excluding `excluded` (proven equivocators).
 */
export function certificateHolds<V>(c: CommitCertificate<V>, validators: ReadonlyMap<string, bigint>, idOf: (v: V) => ValueId, excluded: ReadonlySet<string>): boolean {
  const id = idOf(c.value);
  const seen = new Set<string>();
  let w = 0n;
  let total = 0n;
  for (const [v, p] of validators) if (!excluded.has(v)) total += p;
  for (const p of c.precommits) {
    if (p.type !== 'precommit' || p.height !== c.height || p.round !== c.round || p.id !== id || seen.has(p.from) || !validators.has(p.from)) return false;
    seen.add(p.from);
    if (!excluded.has(p.from)) w += validators.get(p.from)!;
  }
  return w * 3n > total * 2n;
}

/** True when `e` is two different messages of one validator in one (height, round, step) slot. */
export function provesFault<V>(e: Evidence<V>, validators: ReadonlyMap<string, bigint>, idOf: (v: V) => ValueId): boolean {
  const { a, b } = e;
  if (a.from !== e.from || b.from !== e.from || !validators.has(e.from)) return false;
  if (a.type !== b.type || a.height !== b.height || a.round !== b.round || a.height !== e.height || a.round !== e.round) return false;
  if (a.type === 'proposal' && b.type === 'proposal') return idOf(a.value) !== idOf(b.value) || a.validRound !== b.validRound;
  return a.type !== 'proposal' && b.type !== 'proposal' && a.id !== b.id;
}
