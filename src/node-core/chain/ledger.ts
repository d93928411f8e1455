/**
 * Balance moves for modules (chain/module.ts Ledger) over staged accounts. A `Journal` stages one
 * tx's account changes on top of the block's overlay so a refused module call is dropped whole.
 */
import { Reason } from '../../shared/api/errors.js';
import type { Address, Ledger, Refusal } from './module.js';
import type { AccountState } from './state.js';

/** Read/write access to staged accounts by 40-hex address (chain/state.ts Overlay, or a Journal). */
export interface Accounts {
  get(addrHex: string): AccountState;
  set(addrHex: string, a: AccountState): void;
}

const U64_MAX = (1n << 64n) - 1n;
const ADDR_RE = /^tb1[0-9a-f]{40}$/;

/** Changes of one tx on top of `base`; `commit` writes them through. */
export class Journal implements Accounts {
  private readonly changes = new Map<string, AccountState>();
  constructor(private readonly base: Accounts) {}
  get(addrHex: string): AccountState {
    return this.changes.get(addrHex) ?? this.base.get(addrHex);
  }
  set(addrHex: string, a: AccountState): void {
    this.changes.set(addrHex, a);
  }
  commit(): void {
    for (const [k, v] of this.changes) this.base.set(k, v);
  }
}

function hexOf(addr: Address): string {
  if (!ADDR_RE.test(addr)) throw new Error(`ledger: ${JSON.stringify(addr)} is not a tb1 address`);
  return addr.slice(3);
}

function badAmount(amount: bigint): Refusal | null {
  return amount < 0n || amount > U64_MAX ? { reason: 'bad_amount', message: `amount ${amount} is not in 0..2^64-1` } : null;
}

/** A Ledger over staged accounts. */
export function ledgerOver(acc: Accounts): Ledger {
  const credit = (addr: Address, amount: bigint): Refusal | null => {
    const bad = badAmount(amount);
    if (bad) return bad;
    const hex = hexOf(addr);
    const a = acc.get(hex);
    if (a.balance + amount > U64_MAX) return { reason: Reason.balance_overflow, message: `balance of ${addr} would exceed 2^64-1` };
    if (amount > 0n) acc.set(hex, { balance: a.balance + amount, nonce: a.nonce });
    return null;
  };
  const debit = (addr: Address, amount: bigint): Refusal | null => {
    const bad = badAmount(amount);
    if (bad) return bad;
    const hex = hexOf(addr);
    const a = acc.get(hex);
    if (a.balance < amount) return { reason: Reason.insufficient_balance, message: `balance ${a.balance} of ${addr} is less than ${amount}` };
    if (amount > 0n) acc.set(hex, { balance: a.balance - amount, nonce: a.nonce });
    return null;
  };
  return {
    balance: (addr) => acc.get(hexOf(addr)).balance,
    credit,
    debit,
    transfer(from, to, amount) {
      const j = new Journal(acc);
      const inner = ledgerOver(j);
      const r = inner.debit(from, amount) ?? inner.credit(to, amount);
      if (!r) j.commit();
      return r;
    },
  };
}
