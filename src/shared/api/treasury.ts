/**
 * Treasury and governance-params API (issue 13; facts spec/treasury.md §5, decisions
 * spec/README.md). Spec names `gov.treasury.*`; every method is reachable (admin = mutating,
 * Bearer token when TB_RPC_AUTH_TOKEN is set). Mutations sign a module tx and return its hash once
 * admitted to the mempool (the change applies when the tx is in a block). The signer pays the tx
 * fee: the node key, or the local wallet key named in the optional `from` (e.g. "faucet" on dev).
 * Execution is signed by the node key (the executor) and its fee is refunded by the treasury.
 * Amounts are decimal strings of base units; heights are integers; times are ms since the epoch.
 */
import { z } from 'zod';
import { defineContract, defineMethod } from './define.js';
import { zHash } from './numbers.js';
import { DisbursementPayloadParam } from './treasury-payload.js';

export const DISBURSEMENT_STATUS_NAMES = ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized', 'RolledBack', 'Expired'] as const;
export const DisbursementStatusName = z.enum(DISBURSEMENT_STATUS_NAMES);
const Choice = z.enum(['yes', 'no', 'abstain']);
const zAmount = z.string().regex(/^\d+$/);

const Stage = z.object({ status: DisbursementStatusName, height: z.number().int(), at_ms: z.number().int(), by: z.string() });
const Receipt = z.object({ account: z.string(), amount: zAmount });

/** One disbursement as the timeline, `gov disburse show --format json` and the table show it. */
export const DisbursementView = z.object({
  id: z.number().int(),
  title: z.string(),
  summary: z.string(),
  destination: z.string(),
  amount: zAmount,
  memo: z.string(),
  scheduled_epoch: z.number().int(),
  deps: z.array(z.number().int()),
  creator: z.string(),
  status: DisbursementStatusName,
  /** One entry per state entered: height, block time, who (address or `chain`). */
  stages: z.array(Stage),
  votes: z.object({
    yes: zAmount, no: zAmount, abstain: zAmount, total_stake: zAmount,
    quorum_ppm: z.number().int(), turnout_ppm: z.number().int(),
    /** Stake-weighted result as it stands (the final tally once the window closed). */
    passing: z.boolean(),
    voters: z.array(z.object({ address: z.string(), choice: Choice, stake: zAmount })),
  }),
  windows: z.object({ vote_blocks: z.number().int(), timelock_blocks: z.number().int(), rollback_blocks: z.number().int() }),
  /** Next block-driven transition (vote close, timelock end, rollback window end), if any. */
  next: z.object({ event: z.string(), height: z.number().int(), blocks_left: z.number().int(), eta_ms: z.number().int() }).nullable(),
  effect: z.object({ destination: z.string(), amount: zAmount, treasury_before: zAmount, treasury_after: zAmount }),
  tx_hash: z.string().nullable(),
  /** Fee of the execution tx (base units), paid by the treasury; null before execution. */
  execution_fee: zAmount.nullable(),
  receipts: z.array(Receipt),
  expected_receipts: z.array(Receipt),
  rollback: z
    .object({
      reason: z.string(),
      prior_tx: z.string().nullable(),
      compensation: z.object({ from: z.string(), to: z.string(), amount: zAmount, tx_hash: z.string(), height: z.number().int() }).nullable(),
    })
    .nullable(),
});
export type DisbursementView = z.infer<typeof DisbursementView>;

const TxAck = z.object({ tx_hash: zHash });
const Issue = z.object({ path: z.string(), code: z.string(), message: z.string(), severity: z.enum(['error', 'warning']) });
const zId = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
/** Local wallet key that signs and pays the fee (absent: the node key). */
const zFrom = z.string().min(1).max(64).describe('local wallet key name that signs and pays the fee (default: the node key)');

export const treasuryDisbursements = defineMethod({
  name: 'gov.treasury.disbursements',
  summary: 'Disbursements, newest first (id desc); `cursor` keeps ids below it; filter by status and a case-insensitive search over title/destination/memo.',
  params: z.object({
    cursor: zId.optional(),
    limit: z.number().int().min(0).max(200).default(50),
    status: DisbursementStatusName.optional(),
    search: z.string().max(200).optional(),
  }),
  order: ['cursor', 'limit', 'status', 'search'],
  result: z.object({ disbursements: z.array(DisbursementView), next_cursor: z.number().int().optional() }),
  mutating: false,
});

export const treasuryDisbursement = defineMethod({
  name: 'gov.treasury.disbursement',
  summary: 'One disbursement with its full timeline. Unknown id → −32010 not_found.',
  params: z.object({ id: zId }),
  order: ['id'],
  result: z.object({ disbursement: DisbursementView }),
  mutating: false,
  reasons: ['not_found'],
});

export const treasuryBalance = defineMethod({
  name: 'gov.treasury.balance',
  summary: 'Treasury account balance (base units), amount committed to approved/in-flight disbursements, and the balance at recent heights (inflow chart).',
  params: z.object({}),
  order: [],
  result: z.object({
    address: z.string(),
    balance: zAmount,
    committed: zAmount,
    /** Base units taken from block fees so far, and the share in force (governance param treasury_fee_share_bps). */
    fees_accrued: zAmount,
    fee_share_bps: z.number().int(),
    history: z.array(z.object({ height: z.number().int(), at_ms: z.number().int(), balance: zAmount })),
  }),
  mutating: false,
});

export const treasuryExecutorStatus = defineMethod({
  name: 'gov.treasury.executor_status',
  summary: 'Executor lease on chain (id, holder, expiry height, renewals), whether this node runs the executor, and its persisted intent queue (each intent with the lease it was staged under).',
  params: z.object({}),
  order: [],
  result: z.object({
    enabled: z.boolean(),
    self: z.string(),
    lease: z.object({ id: z.number().int(), holder: z.string(), acquired_height: z.number().int(), expires_height: z.number().int(), renewals: z.number().int(), live: z.boolean() }).nullable(),
    /** Staged execution intents (persisted in treasury/intents.json; re-submitted after a restart). */
    intents: z.array(
      z.object({
        disbursement_id: z.number().int(), tx_hash: z.string(), signer: z.string(), nonce: zAmount, staged_height: z.number().int(), staged_at_ms: z.number().int(),
        lease: z.object({ id: z.number().int(), holder: z.string(), expires_height: z.number().int(), renewals: z.number().int() }).nullable(),
        submissions: z.number().int(),
      }),
    ),
    intents_file: z.string(),
    last_error: z.string().nullable(),
  }),
  mutating: false,
});

export const treasuryPreview = defineMethod({
  name: 'gov.treasury.preview',
  summary: 'Validates a disbursement payload against the schema and the current chain (balance, destination, dependencies); lists every problem.',
  params: z.object({ payload: z.unknown() }),
  order: ['payload'],
  result: z.object({ ok: z.boolean(), issues: z.array(Issue), windows: z.object({ vote_blocks: z.number().int(), timelock_blocks: z.number().int(), rollback_blocks: z.number().int() }).nullable() }),
  mutating: false,
});

const MUT_REASONS = ['not_found', 'bad_transition', 'vote_closed', 'not_a_validator', 'lease_held', 'lease_not_held', 'timelocked', 'not_scheduled', 'insufficient_funds', 'invalid_target', 'dependency_failed', 'rollback_window_closed', 'compensation_unavailable', 'malformed_tx', 'key_file_unreadable'] as const;

export const treasurySubmit = defineMethod({
  name: 'gov.treasury.submit_disbursement',
  summary: 'Creates a Draft disbursement from a payload (schema and rules checked as params: −32602 names each field, e.g. payload.disbursement.amount). Returns the tx hash.',
  params: z.object({ payload: DisbursementPayloadParam, from: zFrom.optional() }),
  order: ['payload', 'from'],
  result: TxAck,
  mutating: true,
  reasons: MUT_REASONS,
});
export const treasuryQueue = defineMethod({
  name: 'gov.treasury.queue_disbursement',
  summary: 'Opens the vote on a Draft (Draft → Voting); later steps are block-driven (tally at the deadline, timelock, finalization).',
  params: z.object({ id: zId, from: zFrom.optional() }),
  order: ['id', 'from'],
  result: TxAck,
  mutating: true,
  reasons: MUT_REASONS,
});
export const treasuryVote = defineMethod({
  name: 'gov.treasury.vote_disbursement',
  summary: 'Votes yes/no/abstain on a disbursement in Voting (stake-weighted; validators only) with the node key or the validator wallet key `from`.',
  params: z.object({ id: zId, choice: Choice, from: zFrom.optional() }),
  order: ['id', 'choice', 'from'],
  result: TxAck,
  mutating: true,
  reasons: MUT_REASONS,
});
export const treasuryExecute = defineMethod({
  name: 'gov.treasury.execute_disbursement',
  summary: 'Executes a Timelocked disbursement now (takes or renews the executor lease first); the ledger move is the tx.',
  params: z.object({ id: zId }),
  order: ['id'],
  result: z.object({ tx_hash: zHash, lease_tx_hash: zHash.nullable() }),
  mutating: true,
  reasons: MUT_REASONS,
});
export const treasuryRollback = defineMethod({
  name: 'gov.treasury.rollback_disbursement',
  summary: 'Rolls back a disbursement with a reason: cancels one not yet executed; an executed one inside its rollback window is compensated (destination → treasury).',
  params: z.object({ id: zId, reason: z.string().min(1).max(1024), from: zFrom.optional() }),
  order: ['id', 'reason', 'from'],
  result: TxAck,
  mutating: true,
  reasons: MUT_REASONS,
});

const ParamRow = z.object({ name: z.string(), value: zAmount, default: zAmount, min: zAmount, max: zAmount, doc: z.string() });
const ParamProposalView = z.object({
  id: z.number().int(), name: z.string(), value: zAmount, prior_value: zAmount.nullable(), proposer: z.string(),
  status: z.enum(['Voting', 'Approved', 'Active', 'Rejected', 'RolledBack']), created_height: z.number().int(),
  vote_deadline_height: z.number().int(), activation_height: z.number().int().nullable(), rollback_reason: z.string().nullable(),
  /** Earliest epoch of activation requested by the proposal (null: the first boundary after the vote). */
  scheduled_epoch: z.number().int().nullable(),
  votes: z.record(z.string(), Choice), history: z.array(z.object({ status: z.string(), height: z.number().int(), by: z.string() })),
});

export const govParamShow = defineMethod({
  name: 'gov.param.show',
  summary: 'Governance params in force (value, default, bounds), or one by name. Unknown name → −32010 not_found listing the known names.',
  params: z.object({ name: z.string().max(64).optional() }),
  order: ['name'],
  result: z.array(ParamRow),
  mutating: false,
  reasons: ['not_found'],
});
export const govParamHistory = defineMethod({
  name: 'gov.param.history',
  summary: 'Param proposals, newest first, with votes, activation height and rollbacks; of one param by name (none yet → []). Unknown name → −32010 not_found, as gov.param.show.',
  params: z.object({ name: z.string().max(64).optional() }),
  order: ['name'],
  result: z.array(ParamProposalView),
  mutating: false,
  reasons: ['not_found'],
});
export const govParamUpdate = defineMethod({
  name: 'gov.param.update',
  summary: 'Proposes a new value for a param (the proposer, a validator, votes yes); activates at the first epoch boundary after the vote passes, or at `activation_epoch` when that is later (scheduled).',
  params: z.object({ name: z.string().min(1).max(64), value: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]), activation_epoch: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(), from: zFrom.optional() }),
  order: ['name', 'value', 'activation_epoch', 'from'],
  result: TxAck,
  mutating: true,
  reasons: ['not_a_validator', 'unknown_param', 'param_out_of_range', 'not_found', 'key_file_unreadable'],
});
export const govParamVote = defineMethod({
  name: 'gov.param.vote',
  summary: 'Votes on a param proposal with the node key or the validator wallet key `from`.',
  params: z.object({ id: zId, choice: Choice, from: zFrom.optional() }),
  order: ['id', 'choice', 'from'],
  result: TxAck,
  mutating: true,
  reasons: ['not_a_validator', 'vote_closed', 'not_found', 'key_file_unreadable'],
});
export const govParamRollback = defineMethod({
  name: 'gov.param.rollback',
  summary: 'Rolls back an Active param change within ROLLBACK_WINDOW_EPOCHS of its activation.',
  params: z.object({ id: zId, reason: z.string().min(1).max(1024), from: zFrom.optional() }),
  order: ['id', 'reason', 'from'],
  result: TxAck,
  mutating: true,
  reasons: ['not_a_validator', 'bad_transition', 'rollback_window_closed', 'not_found', 'key_file_unreadable'],
});

export const TREASURY_METHODS = [
  treasuryDisbursements, treasuryDisbursement, treasuryBalance, treasuryExecutorStatus, treasuryPreview,
  treasurySubmit, treasuryQueue, treasuryVote, treasuryExecute, treasuryRollback,
  govParamShow, govParamHistory, govParamUpdate, govParamVote, govParamRollback,
] as const;

/** Topic `treasury.disbursementChanged`: a disbursement entered a new state (payload = its view). */
export const TreasuryTopics = { 'treasury.disbursementChanged': DisbursementView } as const;

/** The treasury's contract slice (the contract's module list, modules.ts). */
export const TREASURY_CONTRACT = defineContract({ id: 'treasury', methods: TREASURY_METHODS, topics: TreasuryTopics, dashboard: 'tb-treasury' });
