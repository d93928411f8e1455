/**
 * Disbursement lifecycle rules (pure; spec/treasury.md §2 with our decisions, spec/README.md):
 *
 *   Draft ──advance──▶ Voting ──deadline, quorum met & yes>no──▶ Queued ──timelock──▶ Timelocked
 *     │                  └──deadline, quorum missed or yes≤no──▶ Expired
 *   Timelocked ──execute (lease holder, from epoch scheduled_epoch on)──▶ Executed ──rollback window passes──▶ Finalized
 *   Draft|Voting|Queued|Timelocked ──rollback (validator)──▶ RolledBack (nothing moved)
 *   Executed ──rollback within the window (validator)──▶ RolledBack + compensating move
 *   anything else is refused with a stable reason.
 *
 * Votes: validators only, stake-weighted (ctx.validators); turnout = (yes+no+abstain) stake /
 * total stake; passes when turnout_ppm ≥ quorum_ppm (exactly at quorum passes) and yes > no.
 * Who pays: the signer of each call pays its fee (create/advance/vote/rollback/lease: the key that
 * acts — the node key or a local wallet key named in `from`). Execution is the treasury's own:
 * it moves `amount` from TREASURY_ADDRESS to the destination and refunds the executor's tx fee
 * from the treasury in the same tx (the treasury must hold amount + fee; `execution_fee` records
 * it). The tx's hash is the execution tx hash; the compensating move of a rollback is destination → treasury
 * (refused with `compensation_unavailable` when the destination no longer holds the amount —
 * value is never minted).
 */
import type { BlockContext, Refusal, TxContext } from '../chain/module.js';
import { TREASURY_ADDRESS } from './account.js';
import { termsOf, type DisbursementPayload } from './payload.js';
import type { Choice, Disbursement, DisbursementStatus, Lease, Tally, TreasuryState } from './state.js';

/** Blocks per epoch (chain/block.ts EPOCH_BLOCKS; the payload's epochs use the same length). */
export const EPOCH_BLOCKS_R = 120;

/** First height of a disbursement's `scheduled_epoch` (the executor cannot execute before it; reference TE: `scheduled_epoch <= height / 120`). */
export function scheduledHeight(d: Pick<Disbursement, 'scheduled_epoch'>): number {
  return d.scheduled_epoch * EPOCH_BLOCKS_R;
}

export class TreasuryRefusal extends Error implements Refusal {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
function no(reason: string, message: string): never {
  throw new TreasuryRefusal(reason, message);
}

function find(s: TreasuryState, id: number): Disbursement {
  return s.disbursements.find((d) => d.id === id) ?? no('not_found', `disbursement ${id} not found`);
}

function put(s: TreasuryState, d: Disbursement): TreasuryState {
  return { ...s, disbursements: s.disbursements.map((x) => (x.id === d.id ? d : x)) };
}

function enter(d: Disbursement, status: DisbursementStatus, ctx: BlockContext, by: string, extra: Partial<Disbursement> = {}): Disbursement {
  return { ...d, ...extra, status, history: [...d.history, { status, height: ctx.height, at_ms: ctx.timestampMs, by }] };
}

function requireValidator(ctx: TxContext, what: string): void {
  if (!ctx.validators.has(ctx.sender)) no('not_a_validator', `${what}: ${ctx.sender} is not a validator`);
}

export function create(s: TreasuryState, p: DisbursementPayload, ctx: TxContext): TreasuryState {
  const d = p.disbursement;
  const rec: Disbursement = {
    id: s.next_id,
    destination: d.destination,
    amount: String(d.amount),
    memo: d.memo,
    scheduled_epoch: d.scheduled_epoch,
    creator: ctx.sender,
    created_height: ctx.height,
    created_at_ms: ctx.timestampMs,
    terms: termsOf(p),
    expected_receipts: (d.expected_receipts ?? []).map((r) => ({ account: r.account, amount: String(r.amount) })),
    status: 'Draft',
    history: [{ status: 'Draft', height: ctx.height, at_ms: ctx.timestampMs, by: ctx.sender }],
    votes: {},
    vote_deadline_height: null,
    activation_height: null,
    finalize_height: null,
    tx_hash: null,
    receipts: [],
    tally: null,
    rollback: null,
  };
  return { ...s, next_id: s.next_id + 1, disbursements: [...s.disbursements, rec] };
}

/** Draft → Voting (anyone may open the vote; the deadline is fixed by the terms). */
export function advance(s: TreasuryState, id: number, ctx: TxContext): TreasuryState {
  const d = find(s, id);
  if (d.status !== 'Draft') no('bad_transition', `disbursement ${id} is ${d.status}; only a Draft can be opened for voting`);
  return put(s, enter(d, 'Voting', ctx, ctx.sender, { vote_deadline_height: ctx.height + d.terms.vote_window_blocks }));
}

export function vote(s: TreasuryState, id: number, choice: Choice, ctx: TxContext): TreasuryState {
  requireValidator(ctx, `vote on disbursement ${id}`);
  const d = find(s, id);
  if (d.status !== 'Voting') no('vote_closed', `disbursement ${id} is ${d.status}; votes are taken only while Voting`);
  if (d.vote_deadline_height !== null && ctx.height >= d.vote_deadline_height) no('vote_closed', `vote window of disbursement ${id} closed at height ${d.vote_deadline_height}`);
  return put(s, { ...d, votes: { ...d.votes, [ctx.sender]: choice } });
}

/** Stake-weighted tally of `votes` against `quorum_ppm`. */
export function tally(votes: Record<string, Choice>, validators: ReadonlyMap<string, bigint>, quorumPpm: number): Tally {
  const sum: Record<Choice, bigint> = { yes: 0n, no: 0n, abstain: 0n };
  let total = 0n;
  for (const st of validators.values()) total += st;
  for (const [voter, c] of Object.entries(votes)) sum[c] += validators.get(voter) ?? 0n;
  const turnout = sum.yes + sum.no + sum.abstain;
  const turnoutPpm = total === 0n ? 0 : Number((turnout * 1_000_000n) / total);
  // Exact comparison (no rounding): turnout/total ≥ quorum/1e6.
  const quorumMet = turnout * 1_000_000n >= BigInt(quorumPpm) * total && total > 0n;
  return {
    yes: sum.yes.toString(), no: sum.no.toString(), abstain: sum.abstain.toString(), total_stake: total.toString(),
    quorum_ppm: quorumPpm, turnout_ppm: turnoutPpm, passed: quorumMet && sum.yes > sum.no,
  };
}

/** Executor lease: acquire (free or expired → new id), renew (holder), release (ttl 0, holder). */
export function lease(s: TreasuryState, ttlBlocks: number, ctx: TxContext): TreasuryState {
  const l = s.lease;
  const live = l !== null && l.expires_height > ctx.height;
  if (ttlBlocks === 0) {
    if (!live || l.holder !== ctx.sender) no('lease_not_held', `${ctx.sender} holds no live executor lease to release`);
    return { ...s, lease: { ...l, expires_height: ctx.height } };
  }
  if (live && l.holder !== ctx.sender) no('lease_held', `executor lease ${l.id} is held by ${l.holder} until height ${l.expires_height}`);
  if (live) return { ...s, lease: { ...l, expires_height: ctx.height + ttlBlocks, renewals: l.renewals + 1 } };
  const fresh: Lease = { id: s.next_lease_id, holder: ctx.sender, acquired_height: ctx.height, expires_height: ctx.height + ttlBlocks, renewals: 0 };
  return { ...s, lease: fresh, next_lease_id: s.next_lease_id + 1 };
}

export function execute(s: TreasuryState, id: number, ctx: TxContext): TreasuryState {
  const l = s.lease;
  if (l === null || l.expires_height <= ctx.height) no('lease_not_held', `executing disbursement ${id} needs the executor lease; none is live`);
  if (l.holder !== ctx.sender) no('lease_held', `executor lease ${l.id} is held by ${l.holder}, not ${ctx.sender}`);
  const d = find(s, id);
  if (d.status === 'Queued') no('timelocked', `disbursement ${id} is still timelocked until height ${d.activation_height}`);
  if (d.status !== 'Timelocked') no('bad_transition', `cannot execute disbursement ${id} from ${d.status}`);
  if (ctx.epoch < d.scheduled_epoch)
    no('not_scheduled', `disbursement ${id} is scheduled for epoch ${d.scheduled_epoch} (from height ${scheduledHeight(d)}); this block is in epoch ${ctx.epoch}`);
  for (const dep of d.terms.deps) {
    const dd = s.disbursements.find((x) => x.id === dep);
    if (!dd || (dd.status !== 'Executed' && dd.status !== 'Finalized')) no('dependency_failed', `disbursement ${id} depends on ${dep}, which is ${dd?.status ?? 'missing'}`);
  }
  if (!/^tb1[0-9a-f]{40}$/.test(d.destination)) no('invalid_target', `disbursement ${id}: ${d.destination} is not an account of this chain (tb1 + 40 lowercase hex)`);
  // The treasury pays the execution: amount to the destination and the tx fee back to the executor
  // (reference TE: the execution tx is the treasury account's own and pays its fee from it).
  const amount = BigInt(d.amount);
  const held = ctx.ledger.balance(TREASURY_ADDRESS);
  if (held < amount + ctx.fee) no('insufficient_funds', `executing disbursement ${id}: the treasury holds ${held}, less than amount ${amount} + execution fee ${ctx.fee}`);
  const moved = ctx.ledger.transfer(TREASURY_ADDRESS, d.destination, amount) ?? (ctx.fee > 0n ? ctx.ledger.transfer(TREASURY_ADDRESS, ctx.sender, ctx.fee) : null);
  if (moved) no(moved.reason === 'insufficient_balance' ? 'insufficient_funds' : moved.reason, `executing disbursement ${id}: ${moved.message}`);
  const receipts = d.expected_receipts.length > 0 ? d.expected_receipts : [{ account: d.destination, amount: d.amount }];
  return put(s, enter(d, 'Executed', ctx, ctx.sender, { tx_hash: ctx.txHash, execution_fee: ctx.fee.toString(), receipts, finalize_height: ctx.height + d.terms.rollback_window_blocks }));
}

export function rollback(s: TreasuryState, id: number, reason: string, ctx: TxContext): TreasuryState {
  requireValidator(ctx, `rollback of disbursement ${id}`);
  const d = find(s, id);
  if (d.status === 'Finalized') no('rollback_window_closed', `disbursement ${id} finalized at height ${d.finalize_height}; the rollback window is closed`);
  if (d.status === 'RolledBack' || d.status === 'Expired') no('bad_transition', `disbursement ${id} is already ${d.status}`);
  if (d.status === 'Executed') {
    if (d.finalize_height !== null && ctx.height >= d.finalize_height) no('rollback_window_closed', `rollback window of disbursement ${id} closed at height ${d.finalize_height}`);
    const moved = ctx.ledger.transfer(d.destination, TREASURY_ADDRESS, BigInt(d.amount));
    if (moved) no('compensation_unavailable', `cannot take ${d.amount} back from ${d.destination}: ${moved.message}`);
    const compensation = { from: d.destination, to: TREASURY_ADDRESS, amount: d.amount, tx_hash: ctx.txHash, height: ctx.height };
    return put(s, enter(d, 'RolledBack', ctx, ctx.sender, { rollback: { reason, prior_tx: d.tx_hash, compensation } }));
  }
  return put(s, enter(d, 'RolledBack', ctx, ctx.sender, { rollback: { reason, prior_tx: null, compensation: null } }));
}

/** Block-driven steps: vote deadlines (tally), timelock ends, rollback window ends. */
export function stepBlock(s: TreasuryState, ctx: BlockContext): TreasuryState {
  let changed = false;
  const ds = s.disbursements.map((d) => {
    if (d.status === 'Voting' && d.vote_deadline_height !== null && ctx.height >= d.vote_deadline_height) {
      changed = true;
      const t = tally(d.votes, ctx.validators, d.terms.quorum_ppm);
      return t.passed ? enter(d, 'Queued', ctx, 'chain', { tally: t, activation_height: ctx.height + d.terms.timelock_blocks }) : enter(d, 'Expired', ctx, 'chain', { tally: t });
    }
    if (d.status === 'Queued' && d.activation_height !== null && ctx.height >= d.activation_height) {
      changed = true;
      return enter(d, 'Timelocked', ctx, 'chain');
    }
    if (d.status === 'Executed' && d.finalize_height !== null && ctx.height >= d.finalize_height) {
      changed = true;
      return enter(d, 'Finalized', ctx, 'chain');
    }
    return d;
  });
  return changed ? { ...s, disbursements: ds } : s;
}
