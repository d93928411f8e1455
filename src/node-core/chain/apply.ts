/**
 * The state transition of a transfer, shared by block production, import and replay so the
 * three cannot drift: sender pays amount + fee and its nonce advances by one; the recipient
 * gets the amount; the block proposer gets the fee. Supply is constant (no block reward in v1).
 */
import { Reason } from '../../shared/api/errors.js';
import type { Accounts } from './ledger.js';
import type { SignedTx } from './tx.js';

export interface ApplyFailure {
  reason: typeof Reason.nonce_gap | typeof Reason.nonce_too_low | typeof Reason.insufficient_balance;
  message: string;
}

/**
 * Applies one tx to the overlay, or returns why it cannot apply (the overlay is then unchanged).
 * @param proposerHex 40-hex address bytes of the block proposer (fee recipient).
 */
export function applyTx(ov: Accounts, tx: SignedTx, proposerHex: string): ApplyFailure | null {
  const from = tx.fromAddress.slice(3);
  const to = tx.toAddress.slice(3);
  const { amount, fee, nonce } = tx.payload;
  const sender = ov.get(from);
  if (nonce !== sender.nonce) {
    return nonce < sender.nonce
      ? { reason: Reason.nonce_too_low, message: `nonce ${nonce} already used; the account's next nonce is ${sender.nonce}` }
      : { reason: Reason.nonce_gap, message: `nonce ${nonce} skips ahead; the account's next nonce is ${sender.nonce}` };
  }
  const cost = amount + fee;
  if (sender.balance < cost) {
    return { reason: Reason.insufficient_balance, message: `balance ${sender.balance} is less than amount + fee = ${cost}` };
  }
  ov.set(from, { balance: sender.balance - cost, nonce: sender.nonce + 1n });
  const recipient = ov.get(to);
  ov.set(to, { balance: recipient.balance + amount, nonce: recipient.nonce });
  if (fee > 0n) {
    const p = ov.get(proposerHex);
    ov.set(proposerHex, { balance: p.balance + fee, nonce: p.nonce });
  }
  return null;
}
