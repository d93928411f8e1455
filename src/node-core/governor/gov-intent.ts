/**
 * Launch-governor intents on chain (issue 4; spec/governor.md §4 with spec/README.md's decision
 * that intents apply at `epoch_apply`). A governor intent is a fee-exempt transaction from a
 * validator carrying `(gate, action, epoch_apply, params_patch)`; validators holding ≥ 2/3 of
 * stake must submit the identical intent (same key) before it takes effect, at the first block
 * of `epoch_apply`. Everything here is a pure function of its inputs, so the governance state is
 * a pure function of genesis + blocks; the chain runs it as the governor's ChainModule
 * (governor/chain-module.ts: `beginBlock` = govEpochStep, `applyTx` = govVote).
 *
 * Tx form: a module call, i.e. a transfer payload with a 7th element (chain/tx.ts)
 *   `[chain_id, from, to (= from), amount (= 0), fee, nonce, ["gov_intent", gate, action, epoch_apply, patch]]`
 * where `patch` is the RFC 8785 canonical JSON text of a flat object of booleans/strings/numbers.
 * Intent key = BLAKE3(canonical CBOR `[gate, action, epoch_apply, patch]`), 64 hex.
 *
 * Governance state (canonical CBOR, stored by ChainDb as the state of module `governor`):
 *   `[params [[name, json value text]…] sorted by name,
 *     pending [[key, gate, action, epoch_apply, patch, [voter 40-hex…] sorted]…] sorted by key,
 *     history [[key, gate, action, epoch, outcome "applied"|"expired"]…] last HISTORY_MAX]`
 * The state root commits to it like to every module state (chain/root.ts).
 */
import { EPOCH_BLOCKS } from '../chain/block.js';
import { asArray, asSafeInt, CodecError, encodeCanonical } from '../codec/canonical.js';
import { blake3, toHex } from '../crypto/hash.js';

export const GOV_INTENT_TAG = 'gov_intent';
/** Applied/expired intents remembered in the governance state. */
export const HISTORY_MAX = 64;
const MAX_FIELD = 64;
const MAX_PATCH = 2048;

export interface GovIntent {
  gate: string;
  action: string;
  epochApply: number;
  /** RFC 8785 canonical JSON text of a flat object. */
  patch: string;
}

export interface GovPending extends GovIntent {
  key: string;
  /** Voters as 40-hex addresses, sorted. */
  voters: string[];
}

export interface GovHistory {
  key: string;
  gate: string;
  action: string;
  epoch: number;
  outcome: 'applied' | 'expired';
}

export interface GovState {
  /** Applied parameter values: name → canonical JSON text of the value. Sorted by name. */
  params: [string, string][];
  pending: GovPending[];
  history: GovHistory[];
}

export const EMPTY_GOV: GovState = Object.freeze({ params: [], pending: [], history: [] }) as unknown as GovState;

/** Why an intent tx cannot apply (stable reasons, used as ImportError / mempool reasons). */
export class GovIntentError extends Error {
  constructor(
    readonly reason: 'not_validator' | 'intent_too_late' | 'duplicate_vote',
    message: string,
  ) {
    super(message);
    this.name = 'GovIntentError';
  }
}

function checkText(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_FIELD || !/^[a-z0-9_]+$/.test(v))
    throw new CodecError(`${field} must be 1-${MAX_FIELD} of a-z 0-9 _`);
  return v;
}

/**
 * Parses and checks a patch: canonical JSON text of a non-empty flat object whose values are
 * booleans, strings or safe integers.
 * @throws CodecError when it is not.
 */
export function checkPatch(text: unknown): string {
  if (typeof text !== 'string' || text.length > MAX_PATCH) throw new CodecError(`intent patch must be JSON text of at most ${MAX_PATCH} bytes`);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new CodecError('intent patch is not JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) throw new CodecError('intent patch must be a non-empty JSON object');
  const keys = Object.keys(v).sort();
  for (const k of keys) {
    checkText(k, 'intent patch key');
    const x = (v as Record<string, unknown>)[k];
    if (!(typeof x === 'boolean' || typeof x === 'string' || (typeof x === 'number' && Number.isSafeInteger(x))))
      throw new CodecError(`intent patch value of ${k} must be a boolean, string or integer`);
  }
  // Canonical form: sorted keys, no whitespace (RFC 8785 for these value types).
  const canon = '{' + keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify((v as Record<string, unknown>)[k])}`).join(',') + '}';
  if (canon !== text) throw new CodecError('intent patch is not in canonical JSON form (sorted keys, no whitespace)');
  return text;
}

/** The CBOR value of an intent inside a tx payload. */
export function intentArray(i: GovIntent): unknown[] {
  return [GOV_INTENT_TAG, i.gate, i.action, i.epochApply, i.patch];
}

/** Decodes the 7th payload element. @throws CodecError */
export function decodeIntent(v: unknown): GovIntent {
  const a = asArray(v, 'payload.intent', 5);
  if (a[0] !== GOV_INTENT_TAG) throw new CodecError(`payload.intent must start with "${GOV_INTENT_TAG}"`);
  return { gate: checkText(a[1], 'intent gate'), action: checkText(a[2], 'intent action'), epochApply: asSafeInt(a[3], 'intent epoch_apply'), patch: checkPatch(a[4]) };
}

/** Key shared by identical intents (64 hex). */
export function intentKey(i: GovIntent): string {
  return toHex(blake3(encodeCanonical([i.gate, i.action, i.epochApply, i.patch])));
}

/** The CBOR value of a governance state (encoded canonically by the chain). */
export function govValue(s: GovState): unknown {
  return [
    s.params.map(([k, v]) => [k, v]),
    s.pending.map((p) => [p.key, p.gate, p.action, p.epochApply, p.patch, p.voters]),
    s.history.map((h) => [h.key, h.gate, h.action, h.epoch, h.outcome]),
  ];
}

export function encodeGov(s: GovState): Uint8Array {
  return encodeCanonical(govValue(s));
}

/** @throws CodecError on a malformed record. */
export function decodeGov(v: unknown): GovState {
  const a = asArray(v, 'gov', 3);
  const str = (x: unknown, f: string) => {
    if (typeof x !== 'string') throw new CodecError(`${f} must be text`);
    return x;
  };
  return {
    params: asArray(a[0], 'gov.params').map((e) => {
      const p = asArray(e, 'gov.param', 2);
      return [str(p[0], 'param name'), str(p[1], 'param value')] as [string, string];
    }),
    pending: asArray(a[1], 'gov.pending').map((e) => {
      const p = asArray(e, 'gov.pending[]', 6);
      return { key: str(p[0], 'key'), gate: str(p[1], 'gate'), action: str(p[2], 'action'), epochApply: asSafeInt(p[3], 'epoch_apply'), patch: str(p[4], 'patch'), voters: asArray(p[5], 'voters').map((x) => str(x, 'voter')) };
    }),
    history: asArray(a[2], 'gov.history').map((e) => {
      const h = asArray(e, 'gov.history[]', 5);
      const outcome = str(h[4], 'outcome');
      if (outcome !== 'applied' && outcome !== 'expired') throw new CodecError('history outcome must be applied or expired');
      return { key: str(h[0], 'key'), gate: str(h[1], 'gate'), action: str(h[2], 'action'), epoch: asSafeInt(h[3], 'epoch'), outcome };
    }),
  };
}

export function isEmptyGov(s: GovState): boolean {
  return s.params.length === 0 && s.pending.length === 0 && s.history.length === 0;
}

/** An intent tx as seen by the fold: sender (40 hex) and its intent. */
export interface IntentTx {
  sender: string;
  intent: GovIntent;
}

/**
 * Epoch-boundary step: at the first block of epoch `epoch`, every pending intent with
 * `epoch_apply ≤ epoch` is applied (voters' stake ≥ 2/3 of total, in key order) or expires.
 * @param stake 40-hex validator address → stake (base units).
 */
export function govEpochStep(s: GovState, height: number, stake: ReadonlyMap<string, bigint>): GovState {
  if (height === 0 || height % EPOCH_BLOCKS !== 0) return s;
  const epoch = height / EPOCH_BLOCKS;
  const due = s.pending.filter((p) => p.epochApply <= epoch);
  if (due.length === 0) return s;
  let total = 0n;
  for (const v of stake.values()) total += v;
  const params = new Map(s.params);
  const history = [...s.history];
  for (const p of due) {
    let voted = 0n;
    for (const v of p.voters) voted += stake.get(v) ?? 0n;
    const quorum = total > 0n && voted * 3n >= total * 2n;
    if (quorum) for (const [k, v] of Object.entries(JSON.parse(p.patch) as Record<string, unknown>)) params.set(k, JSON.stringify(v));
    history.push({ key: p.key, gate: p.gate, action: p.action, epoch, outcome: quorum ? 'applied' : 'expired' });
  }
  return {
    params: [...params.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    pending: s.pending.filter((p) => p.epochApply > epoch),
    history: history.slice(-HISTORY_MAX),
  };
}

/**
 * Records one validator's vote for an intent in a block at `height`.
 * @throws GovIntentError not_validator | intent_too_late (epoch_apply must be after the block's epoch) | duplicate_vote
 */
export function govVote(s: GovState, height: number, tx: IntentTx, stake: ReadonlyMap<string, bigint>): GovState {
  if (!stake.has(tx.sender)) throw new GovIntentError('not_validator', `governor intents must come from a validator: tb1${tx.sender} is not a validator of this chain`);
  const epoch = Math.floor(height / EPOCH_BLOCKS);
  if (tx.intent.epochApply <= epoch)
    throw new GovIntentError('intent_too_late', `intent for epoch ${tx.intent.epochApply} arrives in epoch ${epoch}; epoch_apply must be a later epoch`);
  const key = intentKey(tx.intent);
  const i = s.pending.findIndex((p) => p.key === key);
  let pending: GovPending[];
  if (i < 0) {
    pending = [...s.pending, { ...tx.intent, key, voters: [tx.sender] }].sort((a, b) => (a.key < b.key ? -1 : 1));
  } else {
    const p = s.pending[i];
    if (p.voters.includes(tx.sender)) throw new GovIntentError('duplicate_vote', `validator tb1${tx.sender} already submitted intent ${key}`);
    pending = [...s.pending];
    pending[i] = { ...p, voters: [...p.voters, tx.sender].sort() };
  }
  return { ...s, pending };
}
