/**
 * How value reaches the treasury (pure; runs inside chain-module hooks, so replay reproduces it):
 *
 * - **Fee share** — the chain pays every tx fee to the block's proposer (chain/apply.ts) and hands
 *   the block's total to `endBlock` as `ctx.fees`. The treasury's `endBlock` then moves
 *   `floor(ctx.fees × treasury_fee_share_bps / 10 000)` base units proposer → TREASURY_ADDRESS
 *   (governance param, default 1 000 bps = 10 %; the rest stays with the proposer). If the
 *   proposer spent part of this block's fees in a later tx of the same block, the share is capped
 *   at the proposer's balance: value is moved, never minted. The total taken so far is
 *   `fees_accrued` in treasury state.
 * - **Accruals of other modules** — `accrueToTreasury(ctx.ledger, payer, amount)` from a module's
 *   `applyTx` / `endBlock` (e.g. the energy market's treasury fee, the names protocol fee).
 * - Plain transfers to TREASURY_ADDRESS.
 * Amounts are bigint base units of BLOCK end to end.
 */
import type { Address, BlockContext, Ledger, Refusal } from '../chain/module.js';
import { TREASURY_ADDRESS } from './account.js';
import { getParam } from './params.js';
import type { TreasuryState } from './state.js';

/** The treasury's share (base units) of `fees` base units at `bps` basis points: floor(fees × bps / 10 000). */
export function feeShare(fees: bigint, bps: bigint): bigint {
  if (fees <= 0n || bps <= 0n) return 0n;
  return (fees * bps) / 10_000n;
}

/**
 * Moves `amount` base units from `payer` to the treasury through the block's ledger.
 * @returns null when moved; a refusal (`bad_amount` for amount ≤ 0, `insufficient_balance`, …)
 *   with nothing moved — the caller refuses its tx with it (or, in a hook, skips the accrual).
 */
export function accrueToTreasury(ledger: Ledger, payer: Address, amount: bigint): Refusal | null {
  if (amount <= 0n) return { reason: 'bad_amount', message: `treasury accrual must be a positive number of base units, got ${amount}` };
  return ledger.transfer(payer, TREASURY_ADDRESS, amount);
}

/** endBlock step: takes the treasury's share of the block's fees from the proposer (see above). */
export function collectFeeShare(s: TreasuryState, ctx: BlockContext): TreasuryState {
  const want = feeShare(ctx.fees, getParam(s, 'treasury_fee_share_bps'));
  if (want === 0n) return s;
  const have = ctx.ledger.balance(ctx.proposer);
  const take = want < have ? want : have;
  if (take <= 0n || accrueToTreasury(ctx.ledger, ctx.proposer, take) !== null) return s;
  return { ...s, fees_accrued: (BigInt(s.fees_accrued ?? '0') + take).toString() };
}
