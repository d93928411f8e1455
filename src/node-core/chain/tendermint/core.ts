/**
 * The Tendermint consensus state machine of one process, pure and synchronous: it takes messages
 * and timeouts and returns messages to sign and send, timers to arm, decisions, evidence and round
 * changes. No timers, disks, clocks or sockets inside (the caller owns them); one seed of the
 * simulator (test/sim) therefore replays one whole run.
 *
 * It follows Algorithm 1 of Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT consensus"
 * (line numbers below are the paper's; CometBFT `spec/consensus/pseudo-code.md` numbers them the
 * same way, and `spec/consensus/consensus.md` is the prose). Departures, each safe:
 *  - Weighted voting: "2f + 1" is "more than 2/3 of the voting power", "f + 1" is "more than 1/3".
 *  - Proven equivocators' power is taken out of the total and of every tally — but only as the
 *    decided chain says (`CoreConfig.excluded(height)`: evidence committed in blocks below the
 *    height), so every correct process uses the same quorum at a height. Locally seen evidence
 *    is reported (`Output.evidence`) for gossip and for the next block, never applied directly:
 *    processes with different local exclusions judge a proof-of-lock differently and can stall
 *    (the simulator found that schedule). Excluding proven-faulty power is safe: quorums of views
 *    excluding E_A, E_B ⊆ faulty still share an honest validator when f < T/3.
 *  - CometBFT's NewHeight step: after a decision the process waits `timeout_commit` before round 0
 *    (consensus.md "Commit" step), so blocks come every block time.
 *  - Catch-up: a commit certificate (value + > 2/3 precommits of one round) decides like line 49.
 *  - Own signatures go through a priv-validator guard (CometBFT `privval` "double sign
 *    protection"): never sign at a (height, round, step) at or below the last signed one.
 */
import { FutureInputs, HeightLog, MAX_ROUNDS_AHEAD, messagesIn, type AddResult } from './log.js';
import type { CommitCertificate, ConsensusMessage, CoreConfig, Evidence, Input, Output, PersistedState, Proposal, Step, TimeoutStep, ValueId, Vote } from './types.js';
import { certificateHolds, VotingPower } from './power.js';
import { SignGuard } from './sign-guard.js';

export type { CoreConfig };
export { certificateHolds, provesFault } from './power.js';

/** Heights ahead of ours whose messages are kept until we get there. */
const FUTURE_HEIGHTS = 2;
const FUTURE_CAP = 4096;

const emptyOutput = <V>(): Output<V> => ({ send: [], timeouts: [], decisions: [], evidence: [], roundChanges: [] });

export class TendermintCore<V> {
  height: number;
  round = 0;
  step: Step = 'newHeight';
  lockedValue: V | null = null;
  lockedRound = -1;
  validValue: V | null = null;
  validRound = -1;
  private guard = new SignGuard<V>();
  /** Prevotes of the lock's and the valid value's proof-of-lock (persisted, see PersistedState.pol). */
  private lockPol: Vote[] = [];
  private validPol: Vote[] = [];
  /** Every validator proven faulty so far, with its proof. */
  private readonly proofs = new Map<string, Evidence<V>>();
  /** Voting power at this height: the validators excluded there (`CoreConfig.excluded`) count 0. */
  private w: VotingPower;
  private log: HeightLog<V>;
  private readonly future = new FutureInputs<V>(FUTURE_HEIGHTS, FUTURE_CAP);
  /** "for the first time" guards of lines 34, 36 and 47, per round of the current height. */
  private fired = new Set<string>();
  /** Timeouts that fired in the current round (for the round-change reason). */
  private timedOut: TimeoutStep[] = [];
  private out: Output<V> = emptyOutput();
  /** Signatures the guard refused (a bug or a restart race; never a second signature). */
  get refusedSignatures(): number {
    return this.guard.refused;
  }

  /**
   * @param height the first undecided height (the node: finalized height + 1).
   * Call `start()` (fresh) or build with `TendermintCore.restore` (after a crash).
   */
  constructor(
    private readonly c: CoreConfig<V>,
    height: number,
  ) {
    this.height = height;
    this.w = new VotingPower(c.validators, c.excluded?.(height) ?? [], c.broken === 'half_quorum');
    this.log = this.newLog();
  }

  /** A process restarted from its persisted state only (no message log). */
  static restore<V>(c: CoreConfig<V>, s: PersistedState<V>): { core: TendermintCore<V>; out: Output<V> } {
    const core = new TendermintCore(c, s.height);
    Object.assign(core, { round: s.round, step: s.step, lockedValue: s.lockedValue, lockedRound: s.lockedRound, validValue: s.validValue, validRound: s.validRound });
    core.guard = new SignGuard(s.lastSigned, s.signed.filter((m) => m.height === s.height));
    core.validPol = (s.pol ?? []).filter((v) => v.height === s.height);
    for (const e of s.evidence) core.proofs.set(e.from, e);
    return { core, out: core.run(() => core.resume()) };
  }

  /** Line 10: upon start do StartRound(0) — after the NewHeight wait. */
  start(): Output<V> {
    return this.run(() => this.enterNewHeight());
  }

  /** A message or commit certificate whose sender the caller has authenticated. */
  receive(m: Input<V>): Output<V> {
    return this.run(() => this.accept(m));
  }

  /** Several messages at once (a gossip bundle); the rules run once after all of them. */
  receiveMany(ms: readonly Input<V>[]): Output<V> {
    return this.run(() => {
      for (const m of ms) this.accept(m);
    });
  }

  /** A timer armed from an earlier `TimeoutRequest` fired (lines 57, 61, 65). */
  onTimeout(height: number, round: number, step: TimeoutStep): Output<V> {
    return this.run(() => {
      if (height !== this.height) return;
      if (step === 'commit') {
        if (this.step === 'newHeight') this.startRound(0);
        return;
      }
      if (round !== this.round) return;
      if (step === 'propose' && this.step === 'propose') {
        this.timedOut.push('propose');
        this.sign({ type: 'prevote', height, round, id: null, from: this.c.self ?? '' }); // line 59
        this.step = 'prevote'; // line 60
      } else if (step === 'prevote' && this.step === 'prevote') {
        this.timedOut.push('prevote');
        this.sign({ type: 'precommit', height, round, id: null, from: this.c.self ?? '' }); // line 63
        this.step = 'precommit'; // line 64
      } else if (step === 'precommit') {
        this.timedOut.push('precommit');
        this.startRound(round + 1, 'timeout_precommit'); // line 67
      }
    });
  }

  /** What must be on disk (fsynced) before any message of the last output leaves the process. */
  persistentState(): PersistedState<V> {
    return { height: this.height, round: this.round, step: this.step, lockedValue: this.lockedValue, lockedRound: this.lockedRound, validValue: this.validValue, validRound: this.validRound, lastSigned: this.guard.lastSigned, signed: this.guard.signed, pol: this.polVotes(), evidence: [...this.proofs.values()] };
  }

  /** Messages of the current height in the given rounds (what gossip re-sends to peers). */
  messagesAt(rounds: Iterable<number>): ConsensusMessage<V>[] {
    return messagesIn(this.log, rounds);
  }

  private polVotes(): Vote[] {
    if (this.lockPol.length === 0) return this.validPol;
    if (this.validPol.length === 0 || this.validRound === this.lockedRound) return this.lockPol;
    return [...this.lockPol, ...this.validPol];
  }

  /** Ids of the values seen at the current height (proposals, certificates). */
  knownValueIds(): ValueId[] {
    return [...this.log.values.keys()];
  }

  isFaulty(id: string): boolean {
    return this.proofs.has(id);
  }

  /** Total voting power minus the power excluded at this height. */
  effectiveTotal(): bigint {
    return this.w.effective;
  }

  /** proposer(h, r) over the validators active at the current height. */
  proposerOf(round: number): string {
    return this.c.proposer(this.height, round, this.w.excluded);
  }

  private newLog(): HeightLog<V> {
    return new HeightLog<V>(this.height, this.c.idOf, this.w);
  }

  // ─── internals ───────────────────────────────────────────────────────────────────────────

  private run(fn: () => void): Output<V> {
    this.out = emptyOutput();
    fn();
    this.progress();
    return this.out;
  }

  private resume(): void {
    // Re-send this height's signatures unchanged (they may not have left before the crash).
    for (const m of this.guard.signed) {
      this.out.send.push(m);
      this.record(m);
    }
    // The proofs-of-lock we hold go back into the log (and so into gossip).
    for (const v of this.validPol) this.record(v);
    this.lockPol = this.validPol.filter((v) => v.round === this.lockedRound);
    this.validPol = this.validPol.filter((v) => v.round === this.validRound);
    if (this.step === 'newHeight') this.arm('commit', 0);
    else this.arm(this.step, this.round);
  }

  private accept(m: Input<V>): void {
    if (m.height < this.height) return;
    if (m.height > this.height) {
      this.future.hold(m, this.height);
      return;
    }
    if (m.type === 'commit') return this.acceptCommit(m);
    if (m.round < 0 || m.round > this.round + MAX_ROUNDS_AHEAD) return;
    if (!this.c.validators.has(m.from)) return;
    this.record(m);
  }

  private record(m: ConsensusMessage<V>): void {
    let r: AddResult<V>;
    if (m.type === 'proposal') {
      if (m.from !== this.proposerOf(m.round) || m.validRound >= m.round || m.validRound < -1) return;
      r = this.log.addProposal(m);
    } else r = this.log.addVote(m);
    if (typeof r === 'object') this.addEvidence(r);
  }

  private addEvidence(e: Evidence<V>): void {
    if (this.proofs.has(e.from)) return;
    this.out.evidence.push(e);
    this.proofs.set(e.from, e);
  }

  /** Catch-up: line 49 with the value and the precommits carried by the certificate. */
  private acceptCommit(c: CommitCertificate<V>): void {
    if (!certificateHolds(c, this.c.validators, this.c.idOf, this.w.excluded)) return;
    if (!this.c.valid(c.value, this.height)) return;
    this.decide(c.round, c.value, c.precommits);
  }

  /** Proofs of every validator proven faulty so far (for gossip and for the next block). */
  evidence(): Evidence<V>[] {
    return [...this.proofs.values()];
  }

  /** Signs (through the guard) and broadcasts one of our messages; it also enters our own log. */
  private sign(m: ConsensusMessage<V>): void {
    const self = this.c.self;
    if (self === undefined || !this.guard.admit(m)) return;
    this.out.send.push(m);
    this.record(m);
  }

  private arm(step: TimeoutStep, round: number): void {
    this.out.timeouts.push({ height: this.height, round, step, afterMs: this.c.timeout(step, round) });
  }

  private enterNewHeight(): void {
    this.step = 'newHeight';
    this.round = 0;
    this.arm('commit', 0);
  }

  /** Lines 11–21. */
  private startRound(round: number, reason: 'timeout_precommit' | 'round_skip' = 'round_skip'): void {
    if (round > 0) this.out.roundChanges.push({ height: this.height, from: this.round, to: round, reason, timedOut: this.timedOut });
    this.timedOut = [];
    this.round = round; // line 12
    this.step = 'propose'; // line 13
    if (this.c.self !== undefined && this.proposerOf(round) === this.c.self) {
      const proposal = this.validValue ?? this.c.getValue(this.height, round); // lines 15–18
      if (proposal !== undefined) this.sign({ type: 'proposal', height: this.height, round, value: proposal, validRound: this.validRound, from: this.c.self }); // line 19
    }
    // Line 21 (non-proposers); the proposer arms it too, so a proposal that fails its own guard still moves on.
    this.arm('propose', round);
  }

  /** Applies the upon-rules until none fires (each rule changes the step or a "first time" flag). */
  private progress(): void {
    for (let i = 0; i < 10_000; i++) if (!this.fireOne()) return;
    throw new Error('tendermint core: rules did not settle'); // a bug, never input-dependent
  }

  private fireOne(): boolean {
    return this.ruleDecide() || this.ruleRoundSkip() || this.ruleProposal() || this.rulePrevoteQuorum() || this.rulePrevoteNil() || this.ruleTimers();
  }

  /** Lines 49–54: a proposal and > 2/3 precommits for it in any round r decide the height. */
  private ruleDecide(): boolean {
    for (const [r, rl] of this.log.rounds) {
      const id = this.log.quorumId(r, 'precommit');
      if (id === undefined || id === null) continue;
      const v = rl.proposals.get(id)?.value ?? this.log.values.get(id);
      if (v === undefined || !this.c.valid(v, this.height)) continue; // line 50
      const precommits: Vote[] = [];
      for (const [from, vs] of rl.precommits) if (!this.w.excluded.has(from)) precommits.push(...vs.filter((p) => p.id === id));
      this.decide(r, v, precommits);
      return true;
    }
    return false;
  }

  /** Lines 51–54: record the decision, move to the next height, reset the round state and the log. */
  private decide(r: number, v: V, precommits: Vote[]): void {
    const certificate: CommitCertificate<V> = { type: 'commit', height: this.height, round: r, value: v, precommits };
    this.out.decisions.push({ height: this.height, round: r, value: v, certificate }); // line 51
    this.height++; // line 52
    this.lockedValue = null; // line 53
    this.lockedRound = -1;
    this.validValue = null;
    this.validRound = -1;
    this.lockPol = [];
    this.validPol = [];
    this.w = this.w.excluding(this.c.excludes?.(v) ?? []);
    this.log = this.newLog();
    this.fired.clear();
    this.timedOut = [];
    this.enterNewHeight(); // line 54, after timeout_commit
    for (const m of this.future.take(this.height)) this.accept(m);
  }

  /** Lines 55–56: messages from > 1/3 of the power in a higher round → StartRound(that round). */
  private ruleRoundSkip(): boolean {
    let best = -1;
    for (const [r, rl] of this.log.rounds) {
      if (r <= this.round || r <= best) continue;
      if (this.w.third(rl.senderPower)) best = r;
    }
    if (best < 0) return false;
    this.startRound(best, 'round_skip');
    return true;
  }

  /** Lines 22–33: the first acceptable proposal of this round while in the propose step. */
  private ruleProposal(): boolean {
    if (this.step !== 'propose') return false;
    const rl = this.log.rounds.get(this.round);
    if (!rl) return false;
    for (const p of rl.proposals.values()) {
      const id = this.c.idOf(p.value);
      let ok: boolean;
      if (p.validRound === -1) {
        // lines 22–23
        ok = this.c.valid(p.value, this.height) && (this.lockedRound === -1 || this.lockedId() === id || this.c.broken === 'ignore_lock');
      } else {
        // lines 28–29: needs > 2/3 prevotes for id(v) in round vr < round_p
        if (this.log.quorumId(p.validRound, 'prevote') !== id) continue;
        ok = this.c.valid(p.value, this.height) && (this.lockedRound <= p.validRound || this.lockedId() === id || this.c.broken === 'ignore_lock');
      }
      this.sign({ type: 'prevote', height: this.height, round: this.round, id: ok ? id : null, from: this.c.self ?? '' }); // lines 24/26/30/32
      this.step = 'prevote'; // lines 27/33
      return true;
    }
    return false;
  }

  private lockedId(): ValueId | undefined {
    return this.lockedValue === null ? undefined : this.c.idOf(this.lockedValue);
  }

  /** Lines 36–43: a proposal of this round with > 2/3 prevotes, step ≥ prevote, first time. */
  private rulePrevoteQuorum(): boolean {
    if (this.step !== 'prevote' && this.step !== 'precommit') return false;
    const key = `36:${this.round}`;
    if (this.fired.has(key)) return false;
    const id = this.log.quorumId(this.round, 'prevote');
    if (id === undefined || id === null) return false;
    const p: Proposal<V> | undefined = this.log.rounds.get(this.round)?.proposals.get(id);
    if (!p || !this.c.valid(p.value, this.height)) return false;
    this.fired.add(key);
    const pol: Vote[] = [];
    for (const vs of this.log.rounds.get(this.round)!.prevotes.values()) for (const v of vs) if (v.id === id) pol.push(v);
    if (this.step === 'prevote') {
      this.lockedValue = p.value; // line 38
      this.lockedRound = this.round; // line 39
      this.lockPol = pol;
      this.sign({ type: 'precommit', height: this.height, round: this.round, id, from: this.c.self ?? '' }); // line 40
      this.step = 'precommit'; // line 41
    }
    this.validValue = p.value; // line 42
    this.validRound = this.round; // line 43
    this.validPol = pol;
    return true;
  }

  /** Lines 44–46: > 2/3 prevotes for nil while in the prevote step. */
  private rulePrevoteNil(): boolean {
    if (this.step !== 'prevote' || this.log.quorumId(this.round, 'prevote') !== null) return false;
    this.sign({ type: 'precommit', height: this.height, round: this.round, id: null, from: this.c.self ?? '' }); // line 45
    this.step = 'precommit'; // line 46
    return true;
  }

  /** Lines 34–35 and 47–48: arm the prevote / precommit timeouts the first time a quorum of any votes is seen. */
  private ruleTimers(): boolean {
    const r = this.round;
    if (this.step === 'prevote' && !this.fired.has(`34:${r}`) && this.log.anyQuorum(r, 'prevote')) {
      this.fired.add(`34:${r}`);
      this.arm('prevote', r);
      return true;
    }
    if (this.step !== 'newHeight' && !this.fired.has(`47:${r}`) && this.log.anyQuorum(r, 'precommit')) {
      this.fired.add(`47:${r}`);
      this.arm('precommit', r);
      return true;
    }
    return false;
  }
}

export type { Input };
