/**
 * The message log of one height (Algorithm 1 keeps "the message log" per height, reset at line 53):
 * proposals from each round's proposer and one prevote and one precommit per validator per round.
 * A second, different message in the same slot is an equivocation: returned as evidence; the
 * caller excludes that validator's power from every tally (see `Tally` in core.ts for why this is
 * safe with the strict "> 2/3" quorum).
 */
import type { ConsensusMessage, Evidence, Input, Proposal, ValueId, Vote, VoteType } from './types.js';
import type { VotingPower } from './power.js';

/** Distinct values one validator may be counted for in one (round, type) slot (bounds an equivocator). */
export const MAX_VOTES_PER_SLOT = 4;

/**
 * Messages of one round. A validator's votes are kept per value: an equivocator's conflicting
 * votes each count for their own value (CometBFT `VoteSet` keeps conflicting votes per block for
 * the same reason): a proof-of-lock that includes one of them stays checkable by everyone, and
 * two quorums for different values still need an honest validator in both (> 1/3 overlap).
 */
export class RoundLog<V> {
  readonly prevotes = new Map<string, Vote[]>();
  readonly precommits = new Map<string, Vote[]>();
  /** Proposals of the round's proposer, by value id, in arrival order. */
  readonly proposals = new Map<ValueId, Proposal<V>>();
  /** Validators that sent any message in this round (line 55) and their power. */
  readonly senders = new Set<string>();
  senderPower = 0n;
  /** Power per voted id (null = nil) and power of all voters, per vote type (kept as votes arrive). */
  readonly tally = { prevote: new Map<ValueId | null, bigint>(), precommit: new Map<ValueId | null, bigint>() };
  readonly voted = { prevote: 0n, precommit: 0n };

  votes(type: VoteType): Map<string, Vote[]> {
    return type === 'prevote' ? this.prevotes : this.precommits;
  }

  addSender(from: string, power: bigint): void {
    if (this.senders.has(from)) return;
    this.senders.add(from);
    this.senderPower += power;
  }
}

export type AddResult<V> = 'added' | 'duplicate' | 'ignored' | Evidence<V>;

/** Upper bound of rounds kept ahead of the current one (a faulty sender cannot fill memory). */
export const MAX_ROUNDS_AHEAD = 10_000;

export class HeightLog<V> {
  readonly rounds = new Map<number, RoundLog<V>>();
  /** Values seen at this height (proposals and commit certificates), by id. */
  readonly values = new Map<ValueId, V>();

  /** `w`: the voting power of this height (power.ts: 0 for the excluded, the "2f + 1" threshold); fixed for the height. */
  constructor(
    readonly height: number,
    private readonly idOf: (v: V) => ValueId,
    private readonly w: Pick<VotingPower, 'of' | 'quorum'>,
  ) {}

  private power(validator: string): bigint {
    return this.w.of(validator);
  }

  /** The id (or null = nil) with > 2/3 of `type` votes in round r, undefined when none. */
  quorumId(r: number, type: VoteType): ValueId | null | undefined {
    const rl = this.rounds.get(r);
    if (!rl) return undefined;
    for (const [id, w] of rl.tally[type]) if (this.w.quorum(w)) return id;
    return undefined;
  }

  /** Whether > 2/3 of the power sent `type` votes (any values) in round r. */
  anyQuorum(r: number, type: VoteType): boolean {
    const rl = this.rounds.get(r);
    return !!rl && this.w.quorum(rl.voted[type]);
  }

  round(r: number): RoundLog<V> {
    let rl = this.rounds.get(r);
    if (!rl) this.rounds.set(r, (rl = new RoundLog<V>()));
    return rl;
  }

  /** Adds a proposal already checked to come from proposer(height, round). */
  addProposal(p: Proposal<V>): AddResult<V> {
    const rl = this.round(p.round);
    const id = this.idOf(p.value);
    const known = rl.proposals.get(id);
    if (known) return known.validRound === p.validRound ? 'duplicate' : this.proposalEvidence(rl, known, p);
    const other = rl.proposals.values().next().value;
    rl.proposals.set(id, p);
    rl.addSender(p.from, this.power(p.from));
    if (!this.values.has(id)) this.values.set(id, p.value);
    return other ? this.proposalEvidence(rl, other, p) : 'added';
  }

  private proposalEvidence(_rl: RoundLog<V>, a: Proposal<V>, b: Proposal<V>): Evidence<V> {
    return { kind: 'proposal', from: b.from, height: b.height, round: b.round, a, b };
  }

  /** Adds a vote of a validator; a different vote in the same (round, type) slot is evidence. */
  addVote(v: Vote): AddResult<V> {
    const rl = this.round(v.round);
    const slot = rl.votes(v.type);
    const prev = slot.get(v.from);
    const w = this.power(v.from);
    const tally = rl.tally[v.type];
    if (!prev) {
      slot.set(v.from, [v]);
      rl.addSender(v.from, w);
      rl.voted[v.type] += w;
      tally.set(v.id, (tally.get(v.id) ?? 0n) + w);
      return 'added';
    }
    if (prev.some((p) => p.id === v.id)) return 'duplicate';
    if (prev.length < MAX_VOTES_PER_SLOT) {
      prev.push(v);
      tally.set(v.id, (tally.get(v.id) ?? 0n) + w);
    } else {
      // Full: keep the equivocator's votes for the values others support most (those are the
      // ones a quorum can form on); a junk-first flood cannot hide its vote for a real value.
      const others = (id: ValueId | null) => (tally.get(id) ?? 0n) - (prev.some((p) => p.id === id) ? w : 0n);
      let weakest = 0;
      for (let i = 1; i < prev.length; i++) if (others(prev[i].id) < others(prev[weakest].id)) weakest = i;
      if (others(v.id) > others(prev[weakest].id)) {
        const old = prev[weakest];
        tally.set(old.id, (tally.get(old.id) ?? 0n) - w);
        prev[weakest] = v;
        tally.set(v.id, (tally.get(v.id) ?? 0n) + w);
      }
    }
    return { kind: 'vote', from: v.from, height: v.height, round: v.round, a: prev[0], b: v };
  }
}

/** Inputs for heights just above the current one, kept until the process gets there (bounded). */
export class FutureInputs<V> {
  private readonly byHeight = new Map<number, Input<V>[]>();

  /** @param ahead heights above the current one that are kept; @param cap inputs kept per height. */
  constructor(
    private readonly ahead: number,
    private readonly cap: number,
  ) {}

  /** Keeps `m` (a height above `current`) when it is near enough and there is room. */
  hold(m: Input<V>, current: number): void {
    if (m.height > current + this.ahead) return;
    const q = this.byHeight.get(m.height) ?? [];
    if (q.length < this.cap) q.push(m);
    this.byHeight.set(m.height, q);
  }

  /** The inputs kept for `height`; forgets them and every lower height's. */
  take(height: number): Input<V>[] {
    const q = this.byHeight.get(height) ?? [];
    for (const h of [...this.byHeight.keys()]) if (h <= height) this.byHeight.delete(h);
    return q;
  }
}

/** Messages of a height log in the given rounds (what gossip re-sends to peers). */
export function messagesIn<V>(log: HeightLog<V>, rounds: Iterable<number>): ConsensusMessage<V>[] {
  const out: ConsensusMessage<V>[] = [];
  for (const r of rounds) {
    const rl = log.rounds.get(r);
    if (!rl) continue;
    out.push(...rl.proposals.values());
    for (const vs of rl.prevotes.values()) out.push(...vs);
    for (const vs of rl.precommits.values()) out.push(...vs);
  }
  return out;
}
