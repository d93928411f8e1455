/**
 * Public index of the treasury module (other modules import only from here):
 * - `TREASURY_ADDRESS`: accrue with `ctx.ledger.transfer(payer, TREASURY_ADDRESS, amount)`;
 * - `treasuryState` + `getParam`: read governance params in a hook with
 *   `getParam(ctx.read(treasuryState), 'energy_min_stake')` (or `chain.moduleState(treasuryState)`
 *   in a service); `PARAMS` lists names, defaults and bounds.
 */
export { TREASURY_ADDRESS } from './account.js';
export { TREASURY } from './module.js';
export { treasuryState, TREASURY_ID } from './chain-module.js';
export { getParam, PARAMS, PARAM_NAMES, ROLLBACK_WINDOW_EPOCHS, type ParamName } from './params.js';
export type { TreasuryState, Disbursement } from './state.js';
export { validatePayload, checkAgainstChain, type PayloadIssue, type DisbursementPayload } from './payload.js';
