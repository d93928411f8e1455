/**
 * The treasury's ChainModule (chain/module.ts): disbursement lifecycle, executor lease and
 * governance params (rules.ts, params.ts). Tx kinds (body after the tag):
 *   treasury.create   [payload JSON text]     anyone (standard fee)
 *   treasury.advance  [id]                    anyone: Draft → Voting
 *   treasury.vote     [id, choice]            validators
 *   treasury.lease    [ttl_blocks]            acquire / renew / release (0) the executor lease
 *   treasury.execute  [id]                    lease holder: Timelocked → Executed (ledger move)
 *   treasury.rollback [id, reason]            validators
 *   gov.param_propose [name, value, epoch?]   validators (epoch: earliest activation epoch)
 *   gov.param_vote    [id, choice]            validators
 *   gov.param_rollback [id, reason]           validators
 * beginBlock runs the block-driven steps (tallies, timelocks, finalization, param activation);
 * endBlock takes the treasury's share of the block's fees (accrual.ts: floor(ctx.fees ×
 * treasury_fee_share_bps / 10 000), proposer → treasury). Other modules accrue with
 * `accrueToTreasury(ctx.ledger, payer, amount)` from the public index.
 */
import { asSafeInt, CodecError } from '../codec/canonical.js';
import { moduleRef, ok, refuse, type ChainModule, type TxContext, type TxKind } from '../chain/module.js';
import { collectFeeShare } from './accrual.js';
import { proposeParam, rollbackParam, stepParams, voteParam } from './params.js';
import { PAYLOAD_MAX_CHARS, validatePayload, type DisbursementPayload } from './payload.js';
import { advance, create, execute, lease, rollback, stepBlock, TreasuryRefusal, vote } from './rules.js';
import { decodeTreasury, EMPTY_TREASURY, encodeTreasury, type Choice, type TreasuryState } from './state.js';

export const TREASURY_ID = 'treasury';
/** Typed handle: `ctx.read(treasuryState)` / `chain.moduleState(treasuryState)`. */
export const treasuryState = moduleRef<TreasuryState>(TREASURY_ID);

export type TreasuryCall =
  | { op: 'create'; payload: DisbursementPayload; json: string }
  | { op: 'advance'; id: number }
  | { op: 'execute'; id: number }
  | { op: 'vote'; id: number; choice: Choice }
  | { op: 'lease'; ttl: number }
  | { op: 'rollback'; id: number; reason: string }
  | { op: 'param_propose'; name: string; value: bigint; epoch: number | null }
  | { op: 'param_vote'; id: number; choice: Choice }
  | { op: 'param_rollback'; id: number; reason: string };

const text = (v: unknown, f: string, max: number): string => {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) throw new CodecError(`${f} must be text of 1..${max} characters`);
  return v;
};
const id = (v: unknown, f: string): number => asSafeInt(v, f);
const choice = (v: unknown, f: string): Choice => {
  if (v !== 'yes' && v !== 'no' && v !== 'abstain') throw new CodecError(`${f} must be yes, no or abstain`);
  return v;
};
function arity(body: readonly unknown[], n: number, tag: string): void {
  if (body.length !== n) throw new CodecError(`${tag} takes ${n} element(s), got ${body.length}`);
}

function kind(tag: string, op: TreasuryCall['op'], n: number, dec: (b: readonly unknown[]) => TreasuryCall, enc: (c: TreasuryCall) => unknown[], summary: (c: TreasuryCall) => string): TxKind<TreasuryCall> {
  return {
    tag,
    fee: 'standard',
    decode(body) {
      arity(body, n, tag);
      return dec(body);
    },
    encode: enc,
    view: (c) => ({
      summary: summary(c),
      fields: Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'payload').map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : (v as string | number)])),
    }),
  };
}

/** gov.param_propose [name, value] or [name, value, activation_epoch] (the earliest epoch of the change). */
function paramProposeKind(): TxKind<TreasuryCall> {
  const tag = 'gov.param_propose';
  return {
    tag,
    fee: 'standard',
    decode(b) {
      if (b.length !== 2 && b.length !== 3) throw new CodecError(`${tag} takes 2 or 3 element(s), got ${b.length}`);
      const name = text(b[0], 'param name', 64);
      const v = b[1];
      const value = typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : (() => { throw new CodecError('param value must be an unsigned integer'); })();
      const epoch = b.length === 3 ? asSafeInt(b[2], 'activation_epoch') : null;
      if (epoch !== null && epoch < 1) throw new CodecError('activation_epoch must be at least 1');
      return { op: 'param_propose', name, value, epoch };
    },
    encode(c) {
      const p = u(c, 'param_propose');
      return p.epoch === null ? [p.name, p.value] : [p.name, p.value, p.epoch];
    },
    view(c) {
      const p = u(c, 'param_propose');
      return {
        summary: `governance: propose ${p.name} = ${p.value}${p.epoch !== null ? ` from epoch ${p.epoch}` : ''}`,
        fields: { op: p.op, name: p.name, value: p.value.toString(), ...(p.epoch !== null ? { activation_epoch: p.epoch } : {}) },
      };
    },
  };
}

const u = <T extends TreasuryCall['op']>(c: TreasuryCall, _op: T) => c as Extract<TreasuryCall, { op: T }>;

export const TREASURY_KINDS: TxKind<TreasuryCall>[] = [
  kind('treasury.create', 'create', 1, (b) => {
    const json = text(b[0], 'treasury.create payload', PAYLOAD_MAX_CHARS);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json);
    } catch (err) {
      throw new CodecError(`treasury.create payload is not JSON: ${(err as Error).message}`);
    }
    const r = validatePayload(parsed);
    if (!r.payload) throw new CodecError(`disbursement validation failed: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    return { op: 'create', payload: r.payload, json };
  }, (c) => [u(c, 'create').json], (c) => `treasury: create disbursement of ${u(c, 'create').payload.disbursement.amount} to ${u(c, 'create').payload.disbursement.destination}`),
  kind('treasury.advance', 'advance', 1, (b) => ({ op: 'advance', id: id(b[0], 'id') }), (c) => [u(c, 'advance').id], (c) => `treasury: open vote on disbursement ${u(c, 'advance').id}`),
  kind('treasury.vote', 'vote', 2, (b) => ({ op: 'vote', id: id(b[0], 'id'), choice: choice(b[1], 'choice') }), (c) => [u(c, 'vote').id, u(c, 'vote').choice], (c) => `treasury: vote ${u(c, 'vote').choice} on disbursement ${u(c, 'vote').id}`),
  kind('treasury.lease', 'lease', 1, (b) => ({ op: 'lease', ttl: asSafeInt(b[0], 'ttl_blocks', 100_000) }), (c) => [u(c, 'lease').ttl], (c) => (u(c, 'lease').ttl === 0 ? 'treasury: release executor lease' : `treasury: executor lease for ${u(c, 'lease').ttl} blocks`)),
  kind('treasury.execute', 'execute', 1, (b) => ({ op: 'execute', id: id(b[0], 'id') }), (c) => [u(c, 'execute').id], (c) => `treasury: execute disbursement ${u(c, 'execute').id}`),
  kind('treasury.rollback', 'rollback', 2, (b) => ({ op: 'rollback', id: id(b[0], 'id'), reason: text(b[1], 'reason', 1024) }), (c) => [u(c, 'rollback').id, u(c, 'rollback').reason], (c) => `treasury: roll back disbursement ${u(c, 'rollback').id}`),
  paramProposeKind(),
  kind('gov.param_vote', 'param_vote', 2, (b) => ({ op: 'param_vote', id: id(b[0], 'id'), choice: choice(b[1], 'choice') }), (c) => [u(c, 'param_vote').id, u(c, 'param_vote').choice], (c) => `governance: vote ${u(c, 'param_vote').choice} on param proposal ${u(c, 'param_vote').id}`),
  kind('gov.param_rollback', 'param_rollback', 2, (b) => ({ op: 'param_rollback', id: id(b[0], 'id'), reason: text(b[1], 'reason', 1024) }), (c) => [u(c, 'param_rollback').id, u(c, 'param_rollback').reason], (c) => `governance: roll back param proposal ${u(c, 'param_rollback').id}`),
];
export const kindByOp = (op: TreasuryCall['op']): TxKind<TreasuryCall> => TREASURY_KINDS.find((k) => k.tag.slice(k.tag.indexOf('.') + 1) === op)!;

function applyCall(s: TreasuryState, c: TreasuryCall, ctx: TxContext): TreasuryState {
  switch (c.op) {
    case 'create': return create(s, c.payload, ctx);
    case 'advance': return advance(s, c.id, ctx);
    case 'vote': return vote(s, c.id, c.choice, ctx);
    case 'lease': return lease(s, c.ttl, ctx);
    case 'execute': return execute(s, c.id, ctx);
    case 'rollback': return rollback(s, c.id, c.reason, ctx);
    case 'param_propose': return proposeParam(s, c.name, c.value, ctx, c.epoch);
    case 'param_vote': return voteParam(s, c.id, c.choice, ctx);
    case 'param_rollback': return rollbackParam(s, c.id, c.reason, ctx);
  }
}

export const treasuryChainModule: ChainModule<TreasuryState, TreasuryCall> = {
  id: TREASURY_ID,
  kinds: TREASURY_KINDS,
  state: { empty: EMPTY_TREASURY, encode: encodeTreasury, decode: decodeTreasury },
  applyTx(s, c, ctx) {
    try {
      return ok(applyCall(s, c, ctx));
    } catch (err) {
      if (err instanceof TreasuryRefusal) return refuse(err.reason, err.message);
      throw err;
    }
  },
  beginBlock: (s, ctx) => stepParams(stepBlock(s, ctx), ctx),
  endBlock: collectFeeShare,
};
