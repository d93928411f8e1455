/**
 * Treasury chain state (pure data): disbursements with their full stage history, the executor
 * lease, governance params and param proposals. Stored as `[1, <JSON text>]` (a canonical CBOR
 * array of an integer and a text string); the JSON is produced by this module's own code in a
 * fixed key order, so encode(decode(x)) reproduces x byte for byte. Amounts are decimal strings
 * of base units (integers end to end; never JS numbers).
 */
import canonicalize from 'canonicalize';
import { asArray, CodecError } from '../codec/canonical.js';
import type { Terms } from './payload.js';

export const DISBURSEMENT_STATUSES = ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized', 'RolledBack', 'Expired'] as const;
export type DisbursementStatus = (typeof DISBURSEMENT_STATUSES)[number];
export type Choice = 'yes' | 'no' | 'abstain';

/** One entry of a disbursement's stage strip: when it entered a state and who (an address, or `chain` for a block-driven step). */
export interface Stage {
  status: DisbursementStatus;
  height: number;
  at_ms: number;
  by: string;
}

export interface Receipt {
  account: string;
  amount: string;
}

export interface Compensation {
  /** Ledger move that undid the execution: destination → treasury. */
  from: string;
  to: string;
  amount: string;
  tx_hash: string;
  height: number;
}

export interface Disbursement {
  id: number;
  destination: string;
  amount: string;
  memo: string;
  scheduled_epoch: number;
  creator: string;
  created_height: number;
  created_at_ms: number;
  terms: Terms;
  expected_receipts: Receipt[];
  status: DisbursementStatus;
  history: Stage[];
  /** Voter address → choice (validators only; a later vote replaces an earlier one). */
  votes: Record<string, Choice>;
  vote_deadline_height: number | null;
  activation_height: number | null;
  finalize_height: number | null;
  tx_hash: string | null;
  /** Fee of the execution tx, refunded to the executor by the treasury (base units); absent before execution. */
  execution_fee?: string;
  receipts: Receipt[];
  /** Tally at the vote deadline (stake, base units as decimal strings). */
  tally: Tally | null;
  rollback: { reason: string; prior_tx: string | null; compensation: Compensation | null } | null;
}

export interface Tally {
  yes: string;
  no: string;
  abstain: string;
  total_stake: string;
  quorum_ppm: number;
  turnout_ppm: number;
  passed: boolean;
}

export interface Lease {
  id: number;
  holder: string;
  acquired_height: number;
  expires_height: number;
  renewals: number;
}

export type ParamStatus = 'Voting' | 'Approved' | 'Active' | 'Rejected' | 'RolledBack';

export interface ParamProposal {
  id: number;
  name: string;
  value: string;
  prior_value: string | null;
  proposer: string;
  created_height: number;
  vote_deadline_height: number;
  votes: Record<string, Choice>;
  status: ParamStatus;
  activation_height: number | null;
  /** Earliest activation epoch named by the proposal (absent: the first boundary after the vote). */
  scheduled_epoch?: number;
  rollback_reason: string | null;
  history: { status: ParamStatus; height: number; by: string }[];
}

export interface TreasuryState {
  next_id: number;
  disbursements: Disbursement[];
  lease: Lease | null;
  next_lease_id: number;
  /** Param overrides in force (name → decimal string); absent = default (params.ts). */
  params: Record<string, string>;
  next_param_id: number;
  param_proposals: ParamProposal[];
  /** Base units taken from block fees so far (accrual.ts); absent = 0 (states written before the fee share). */
  fees_accrued?: string;
}

export const EMPTY_TREASURY: TreasuryState = Object.freeze({
  next_id: 1,
  disbursements: [],
  lease: null,
  next_lease_id: 1,
  params: {},
  next_param_id: 1,
  param_proposals: [],
}) as TreasuryState;

export function encodeTreasury(s: TreasuryState): unknown {
  // RFC 8785 canonical JSON (`canonicalize`): the same bytes whatever the key order of `s`.
  return [1, canonicalize(s) as string];
}

/** @throws CodecError on a malformed record. */
export function decodeTreasury(v: unknown): TreasuryState {
  const a = asArray(v, 'treasury state', 2);
  if (a[0] !== 1) throw new CodecError(`treasury state version ${String(a[0])} is not supported (expected 1)`);
  if (typeof a[1] !== 'string') throw new CodecError('treasury state body must be text');
  let s: TreasuryState;
  try {
    s = JSON.parse(a[1]) as TreasuryState;
  } catch (err) {
    throw new CodecError(`treasury state body is not JSON: ${(err as Error).message}`);
  }
  if (typeof s !== 'object' || s === null || !Array.isArray(s.disbursements) || typeof s.next_id !== 'number' || !Array.isArray(s.param_proposals))
    throw new CodecError('treasury state body lacks disbursements/next_id/param_proposals');
  return s;
}
