/**
 * Transfer form rules (pure): every problem gets a message that says what to type instead.
 * Amounts and fees are whole base units of BLOCK, parsed exactly (shared `parseU64`), never floats.
 */
import { parseU64, U64_MAX } from '../../../shared/api/numbers';

export interface TransferDraft {
  from: string;
  to: string;
  amount: string;
  /** Empty = the mempool fee floor. */
  fee: string;
}

export type TransferField = keyof TransferDraft;

export interface TransferCheck {
  errors: Partial<Record<TransferField, string>>;
  amount?: bigint;
  fee?: bigint;
  total?: bigint;
}

const ADDRESS = /^tb1[0-9a-f]{40}$/;

/** Validates a draft against the sender's balance and the mempool fee floor (when known). */
export function validateTransfer(d: TransferDraft, ctx: { balance?: bigint; feeFloor?: bigint }): TransferCheck {
  const errors: TransferCheck['errors'] = {};
  if (!d.from) errors.from = 'Choose the key to send from.';

  const to = d.to.trim();
  if (!to) errors.to = 'Enter the receiver’s address.';
  else if (ADDRESS.test(to.toLowerCase()) && to !== to.toLowerCase()) errors.to = 'Write the address in lowercase (tb1 followed by 40 hex digits).';
  else if (!ADDRESS.test(to)) errors.to = `Not an address: it must be tb1 followed by 40 hex digits (43 characters; this has ${to.length}).`;

  let amount: bigint | undefined;
  const a = d.amount.trim();
  if (!a) errors.amount = 'Enter an amount in base units.';
  else {
    const r = parseU64(a);
    if (typeof r === 'string') errors.amount = `Amount ${r}.`;
    else if (r === 0n) errors.amount = 'Amount must be greater than 0.';
    else amount = r;
  }

  let fee: bigint | undefined;
  const f = d.fee.trim();
  if (!f) fee = ctx.feeFloor;
  else {
    const r = parseU64(f);
    if (typeof r === 'string') errors.fee = `Fee ${r}.`;
    else if (ctx.feeFloor !== undefined && r < ctx.feeFloor) errors.fee = `Fee must be at least the mempool floor of ${ctx.feeFloor}.`;
    else fee = r;
  }

  let total: bigint | undefined;
  if (amount !== undefined && fee !== undefined) {
    total = amount + fee;
    if (total > U64_MAX) errors.amount = 'Amount plus fee is beyond the largest possible amount (2^64 − 1).';
    else if (ctx.balance !== undefined && total > ctx.balance)
      errors.amount = `Amount plus fee (${total}) is more than the balance of ${d.from} (${ctx.balance}).`;
  }
  return { errors, amount, fee, total };
}
