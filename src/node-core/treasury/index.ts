/**
 * Public index of the treasury module (other modules import only from here):
 * - `accrueToTreasury(ctx.ledger, payer, amount)`: another module's accrual into the treasury
 *   (energy's treasury fee, the names protocol fee), from its applyTx/endBlock; returns a Refusal
 *   (nothing moved) or null. `TREASURY_ADDRESS` is the account it credits. The treasury also takes
 *   `treasury_fee_share_bps` of every block's fees (accrual.ts);
 * - `treasuryState` + `getParam`: read governance params in a hook with
 *   `getParam(ctx.read(treasuryState), 'energy_min_stake')` (or `chain.moduleState(treasuryState)`
 *   in a service); `PARAMS` lists names, defaults and bounds.
 */
export { TREASURY_ADDRESS } from './account.js';
export { accrueToTreasury, feeShare } from './accrual.js';
export { TREASURY } from './module.js';
export { treasuryState, TREASURY_ID } from './chain-module.js';
export { getParam, PARAMS, PARAM_NAMES, ROLLBACK_WINDOW_EPOCHS, type ParamName } from './params.js';
export type { TreasuryState, Disbursement } from './state.js';
export { validatePayload, checkAgainstChain, type PayloadIssue, type DisbursementPayload } from './payload.js';
