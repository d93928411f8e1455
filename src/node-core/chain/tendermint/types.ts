/**
 * Messages, state and outputs of the Tendermint consensus core (`core.ts`).
 *
 * Protocol: Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT consensus" (arXiv 1807.04938,
 * Algorithm 1), as restated in CometBFT `spec/consensus/consensus.md` and its pseudo-code page.
 * The types are generic over the proposed value `V` (a block in the node, a small record in the
 * simulator); the core only ever looks at a value through `idOf(v)` and `valid(v)`.
 *
 * Every message is authenticated by its sender (`from` = validator id). The core trusts `from`:
 * the caller verifies signatures before a message reaches the core (the node: Ed25519 over the
 * message's sign bytes; the simulator: a sender can only create messages in its own name).
 */

/** Hash of a value (hex). `null` in a vote is the paper's `nil`. */
export type ValueId = string;

/**
 * A round's steps (paper §3, `step_p ∈ {propose, prevote, precommit}`) plus CometBFT's
 * `NewHeight` wait (consensus.md "Commit" → "NewHeight": wait `timeout_commit` before round 0 so
 * blocks come every block time and late precommits are still gathered).
 */
export type Step = 'newHeight' | 'propose' | 'prevote' | 'precommit';
export type VoteType = 'prevote' | 'precommit';

/** ⟨PROPOSAL, h, r, v, validRound⟩ (Algorithm 1 line 19). */
export interface Proposal<V> {
  type: 'proposal';
  height: number;
  round: number;
  value: V;
  /** −1 or the round of the proof-of-lock (POL) the proposer re-proposes. */
  validRound: number;
  from: string;
}

/** ⟨PREVOTE, h, r, id(v) | nil⟩ and ⟨PRECOMMIT, h, r, id(v) | nil⟩ (lines 24/26/30/32/40/45/59/63). */
export interface Vote {
  type: VoteType;
  height: number;
  round: number;
  id: ValueId | null;
  from: string;
}

export type ConsensusMessage<V> = Proposal<V> | Vote;

/**
 * A decided value with its proof: > 2/3 of the voting power precommitted `id(value)` at
 * (`height`, `round`). Also an input: a node behind catches up with it (CometBFT "Commit"/block
 * sync), which is line 49 with the value carried beside the precommits.
 */
export interface CommitCertificate<V> {
  type: 'commit';
  height: number;
  round: number;
  value: V;
  precommits: Vote[];
}

export type Input<V> = ConsensusMessage<V> | CommitCertificate<V>;

export type TimeoutStep = 'commit' | 'propose' | 'prevote' | 'precommit';

/** A timer the caller must arm: call `onTimeout(height, round, step)` after `afterMs`. */
export interface TimeoutRequest {
  height: number;
  round: number;
  step: TimeoutStep;
  afterMs: number;
}

/** Two signed messages of one validator that cannot both be honest. */
export interface Evidence<V> {
  kind: 'proposal' | 'vote';
  from: string;
  height: number;
  round: number;
  a: ConsensusMessage<V>;
  b: ConsensusMessage<V>;
}

/** Why the round moved above the one it was in (one log line per change above round 0). */
export interface RoundChange {
  height: number;
  from: number;
  to: number;
  reason: 'timeout_precommit' | 'round_skip';
  /** Steps whose timeouts fired in the round left (what the operator sees as "why"). */
  timedOut: TimeoutStep[];
}

export interface Decision<V> {
  height: number;
  round: number;
  value: V;
  certificate: CommitCertificate<V>;
}

/** Everything one input produced. The caller must persist `persistentState()` before sending. */
export interface Output<V> {
  /** Messages this validator signs and broadcasts (already counted in its own log). */
  send: ConsensusMessage<V>[];
  timeouts: TimeoutRequest[];
  decisions: Decision<V>[];
  evidence: Evidence<V>[];
  roundChanges: RoundChange[];
}

/** 0 proposal < 1 prevote < 2 precommit: the order of signatures within a round. */
export type SignStep = 0 | 1 | 2;

/**
 * What survives a crash (CometBFT `priv_validator_state.json` + the WAL): the last signed
 * height/round/step, the messages signed at this height, and the round state the locking rules
 * depend on.
 */
export interface PersistedState<V> {
  height: number;
  round: number;
  step: Step;
  lockedValue: V | null;
  lockedRound: number;
  validValue: V | null;
  validRound: number;
  lastSigned: { height: number; round: number; step: SignStep } | null;
  /**
   * Every message this validator signed at the current height (at most 3 per round): re-sent and
   * re-counted after a restart, so a vote that never left before a crash is not lost for good
   * (the paper assumes messages of correct processes are eventually delivered; CometBFT's WAL).
   */
  signed: ConsensusMessage<V>[];
  /**
   * The prevotes (> 2/3) that justified the lock and the valid value: re-gossiped after a restart,
   * so others can still check the proof-of-lock when its only copy was in this process's memory
   * (the Byzantine sender may never send it again) — CometBFT keeps them in its WAL.
   */
  pol: Vote[];
  /** Proofs of the validators proven faulty (kept and gossiped until a block carries them). */
  evidence: Evidence<V>[];
}

/** What a `TendermintCore` (core.ts) is built with: the validator set and the caller's hooks. */
export interface CoreConfig<V> {
  /** Voting power by validator id (the validator set of every height here). */
  validators: ReadonlyMap<string, bigint>;
  /**
   * Validators whose power is excluded at `height` (proven equivocators). Must be a function of
   * the decided chain below `height` (evidence committed in blocks), the same at every process.
   * Read once, when the core is built; after that the core adds `excludes(v)` of each value it decides.
   */
  excluded?(height: number): Iterable<string>;
  /** Validators a decided value excludes from the next height on (the evidence it commits). */
  excludes?(v: V): Iterable<string>;
  /** This process's validator id; undefined for a full node (follows, never signs). */
  self?: string;
  /**
   * proposer(h, r) of the paper (§2): deterministic from the validator set active at h, i.e. the
   * genesis set without `excluded` (the validators excluded at h, as this core holds them).
   */
  proposer(height: number, round: number, excluded: ReadonlySet<string>): string;
  /**
   * getValue() of line 18: a new value to propose at (height, round); undefined when the caller
   * has none to offer yet (the node: the previous block is still being committed) — the proposer
   * then stays silent in that round, as a slow proposer would (liveness only).
   */
  getValue(height: number, round: number): V | undefined;
  /** valid(v) of lines 23/29/36/50 (for the node: the block applies on the decided parent). */
  valid(v: V, height: number): boolean;
  idOf(v: V): ValueId;
  /** timeoutPropose/Prevote/Precommit(round) of lines 21/35/48 (must grow with the round) and timeout_commit (ms). */
  timeout(step: TimeoutStep, round: number): number;
  /**
   * Test-only broken variants that the simulator must catch (issue 10 "the harness must be able to
   * fail"): `ignore_lock` prevotes any valid proposal, unlocking without a newer POL (breaks
   * lines 23 and 29); `half_quorum` counts more than 1/2 of the power as "2f + 1".
   */
  broken?: 'ignore_lock' | 'half_quorum';
}
