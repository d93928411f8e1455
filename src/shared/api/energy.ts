/**
 * Energy market (issue 14; spec/energy.md): providers with stake, signed meter readings →
 * credits → settlements → receipts, disputes resolved by a validator vote, the provider key
 * registry. Declared once, spread into METHODS. kWh, prices, stakes and fees are integers
 * (kWh; base units of BLOCK); heights are blocks; `timestamp` of a reading is unix seconds.
 * Mutations are chain transactions signed by the node key: they answer `{status: "pending", tx_hash}`;
 * submit_reading answers once the reading is durably queued (SubmitReadingResult; follow it with reading_status).
 *
 * Access (spec §6): when an energy role token is configured (TB_ENERGY_{PROVIDER,ORACLE,ADMIN}_TOKEN
 * or secrets/energy_*.token; admin falls back to TB_RPC_AUTH_TOKEN), HTTP/WS callers present
 * `Authorization: Bearer <token>`: oracle → submit_reading; admin → every mutation; provider → reads.
 * Per-IP rate limits per method class (read/submit/settle/dispute) answer −32001.
 * Errors: the spec's codes with a stable `data.reason` (ENERGY_ERRORS); −32602 names the field.
 */
import { z } from 'zod';
import { defineContract, defineMethod } from './define.js';

/** Refusal reason → JSON-RPC code (spec/energy.md §3). */
export const ENERGY_ERRORS = {
  signature_invalid: -33001,
  malformed_signature: -33001,
  unknown_meter: -33003,
  stale_reading: -33003,
  non_monotonic_total: -33003,
  unknown_reading: -33005,
  insufficient_credit: -33005,
  unknown_meter_reading: -33005,
  dispute_already_open: -33005,
  dispute_already_resolved: -33005,
  unknown_dispute: -33005,
  unknown_provider: -33006,
  meter_in_use: -33006,
  insufficient_stake: -33006,
  insufficient_capacity: -33006,
  invalid_capacity: -33006,
  invalid_kwh: -33006,
  nonce_replay: -33007,
  stale_timestamp: -33008,
  future_timestamp: -33008,
  oracle_timeout: -33008,
  unauthorized: -33009,
} as const;
export type EnergyReason = keyof typeof ENERGY_ERRORS;
export const ENERGY_REASONS = Object.keys(ENERGY_ERRORS) as EnergyReason[];

export const zProviderId = z.string().regex(/^energy-0x[0-9a-f]{8,16}$/, 'must be a provider id like energy-0x00000000');
export const zMeter = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1-64 of A-Z a-z 0-9 _ . : -');
export const zJurisdiction = z.string().regex(/^[A-Z]{2}(_[A-Z0-9]{1,8})?$/, 'must be a jurisdiction code like US_CA');
export const zMeterHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex (a meter_hash)');
const zKwh = z.number().int('must be a whole number of kWh').min(0, 'must be ≥ 0').max(1e12, 'must be ≤ 10^12 kWh');
/** A capacity: at least 1 kWh (one issue per bad value, not "≥ 0" and "> 0" both). */
const zKwhPositive = z.number().int('must be a whole number of kWh').min(1, 'must be ≥ 1 kWh').max(1e12, 'must be ≤ 10^12 kWh');
const zPrice = z.number().int('must be whole base units').min(0, 'must be ≥ 0').max(1e6, 'must be ≤ 10^6 base units per kWh');
const zStake = z.number().int('must be whole base units').min(0, 'must be ≥ 0').max(1e15, 'must be ≤ 10^15');
const zU64Int = z.number().int('must be an integer').min(0, 'must be ≥ 0').max(Number.MAX_SAFE_INTEGER, 'must be ≤ 2^53 − 1');

/** A signed reading as submitted (meter_reading.schema.json plus the nonce). */
export const MeterReadingPayload = z.object({
  provider_id: zProviderId,
  meter_address: zMeter,
  /** Cumulative meter value (kWh). */
  kwh_reading: zU64Int,
  /** Unix seconds when the meter was read. */
  timestamp: zU64Int,
  nonce: zU64Int,
  /** Ed25519 signature, 128 hex digits. */
  signature: z.string().regex(/^[0-9a-fA-F]*$/, 'must be hex').refine((s) => s.length === 128, 'signature must be 64 bytes (128 hex digits)'),
});
export type MeterReadingPayload = z.infer<typeof MeterReadingPayload>;

export const EnergyProvider = z.object({
  provider_id: z.string(), owner: z.string(), jurisdiction: z.string(), capacity_kwh: z.number(), available_kwh: z.number(), price_per_kwh: z.number(),
  reputation_score: z.number(), meter_address: z.string(), total_delivered_kwh: z.number(), staked_balance: z.number(),
  escrowed: z.boolean(), registered_at: z.number(), readings: z.number(),
  last_meter_value: z.number().nullable(), last_meter_timestamp: z.number().nullable(), last_nonce: z.number().nullable(), last_reading_height: z.number().nullable(),
  /** Whether a key for this provider is in the verifier registry. */
  key_registered: z.boolean(),
  status: z.enum(['active', 'stale', 'no_readings', 'no_key']),
});
export type EnergyProvider = z.infer<typeof EnergyProvider>;
export const EnergyCredit = z.object({ provider: z.string(), amount_kwh: z.number(), timestamp: z.number(), meter_hash: z.string(), reading_timestamp: z.number(), nonce: z.number(), total_kwh: z.number() });
export type EnergyCredit = z.infer<typeof EnergyCredit>;
export const EnergyReceipt = z.object({
  buyer: z.string(), seller: z.string(), owner: z.string(), kwh_delivered: z.number(), price_paid: z.number(), block_settled: z.number(), treasury_fee: z.number(),
  slash_applied: z.number(), meter_hash: z.string(), credit_height: z.number(), trade: z.boolean(),
});
export type EnergyReceipt = z.infer<typeof EnergyReceipt>;
export const EnergyDispute = z.object({
  id: z.number(), provider_id: z.string(), meter_hash: z.string(), reporter: z.string(), reason: z.string(), status: z.enum(['open', 'resolved']), opened_at: z.number(),
  resolved_at: z.number().nullable(), resolution_note: z.string().nullable(), resolver: z.string().nullable(), outcome: z.enum(['upheld', 'dismissed']).nullable(), slash_applied: z.number(),
  votes: z.array(z.object({ validator: z.string(), choice: z.enum(['uphold', 'dismiss']) })),
});
export type EnergyDispute = z.infer<typeof EnergyDispute>;
export const EnergySlash = z.object({ provider_id: z.string(), meter_hash: z.string(), block_height: z.number(), amount: z.number(), reason: z.string() });
export const EnergyReadingLog = z.object({ provider_id: z.string(), meter_hash: z.string(), height: z.number(), timestamp: z.number(), nonce: z.number(), total_kwh: z.number(), credited_kwh: z.number() });
export type EnergyReadingLog = z.infer<typeof EnergyReadingLog>;
export const EnergyGovernance = z.object({
  mode: z.literal('real_time'), market_mode: z.enum(['rehearsal', 'trade']), quorum_threshold_ppm: z.number(), expiry_blocks: z.number(), oracle_timeout_blocks: z.number(),
  min_stake: z.number(), slashing_rate_bps: z.number(), treasury_fee_bps: z.number(), max_clock_skew_secs: z.number(),
});
export const EnergyMarketState = z.object({
  status: z.literal('ok'), height: z.number(), timestamp_ms: z.number(), escrow: z.string(),
  providers: z.array(EnergyProvider), credits: z.array(EnergyCredit), receipts: z.array(EnergyReceipt), disputes: z.array(EnergyDispute), slashes: z.array(EnergySlash),
  readings: z.array(EnergyReadingLog), governance: EnergyGovernance,
  totals: z.object({ registrations: z.number(), readings: z.number(), settlements: z.number(), kwh_traded: z.number(), value_traded: z.number(), treasury_fee: z.number(), slashed: z.number() }),
});
export type EnergyMarketState = z.infer<typeof EnergyMarketState>;
export const ProviderKey = z.object({ provider_id: z.string(), public_key_hex: z.string() });
export const KeyRegistry = z.object({ source: z.string(), generation: z.number(), loaded_at_ms: z.number(), keys: z.array(ProviderKey), errors: z.array(z.string()) });
export type KeyRegistry = z.infer<typeof KeyRegistry>;
const pending = z.object({ status: z.literal('pending'), tx_hash: z.string() });
/**
 * `energy.submit_reading` answers once the reading is verified, checked and durably queued (not
 * when it is in a block): `status` queued | pending (tx_hash set) | included (a resubmission of an
 * included reading); `credit.timestamp` is the expected block height (the actual one once included).
 */
export const SubmitReadingResult = z.object({
  status: z.enum(['queued', 'pending', 'included']), meter_hash: z.string(), tx_hash: z.string().nullable(),
  credit: z.object({ provider: z.string(), amount_kwh: z.number(), meter_hash: z.string(), timestamp: z.number() }),
});
export type SubmitReadingResult = z.infer<typeof SubmitReadingResult>;
export const ReadingStatus = z.object({
  meter_hash: z.string(), status: z.enum(['queued', 'pending', 'included', 'refused', 'unknown']), provider_id: z.string().nullable(),
  tx_hash: z.string().nullable(), height: z.number().nullable(), reason: z.string().nullable(),
});
export type ReadingStatus = z.infer<typeof ReadingStatus>;
const paging = { provider_id: zProviderId.optional(), page: z.number().int().min(0).default(0), page_size: z.number().int().min(1).max(250).default(25) };

const m = <N extends string, P extends z.ZodObject<any>, R extends z.ZodType>(name: N, summary: string, params: P, order: readonly (keyof z.input<P> & string)[], result: R, mutating: boolean) =>
  defineMethod({ name, summary, params, order, result, mutating, reasons: ENERGY_REASONS });

export const ENERGY_METHODS = [
  m('energy.register_provider', 'Register a provider (stake ≥ energy_min_stake; escrowed in trade mode). Admin.',
    z.object({ capacity_kwh: zKwhPositive, price_per_kwh: zPrice, stake: zStake.default(1000), meter_address: zMeter, jurisdiction: zJurisdiction, owner: z.string().regex(/^tb1[0-9a-f]{40}$/, 'must be a tb1 address').optional() }),
    ['capacity_kwh', 'price_per_kwh', 'stake', 'meter_address', 'jurisdiction', 'owner'], pending.extend({ provider_id: z.string() }), true),
  m('energy.update_provider', 'Change capacity (caps available), price or jurisdiction of a provider. Admin.',
    z.object({ provider_id: zProviderId, capacity_kwh: zKwh.optional(), price_per_kwh: zPrice.optional(), jurisdiction: zJurisdiction.optional() }).refine((p) => p.capacity_kwh !== undefined || p.price_per_kwh !== undefined || p.jurisdiction !== undefined, { message: 'give at least one of capacity_kwh, price_per_kwh, jurisdiction', path: ['capacity_kwh'] }),
    ['provider_id', 'capacity_kwh', 'price_per_kwh', 'jurisdiction'], pending, true),
  m('energy.market_state', 'Providers, pending credits, receipts, disputes, slashes, recent readings and governance params; `provider_id` narrows to one provider.',
    z.object({ provider_id: zProviderId.optional() }), ['provider_id'], EnergyMarketState, false),
  m('energy.submit_reading', 'Submit a signed meter reading (verified against the key registry, checked against the provider\'s last reading and the readings already accepted); answers the credit it will create once the reading is durably queued (follow it with energy.reading_status). Oracle.',
    MeterReadingPayload, ['provider_id', 'meter_address', 'kwh_reading', 'timestamp', 'nonce', 'signature'], SubmitReadingResult, false),
  m('energy.reading_status', 'Where an accepted reading is: queued (waiting for a tx), pending (in a mempool tx), included (block height), refused (reason), or unknown to this node.',
    z.object({ meter_hash: zMeterHash }), ['meter_hash'], ReadingStatus, false),
  m('energy.verify_reading', 'Verify a reading offline: the exact verdict and reason (signature against `public_key`, else the registry key; then the market checks). Changes nothing.',
    MeterReadingPayload.extend({ public_key: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32-byte Ed25519 key)').optional() }),
    ['provider_id', 'meter_address', 'kwh_reading', 'timestamp', 'nonce', 'signature', 'public_key'],
    z.object({ valid: z.boolean(), reason: z.string(), message: z.string(), meter_hash: z.string(), digest: z.string(), key_source: z.enum(['flag', 'registry', 'none']) }), false),
  m('energy.settle', 'Settle kWh of a pending credit: price × kWh from the buyer (the node key) to the provider owner, treasury fee to the treasury (trade mode). Admin.',
    z.object({ provider_id: zProviderId, kwh_consumed: zKwh.refine((v) => v > 0, 'must be > 0'), meter_hash: zMeterHash }), ['provider_id', 'kwh_consumed', 'meter_hash'], pending, true),
  m('energy.receipts', 'Settled receipts, newest first, paged.', z.object(paging), ['provider_id', 'page', 'page_size'], z.object({ status: z.literal('ok'), page: z.number(), page_size: z.number(), total: z.number(), receipts: z.array(EnergyReceipt) }), false),
  m('energy.credits', 'Pending credits, newest first, paged.', z.object(paging), ['provider_id', 'page', 'page_size'], z.object({ status: z.literal('ok'), page: z.number(), page_size: z.number(), total: z.number(), credits: z.array(EnergyCredit) }), false),
  m('energy.slashes', 'Slashes of lost disputes, newest first, paged.', z.object(paging), ['provider_id', 'page', 'page_size'], z.object({ status: z.literal('ok'), page: z.number(), page_size: z.number(), total: z.number(), slashes: z.array(EnergySlash) }), false),
  m('energy.disputes', 'Disputes in opening order, paged; filter by provider, status, meter_hash.',
    z.object({ ...paging, status: z.enum(['open', 'resolved']).optional(), meter_hash: zMeterHash.optional() }), ['provider_id', 'status', 'meter_hash', 'page', 'page_size'],
    z.object({ status: z.literal('ok'), page: z.number(), page_size: z.number(), total: z.number(), disputes: z.array(EnergyDispute) }), false),
  m('energy.flag_dispute', 'Open a dispute on a credit or receipt (by meter_hash). Admin.', z.object({ meter_hash: zMeterHash, reason: z.string().min(1).max(256), reporter: z.string().max(64).default('') }), ['meter_hash', 'reason', 'reporter'], pending, true),
  m('energy.resolve_dispute', 'Vote on a dispute as this validator (uphold = provider loses, slashed at energy_slashing_rate_bps of its stake; dismiss); a stake majority resolves it. Admin.',
    z.object({ dispute_id: z.number().int().min(1), outcome: z.enum(['uphold', 'dismiss']), resolution_note: z.string().max(256).default('') }), ['dispute_id', 'outcome', 'resolution_note'], pending, true),
  m('energy.provider_keys', 'The verifier registry: provider ids and Ed25519 public keys in force, their source and generation.', z.object({}), [], KeyRegistry, false),
  m('energy.reload_keys', 'Re-read the provider key file and hot-swap the verifier registry (as SIGHUP and the file watch do). Admin.', z.object({}), [], KeyRegistry, true),
  m('energy.set_provider_key', 'Add or rotate a provider key (writes the key file atomically, then reloads). Admin.',
    z.object({ provider_id: zProviderId, public_key_hex: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32-byte Ed25519 key)') }), ['provider_id', 'public_key_hex'], KeyRegistry, true),
  m('energy.revoke_provider_key', 'Revoke a provider key: its readings are refused from the next one on. Admin.', z.object({ provider_id: zProviderId }), ['provider_id'], KeyRegistry, true),
] as const;

/** Topic `energy.marketChanged`: the market changed at a block (counts only; refetch energy.market_state). */
export const EnergyChanged = z.object({ height: z.number(), providers: z.number(), pending_credits: z.number(), receipts: z.number(), open_disputes: z.number(), readings: z.number(), key_generation: z.number() });
/**
 * Topic `energy.readingsIncluded`: this node's accepted readings that reached a block (per tx) or
 * were refused before inclusion (first 100 listed; `refused_total` counts all) since the last event.
 */
export const ReadingsIncluded = z.object({
  height: z.number(), included: z.number(), txs: z.array(z.object({ tx_hash: z.string(), height: z.number(), readings: z.number() })),
  queued: z.number(), pending: z.number(), refused: z.array(z.object({ meter_hash: z.string(), provider_id: z.string(), reason: z.string() })), refused_total: z.number(),
});
export const EnergyTopics = { 'energy.marketChanged': EnergyChanged, 'energy.readingsIncluded': ReadingsIncluded } as const;

/** The energy market's contract slice (listed in modules.ts). */
export const ENERGY_CONTRACT = defineContract({ id: 'energy', methods: ENERGY_METHODS, topics: EnergyTopics, dashboard: 'tb-energy' });
