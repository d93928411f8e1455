/** A pure harness for the dns chain module: an in-memory ledger with the chain's refusal semantics, blocks as heights. */
import { addressOf } from '../../../src/node-core/chain/address.js';
import type { Ledger, TxContext } from '../../../src/node-core/chain/module.js';
import { generateKeys, type Ed25519Keys } from '../../../src/node-core/crypto/ed25519.js';
import { applyDns, type DnsCall } from '../../../src/node-core/dns/rules.js';
import { EMPTY_DNS, type DnsState } from '../../../src/node-core/dns/state.js';

export interface Actor extends Ed25519Keys {
  address: string;
}
export function actor(): Actor {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey) };
}

export class World {
  balances = new Map<string, bigint>();
  state: DnsState = EMPTY_DNS;
  height = 1;
  constructor(readonly trade: boolean) {}

  fund(a: string, n: bigint): void {
    this.balances.set(a, (this.balances.get(a) ?? 0n) + n);
  }
  bal = (a: string): bigint => this.balances.get(a) ?? 0n;
  total(): bigint {
    let t = 0n;
    for (const v of this.balances.values()) t += v;
    return t;
  }

  /** Applies one call like the chain: a refusal rolls back every move. */
  apply(sender: string, call: DnsCall): { ok: true } | { ok: false; reason: string; message: string } {
    const snapshot = new Map(this.balances);
    const bal = this.balances;
    const ledger: Ledger = {
      balance: (a) => bal.get(a) ?? 0n,
      transfer(from, to, amount) {
        const f = bal.get(from) ?? 0n;
        if (amount < 0n) return { reason: 'bad_amount', message: 'negative' };
        if (f < amount) return { reason: 'insufficient_balance', message: `${from} has ${f}, needs ${amount}` };
        bal.set(from, f - amount);
        bal.set(to, (bal.get(to) ?? 0n) + amount);
        return null;
      },
      credit(a, n) {
        bal.set(a, (bal.get(a) ?? 0n) + n);
        return null;
      },
      debit(a, n) {
        const f = bal.get(a) ?? 0n;
        if (f < n) return { reason: 'insufficient_balance', message: 'short' };
        bal.set(a, f - n);
        return null;
      },
    };
    const ctx: TxContext = {
      height: this.height, epoch: 0, timestampMs: 1_700_000_000_000 + this.height * 1000, proposer: sender, validators: new Map(), ledger, fees: 0n,
      read: () => {
        throw new Error('not used');
      },
      sender, txHash: '00'.repeat(32), fee: 0n, index: 0,
    };
    const r = applyDns(this.state, call, ctx, this.trade);
    if (!r.ok) {
      this.balances = snapshot;
      return { ok: false, reason: r.reason, message: r.message };
    }
    this.state = r.state;
    return { ok: true };
  }
}
