/**
 * Governance params (pure): named integer params with defaults and bounds, changed by
 * stake-weighted proposals of validators. A proposal votes for PARAM_VOTE_BLOCKS; at the deadline
 * it passes when turnout ≥ PARAM_QUORUM_PPM of stake and yes > no, and activates at the next
 * epoch boundary (height multiple of EPOCH_BLOCKS), or at its `scheduled_epoch` when the proposal
 * named a later one. An Active change can be rolled back by a
 * validator within ROLLBACK_WINDOW_EPOCHS epochs of its activation (the prior value returns).
 *
 * Other modules read params with `getParam(ctx.read(treasuryState), 'energy_min_stake')`.
 */
import type { BlockContext, TxContext } from '../chain/module.js';
import { TreasuryRefusal, tally } from './rules.js';
import type { Choice, ParamProposal, ParamStatus, TreasuryState } from './state.js';

export const EPOCH_BLOCKS_P = 120;
export const ROLLBACK_WINDOW_EPOCHS = 1;
export const PARAM_VOTE_BLOCKS = 120;
export const PARAM_QUORUM_PPM = 500_000;

/** Param table: default and inclusive bounds (integers; units in the name). */
export const PARAMS = {
  // energy market (issue 14)
  energy_min_stake: { default: 1000n, min: 0n, max: 10n ** 15n, doc: 'minimum provider stake (base units)' },
  energy_oracle_timeout_blocks: { default: 30n, min: 1n, max: 100_000n, doc: 'blocks before an unanswered oracle reading times out' },
  energy_slashing_rate_bps: { default: 500n, min: 0n, max: 10_000n, doc: 'share of stake slashed on a proven fault (basis points)' },
  // ad market (issue 15)
  ad_presence_ttl_max_secs: { default: 3600n, min: 1n, max: 86_400n, doc: 'longest presence-badge TTL (seconds)' },
  ad_presence_radius_max_m: { default: 5000n, min: 1n, max: 100_000n, doc: 'largest presence radius (meters)' },
  ad_min_confidence_bps: { default: 8000n, min: 0n, max: 10_000n, doc: 'minimum presence confidence (basis points)' },
  ad_presence_min_crowd_size: { default: 5n, min: 1n, max: 1_000_000n, doc: 'smallest presence crowd a bucket may serve; slots = crowd / this (people)' },
  ad_readiness_window_secs: { default: 21_600n, min: 60n, max: 86_400n, doc: 'ad readiness window (seconds)' },
  ad_readiness_min_unique_viewers: { default: 250n, min: 0n, max: 1_000_000_000n, doc: 'ad readiness: distinct viewers needed in the window' },
  ad_readiness_min_host_count: { default: 25n, min: 0n, max: 1_000_000_000n, doc: 'ad readiness: distinct hosts needed in the window' },
  ad_readiness_min_provider_count: { default: 10n, min: 0n, max: 1_000_000_000n, doc: 'ad readiness: distinct providers needed in the window' },
  ad_readiness_use_percentile_thresholds: { default: 0n, min: 0n, max: 1n, doc: 'ad readiness: 1 = thresholds follow the EMA of per-slice percentiles (viewers p90, hosts p75, providers p50) instead of the minimums' },
  ad_privacy_max_epsilon_micros: { default: 1_000_000n, min: 1n, max: 10_000_000n, doc: 'privacy budget ε per badge family (millionths: 1 000 000 = ε 1.0)' },
  ad_privacy_cool_off_impressions: { default: 10_000n, min: 1n, max: 1_000_000_000n, doc: 'impressions a badge family cools off after exhausting its budget' },
  ad_budget_epochs_per_budget: { default: 96n, min: 1n, max: 100_000n, doc: 'budget broker: pacing epochs a campaign budget is spread over' },
  // names (issue 16)
  names_min_bid: { default: 100n, min: 1n, max: 10n ** 15n, doc: 'minimum .block name bid (base units)' },
  names_treasury_share_bps: { default: 10_000n, min: 0n, max: 10_000n, doc: 'share of name sale proceeds accrued to the treasury (basis points)' },
  // treasury
  treasury_fee_share_bps: { default: 1000n, min: 0n, max: 10_000n, doc: "treasury's share of each block's fees, taken from the proposer (basis points)" },
  treasury_executor_lease_blocks: { default: 60n, min: 5n, max: 10_000n, doc: 'executor lease length (blocks)' },
} as const;
export type ParamName = keyof typeof PARAMS;
export const PARAM_NAMES = Object.keys(PARAMS) as ParamName[];

export function isParamName(n: string): n is ParamName {
  return Object.prototype.hasOwnProperty.call(PARAMS, n);
}

/** The value in force of a governance param (base units / blocks / bps as the name says). */
export function getParam(s: Readonly<TreasuryState>, name: ParamName): bigint {
  const v = s.params[name];
  return v === undefined ? PARAMS[name].default : BigInt(v);
}

function no(reason: string, message: string): never {
  throw new TreasuryRefusal(reason, message);
}

function hist(p: ParamProposal, status: ParamStatus, height: number, by: string, extra: Partial<ParamProposal> = {}): ParamProposal {
  return { ...p, ...extra, status, history: [...p.history, { status, height, by }] };
}
function putP(s: TreasuryState, p: ParamProposal): TreasuryState {
  return { ...s, param_proposals: s.param_proposals.map((x) => (x.id === p.id ? p : x)) };
}
function findP(s: TreasuryState, id: number): ParamProposal {
  return s.param_proposals.find((p) => p.id === id) ?? no('not_found', `param proposal ${id} not found`);
}

/** @param epoch the earliest activation epoch requested (null: the first boundary after the vote). */
export function proposeParam(s: TreasuryState, name: string, value: bigint, ctx: TxContext, epoch: number | null = null): TreasuryState {
  if (!ctx.validators.has(ctx.sender)) no('not_a_validator', `param proposal: ${ctx.sender} is not a validator`);
  if (!isParamName(name)) no('unknown_param', `unknown governance param ${name} (known: ${PARAM_NAMES.join(', ')})`);
  const b = PARAMS[name as ParamName];
  if (value < b.min || value > b.max) no('param_out_of_range', `${name} must be in ${b.min}..${b.max}, got ${value}`);
  const p: ParamProposal = {
    id: s.next_param_id, name, value: value.toString(), prior_value: null, proposer: ctx.sender, created_height: ctx.height,
    vote_deadline_height: ctx.height + PARAM_VOTE_BLOCKS, votes: { [ctx.sender]: 'yes' }, status: 'Voting',
    activation_height: null, rollback_reason: null, history: [{ status: 'Voting', height: ctx.height, by: ctx.sender }],
    ...(epoch !== null ? { scheduled_epoch: epoch } : {}),
  };
  return { ...s, next_param_id: s.next_param_id + 1, param_proposals: [...s.param_proposals, p] };
}

export function voteParam(s: TreasuryState, id: number, choice: Choice, ctx: TxContext): TreasuryState {
  if (!ctx.validators.has(ctx.sender)) no('not_a_validator', `param vote: ${ctx.sender} is not a validator`);
  const p = findP(s, id);
  if (p.status !== 'Voting' || ctx.height >= p.vote_deadline_height) no('vote_closed', `param proposal ${id} is ${p.status}; its vote closed at height ${p.vote_deadline_height}`);
  return putP(s, { ...p, votes: { ...p.votes, [ctx.sender]: choice } });
}

export function rollbackParam(s: TreasuryState, id: number, reason: string, ctx: TxContext): TreasuryState {
  if (!ctx.validators.has(ctx.sender)) no('not_a_validator', `param rollback: ${ctx.sender} is not a validator`);
  const p = findP(s, id);
  if (p.status !== 'Active' || p.activation_height === null) no('bad_transition', `param proposal ${id} is ${p.status}; only an Active change rolls back`);
  if (ctx.height > p.activation_height + ROLLBACK_WINDOW_EPOCHS * EPOCH_BLOCKS_P) no('rollback_window_closed', `param proposal ${id} activated at ${p.activation_height}; its rollback window of ${ROLLBACK_WINDOW_EPOCHS} epoch(s) expired`);
  const params = { ...s.params };
  if (p.prior_value === null) delete params[p.name];
  else params[p.name] = p.prior_value;
  return putP({ ...s, params }, hist(p, 'RolledBack', ctx.height, ctx.sender, { rollback_reason: reason }));
}

/** Deadlines (tally → Approved/Rejected) and activations at epoch boundaries. */
export function stepParams(s: TreasuryState, ctx: BlockContext): TreasuryState {
  let out = s;
  for (const p of s.param_proposals) {
    if (p.status === 'Voting' && ctx.height >= p.vote_deadline_height) {
      const t = tally(p.votes, ctx.validators, PARAM_QUORUM_PPM);
      // The first epoch boundary after the tally, or the scheduled epoch when that is later.
      const at = Math.max((Math.floor(ctx.height / EPOCH_BLOCKS_P) + 1) * EPOCH_BLOCKS_P, (p.scheduled_epoch ?? 0) * EPOCH_BLOCKS_P);
      out = putP(out, t.passed ? hist(p, 'Approved', ctx.height, 'chain', { activation_height: at }) : hist(p, 'Rejected', ctx.height, 'chain'));
    } else if (p.status === 'Approved' && p.activation_height !== null && ctx.height >= p.activation_height) {
      const prior = out.params[p.name] ?? null;
      out = putP({ ...out, params: { ...out.params, [p.name]: p.value } }, hist(p, 'Active', ctx.height, 'chain', { prior_value: prior }));
    }
  }
  return out;
}
