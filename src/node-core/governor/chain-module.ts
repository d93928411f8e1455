/**
 * The launch governor's ChainModule (chain/module.ts): one tx kind, `gov_intent` (fee-exempt,
 * validators only), the governance state (gov-intent.ts) as its state, the epoch step as its
 * `beginBlock`, a validator's vote as its `applyTx`. Byte forms are unchanged from the
 * pre-module chain: the intent tx is the same 7-element payload, the state the same CBOR.
 */
import { moduleRef, ok, refuse, type Address, type ChainModule, type TxKind } from '../chain/module.js';
import {
  decodeGov,
  decodeIntent,
  EMPTY_GOV,
  GOV_INTENT_TAG,
  GovIntentError,
  govEpochStep,
  govValue,
  govVote,
  intentArray,
  type GovIntent,
  type GovState,
} from './gov-intent.js';

export const GOVERNOR_ID = 'governor';

/** Typed handle on the governance state: `ctx.read(governorState)` / `chain.moduleState(governorState)`. */
export const governorState = moduleRef<GovState>(GOVERNOR_ID);

/** `["gov_intent", gate, action, epoch_apply, patch]` (the body is the four elements after the tag). */
export const intentKind: TxKind<GovIntent> = {
  tag: GOV_INTENT_TAG,
  fee: 'exempt',
  decode: (body) => decodeIntent([GOV_INTENT_TAG, ...body]),
  encode: (i) => intentArray(i).slice(1),
  view: (i) => ({
    summary: `governor intent: ${i.gate} ${i.action} at epoch ${i.epochApply}`,
    fields: { gate: i.gate, action: i.action, epoch_apply: i.epochApply, params_patch: i.patch },
  }),
};

/** Validator stake by 40-hex address (the form the governance state stores voters in). */
function stakeByHex(validators: ReadonlyMap<Address, bigint>): Map<string, bigint> {
  const m = new Map<string, bigint>();
  for (const [a, s] of validators) m.set(a.slice(3), s);
  return m;
}

export const governorChainModule: ChainModule<GovState, GovIntent> = {
  id: GOVERNOR_ID,
  kinds: [intentKind],
  state: { empty: EMPTY_GOV, encode: govValue, decode: decodeGov },
  beginBlock: (s, ctx) => govEpochStep(s, ctx.height, stakeByHex(ctx.validators)),
  applyTx(s, intent, ctx) {
    try {
      return ok(govVote(s, ctx.height, { sender: ctx.sender.slice(3), intent }, stakeByHex(ctx.validators)));
    } catch (err) {
      if (err instanceof GovIntentError) return refuse(err.reason, err.message);
      throw err;
    }
  },
};
