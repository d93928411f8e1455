/**
 * Launch governor API (issue 4; facts in spec/governor.md §6, decisions in spec/README.md):
 * `governor.status`, `governor.decisions`, `governor.snapshot` and the `governor.gateChanged`
 * topic. Declared once here and spread into METHODS / Topics.
 *
 * Answers meant for an operator reading `curl` output:
 * - governor off (`TB_GOVERNOR_ENABLED` unset): status → `{"status":"disabled","enabled":false}`,
 *   decisions → `[]`, snapshot → `{"status":"disabled"}`;
 * - snapshot of an epoch without a decision file → `{"status":"not_found","epoch":N}` (a normal
 *   result, not an error code: "nothing was decided for that epoch" is not a failure).
 */
import { z } from 'zod';
import { defineContract, defineMethod } from './define.js';
import { zHeight } from './numbers.js';

/** Gates in evaluation order (spec/governor.md §2). */
export const GATE_NAMES = [
  'operational',
  'naming',
  'economics',
  'storage',
  'compute',
  'energy',
  'ad_targeting_contextual',
  'ad_targeting_presence',
] as const;
export const GateName = z.enum(GATE_NAMES);
export type GateName = z.infer<typeof GateName>;

export const GateState = z.enum(['inactive', 'active', 'rehearsal', 'trade']);
export type GateState = z.infer<typeof GateState>;

export const GateAction = z.enum(['enter', 'exit', 'rehearsal', 'trade']);
export type GateAction = z.infer<typeof GateAction>;

/** Metric values that drove a gate: numbers, or null where the source does not exist. */
export const GateMetrics = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]));
export type GateMetrics = z.infer<typeof GateMetrics>;

/** A gate's input for one window (what a module's governor `sources` hook returns; governor/gates.ts steps it). */
export type GateVerdict =
  /** Inputs present: whether the enter condition holds, and whether the current state may stay. */
  | { signal: 'ok'; enterOk: boolean; stayOk: boolean; reason: string; metrics: GateMetrics }
  /** A source is missing: named in `missing`. */
  | { signal: 'no_signal'; missing: string[]; reason: string; metrics: GateMetrics }
  /** Not enough data yet (e.g. the first window after start): streaks are left as they are. */
  | { signal: 'waiting'; reason: string; metrics: GateMetrics };


export const GateStatus = z.object({
  name: GateName,
  state: GateState,
  /** `ok` when the gate's inputs exist; `no_signal` when a source is missing (named in `missing_sources` and `last_reason`). */
  signal: z.enum(['ok', 'no_signal', 'waiting']),
  missing_sources: z.array(z.string()),
  enter_streak: z.number().int(),
  exit_streak: z.number().int(),
  /** Consecutive windows a condition must hold (= ceil(epoch duration / window), at least 1). */
  streak_required: z.number().int(),
  last_reason: z.string(),
  last_metrics: GateMetrics,
  /** Epoch of the last state change of this gate, null if it never changed. */
  last_transition_epoch: z.number().int().nullable(),
});
export type GateStatus = z.infer<typeof GateStatus>;

export const IntentState = z.enum(['pending', 'applied', 'expired', 'shadow']);
export type IntentState = z.infer<typeof IntentState>;

/** One governor decision (spec IntentSummary + created_epoch, tx and apply details). */
export const IntentSummary = z.object({
  /** `{gate}-{created_epoch}-{seq}` */
  id: z.string(),
  gate: GateName,
  action: GateAction,
  from_state: GateState,
  to_state: GateState,
  created_epoch: z.number().int(),
  epoch_apply: z.number().int(),
  /** pending: waiting for epoch_apply; applied: in force on chain; expired: epoch_apply passed without quorum; shadow: recorded in shadow mode, never submitted. */
  state: IntentState,
  params_patch: z.record(z.string(), z.union([z.boolean(), z.string(), z.number()])),
  metrics: GateMetrics,
  reason: z.string(),
  /** BLAKE3 (hex) of the decision file `governor/decisions/epoch-{epoch_apply}.json` holding this decision. */
  snapshot_hash_hex: z.string(),
  created_ms: z.number().int(),
  /** Chain tx carrying the intent, once submitted. */
  tx_hash: z.string().optional(),
  applied_epoch: z.number().int().optional(),
  /** Why a pending intent is held back (e.g. its decision file failed verification). */
  hold_reason: z.string().optional(),
});
export type IntentSummary = z.infer<typeof IntentSummary>;

export const Attestation = z.object({ payload_hash_hex: z.string(), pubkey_hex: z.string(), signature_hex: z.string() });
export type Attestation = z.infer<typeof Attestation>;

export const GovernorStatus = z.object({
  status: z.literal('enabled'),
  enabled: z.literal(true),
  epoch: z.number().int(),
  height: z.number().int(),
  /** Sampling window (s) = evaluation period. */
  window_secs: z.number(),
  /** Epoch duration (s) = 120 blocks × block time. */
  epoch_secs: z.number(),
  shadow_only: z.boolean(),
  signing: z.object({ enabled: z.boolean(), pubkey_hex: z.string().nullable() }),
  schema_version: z.number().int(),
  gates: z.array(GateStatus),
  /** Decisions not yet in force (pending) or recorded in shadow mode. */
  pending: z.array(IntentSummary),
  /** Parameters in force on chain (applied governor patches). */
  params: z.record(z.string(), z.unknown()),
  autopilot_enabled: z.boolean(),
  economics_sample: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  release_provenance: z
    .object({ epoch: z.number().int(), snapshot_hash: z.string(), attestation: Attestation.nullable() })
    .nullable(),
  /** Wall-clock ms of the last evaluation, null before the first. */
  last_tick_ms: z.number().nullable(),
});
export type GovernorStatus = z.infer<typeof GovernorStatus>;

export const GovernorDisabled = z.object({ status: z.literal('disabled'), enabled: z.literal(false) });

export const SignatureCheck = z.enum(['valid', 'invalid', 'unsigned']);
export type SignatureCheck = z.infer<typeof SignatureCheck>;

export const SnapshotFound = z.object({
  status: z.literal('found'),
  epoch: z.number().int(),
  /** Path inside the data directory. */
  path: z.string(),
  /** Exact file content (UTF-8): hash it to check `payload_hash_hex`. */
  file_text: z.string(),
  /** BLAKE3 (hex) of the file bytes as read now. */
  payload_hash_hex: z.string(),
  /** Parsed body (`{epoch, decisions[], schema_version}`); null when the file does not parse. */
  body: z.record(z.string(), z.unknown()).nullable(),
  attestation: Attestation.nullable(),
  verification: z.object({
    /** valid: sidecar hash = file hash and Ed25519 verifies; invalid: either fails; unsigned: no sidecar. */
    signature: SignatureCheck,
    /** The recorded decisions' snapshot_hash_hex equal the file hash. */
    intents_match: z.boolean(),
    detail: z.string(),
  }),
});
export type SnapshotFound = z.infer<typeof SnapshotFound>;

export const governorStatus = defineMethod({
  name: 'governor.status',
  summary: 'Launch governor: gates (state, streaks, last reason and metrics), pending intents, chain params; {"status":"disabled"} when off.',
  params: z.object({}),
  order: [],
  result: z.union([GovernorStatus, GovernorDisabled]),
  mutating: false,
});

export const governorDecisions = defineMethod({
  name: 'governor.decisions',
  summary: 'Recent governor decisions (intents), newest first; limit 1-500 (default 10), optional gate filter; [] when the governor is off.',
  params: z.object({
    limit: zHeight.pipe(z.number().int().min(1, 'limit must be at least 1').max(500, 'limit must be at most 500')).optional(),
    gate: GateName.optional(),
  }),
  order: ['limit', 'gate'],
  result: z.array(IntentSummary),
  mutating: false,
});

export const governorSnapshot = defineMethod({
  name: 'governor.snapshot',
  summary:
    'Decision file of an epoch (governor/decisions/epoch-{N}.json) with its hash, .sig attestation and verification; {"status":"not_found","epoch":N} when nothing was decided for N.',
  params: z.object({ epoch: zHeight }),
  order: ['epoch'],
  result: z.union([
    SnapshotFound,
    z.object({ status: z.literal('not_found'), epoch: z.number().int() }),
    z.object({ status: z.literal('disabled') }),
  ]),
  mutating: false,
});

export const GOVERNOR_METHODS = [governorStatus, governorDecisions, governorSnapshot] as const;

/** Payload of `governor.gateChanged`: one gate changed state (a decision was recorded). */
export const GateChanged = z.object({
  gate: GateName,
  from: GateState,
  to: GateState,
  action: GateAction,
  epoch: z.number().int(),
  epoch_apply: z.number().int(),
  height: z.number().int(),
  intent_id: z.string(),
  reason: z.string(),
  ts_ms: z.number(),
});
export type GateChanged = z.infer<typeof GateChanged>;

/** The governor's contract slice (the contract's module list, modules.ts). */
export const GOVERNOR_CONTRACT = defineContract({
  id: 'governor',
  methods: GOVERNOR_METHODS,
  /** A launch-governor gate changed state (spec/governor.md). */
  topics: { 'governor.gateChanged': GateChanged },
  dashboard: 'tb-governor',
});
