/**
 * Read-side shapes of the treasury (pure): a disbursement as the timeline / `gov disburse show`
 * shows it (src/shared/api/treasury.ts DisbursementView), list filtering and paging, deadlines.
 */
import type { DisbursementView } from '../../shared/api/treasury.js';
import type { Deadline } from '../modules/index.js';
import { scheduledHeight, tally } from './rules.js';
import type { Disbursement, TreasuryState } from './state.js';

export interface ViewContext {
  height: number;
  /** Timestamp of the tip block (ms). */
  tipMs: number;
  blockTimeMs: number;
  validators: ReadonlyMap<string, bigint>;
  treasuryBalance: bigint;
}

/** The next block-driven transition of `d` at chain height `height`, if any (a Timelocked one waits for its scheduled epoch). */
export function nextEvent(d: Disbursement, height: number): { event: string; height: number } | null {
  if (d.status === 'Voting' && d.vote_deadline_height !== null) return { event: 'vote_close', height: d.vote_deadline_height };
  if (d.status === 'Queued' && d.activation_height !== null) return { event: 'timelock_end', height: d.activation_height };
  if ((d.status === 'Queued' || d.status === 'Timelocked') && scheduledHeight(d) > height) return { event: 'scheduled_epoch', height: scheduledHeight(d) };
  if (d.status === 'Executed' && d.finalize_height !== null) return { event: 'rollback_window_end', height: d.finalize_height };
  return null;
}

export function disbursementView(d: Disbursement, c: ViewContext): DisbursementView {
  const t = d.tally ?? tally(d.votes, c.validators, d.terms.quorum_ppm);
  const n = nextEvent(d, c.height);
  const amount = BigInt(d.amount);
  const spent = d.status === 'Executed' || d.status === 'Finalized';
  // Executed: the treasury paid the amount and the execution fee (rules.ts execute).
  const before = spent ? c.treasuryBalance + amount + BigInt(d.execution_fee ?? '0') : c.treasuryBalance;
  // Ended without a lasting move (cancelled, compensated, expired): no effect on the balance.
  const none = d.status === 'RolledBack' || d.status === 'Expired';
  const after = spent || none ? c.treasuryBalance : c.treasuryBalance - amount;
  return {
    id: d.id,
    title: d.terms.title,
    summary: d.terms.summary,
    destination: d.destination,
    amount: d.amount,
    memo: d.memo,
    scheduled_epoch: d.scheduled_epoch,
    deps: d.terms.deps,
    creator: d.creator,
    status: d.status,
    stages: d.history,
    votes: {
      yes: t.yes, no: t.no, abstain: t.abstain, total_stake: t.total_stake, quorum_ppm: t.quorum_ppm, turnout_ppm: t.turnout_ppm, passing: t.passed,
      voters: Object.entries(d.votes).map(([address, choice]) => ({ address, choice, stake: (c.validators.get(address) ?? 0n).toString() })),
    },
    windows: { vote_blocks: d.terms.vote_window_blocks, timelock_blocks: d.terms.timelock_blocks, rollback_blocks: d.terms.rollback_window_blocks },
    next: n && { event: n.event, height: n.height, blocks_left: Math.max(0, n.height - c.height), eta_ms: c.tipMs + Math.max(0, n.height - c.height) * c.blockTimeMs },
    effect: { destination: d.destination, amount: d.amount, treasury_before: (before < 0n ? 0n : before).toString(), treasury_after: after.toString() },
    tx_hash: d.tx_hash,
    execution_fee: d.execution_fee ?? null,
    receipts: d.receipts,
    expected_receipts: d.expected_receipts,
    rollback: d.rollback,
  };
}

/** Amount approved or in flight (not yet executed, not ended). */
export function committed(s: TreasuryState): bigint {
  return s.disbursements.filter((d) => d.status === 'Queued' || d.status === 'Timelocked').reduce((a, d) => a + BigInt(d.amount), 0n);
}

/** Newest-first page: ids below `cursor`, optional status and case-insensitive search. */
export function page(s: TreasuryState, o: { cursor?: number; limit: number; status?: string; search?: string }): { items: Disbursement[]; next_cursor?: number } {
  const limit = o.limit === 0 ? 50 : o.limit;
  const q = o.search?.toLowerCase();
  const all = [...s.disbursements]
    .sort((a, b) => b.id - a.id)
    .filter((d) => (o.cursor === undefined || d.id < o.cursor) && (o.status === undefined || d.status === o.status))
    .filter((d) => !q || `${d.terms.title} ${d.destination} ${d.memo} ${d.id}`.toLowerCase().includes(q));
  const items = all.slice(0, limit);
  return all.length > limit ? { items, next_cursor: items[items.length - 1]!.id } : { items };
}

/** Upcoming transitions for the console's deadline inbox. */
export function treasuryDeadlines(s: TreasuryState, c: { height: number; tipMs: number; blockTimeMs: number }): Deadline[] {
  const out: Deadline[] = [];
  for (const d of s.disbursements) {
    const n = nextEvent(d, c.height);
    if (!n) continue;
    const label = { vote_close: 'vote closes', timelock_end: 'timelock ends', scheduled_epoch: `scheduled epoch ${d.scheduled_epoch} starts`, rollback_window_end: 'rollback window ends' }[n.event] ?? n.event;
    out.push({ module: 'treasury', kind: n.event, label: `disbursement ${d.id}: ${label}`, height: n.height, at_ms: c.tipMs + Math.max(0, n.height - c.height) * c.blockTimeMs });
  }
  for (const p of s.param_proposals) {
    if (p.status === 'Voting') out.push({ module: 'treasury', kind: 'param_vote_close', label: `param ${p.name} vote closes`, height: p.vote_deadline_height });
    if (p.status === 'Approved' && p.activation_height !== null) out.push({ module: 'treasury', kind: 'param_activation', label: `param ${p.name} = ${p.value} activates`, height: p.activation_height });
  }
  return out;
}
