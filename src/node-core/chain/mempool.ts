/**
 * Mempool of signed transfers (spec/chain_core.md §5, one lane). Admission checks, in order:
 * duplicate id → wrong chain id → fee floor → nonce (too low / gap / already pending) →
 * per-account pending cap → balance covering every pending tx of the sender → capacity.
 * (The signature is checked by the caller before `add`, see Chain.submit.)
 * Per sender, pending txs form a contiguous nonce run starting at the account's nonce, so
 * the pending nonce is `account.nonce + pending count`. Block assembly takes the
 * highest-fee ready tx across senders (ties: earliest arrival, then id), keeping nonce order.
 * Deviation from the reference: a block may include several consecutive nonces of one sender.
 */
import { Reason, RpcError } from '../../shared/api/errors.js';
import type { AccountState } from './state.js';
import type { SignedTx } from './tx.js';

export interface MempoolOptions {
  /** Capacity in txs (`TB_MEMPOOL_MAX`, default 1024). */
  maxSize?: number;
  /** Pending txs per sender (`TB_MEMPOOL_ACCOUNT_CAP`, default 16). */
  maxPerAccount?: number;
  /** Fee floor in base units (default 1). */
  minFee?: bigint;
}

interface Entry {
  tx: SignedTx;
  /** Wall-clock arrival (ms) for age stats; `seq` breaks ties deterministically. */
  arrivedMs: number;
  seq: number;
}

function percentile<T>(sorted: T[], p: number): T | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export class Mempool {
  readonly maxSize: number;
  readonly maxPerAccount: number;
  readonly minFee: bigint;
  /** sender 40-hex → entries in nonce order (contiguous). */
  private readonly bySender = new Map<string, Entry[]>();
  private readonly byHash = new Map<string, Entry>();
  private seq = 0;

  constructor(
    private readonly chainId: number,
    o: MempoolOptions = {},
  ) {
    this.maxSize = o.maxSize ?? 1024;
    this.maxPerAccount = o.maxPerAccount ?? 16;
    this.minFee = o.minFee ?? 1n;
  }

  get size(): number {
    return this.byHash.size;
  }

  has(hash: string): boolean {
    return this.byHash.has(hash);
  }

  /** Number of pending txs of a sender (40-hex address). */
  pendingCount(senderHex: string): number {
    return this.bySender.get(senderHex)?.length ?? 0;
  }

  /** Next nonce counting pending txs. */
  pendingNonce(senderHex: string, account: AccountState): bigint {
    return account.nonce + BigInt(this.pendingCount(senderHex));
  }

  /**
   * Admits a tx whose signature was already verified.
   * @param account the sender's committed state.
   * @param o.feeExempt the tx's kind is fee-exempt (chain/module.ts TxKind.fee): no fee floor.
   * @throws RpcError.app with reason duplicate | wrong_chain_id | fee_too_low | nonce_too_low |
   *   nonce_gap | pending_limit_reached | insufficient_balance | mempool_full.
   */
  add(tx: SignedTx, account: AccountState, o: { feeExempt?: boolean; nowMs?: number } = {}): void {
    const nowMs = o.nowMs ?? Date.now();
    const sender = tx.fromAddress.slice(3);
    const { amount, fee, nonce, chainId } = tx.payload;
    if (this.byHash.has(tx.hash)) throw RpcError.app(Reason.duplicate, `transaction ${tx.hash} is already in the mempool`);
    if (chainId !== this.chainId)
      throw RpcError.app(Reason.wrong_chain_id, `transaction is for chain id ${chainId}; this node runs chain id ${this.chainId}`);
    // Fee-exempt module kinds: their module restricts who may send them (Chain.submit runs its check first).
    if (fee < this.minFee && !o.feeExempt) throw RpcError.app(Reason.fee_too_low, `fee ${fee} is below the fee floor ${this.minFee}`, { fee_floor: this.minFee.toString() });
    const queue = this.bySender.get(sender) ?? [];
    const pendingNonce = account.nonce + BigInt(queue.length);
    if (nonce < account.nonce)
      throw RpcError.app(Reason.nonce_too_low, `nonce ${nonce} was already used by ${tx.fromAddress}; the next nonce is ${pendingNonce}`);
    if (nonce < pendingNonce)
      throw RpcError.app(Reason.duplicate, `a transaction with nonce ${nonce} from ${tx.fromAddress} is already pending; the next nonce is ${pendingNonce}`);
    if (nonce > pendingNonce)
      throw RpcError.app(Reason.nonce_gap, `nonce ${nonce} skips ahead; the next nonce of ${tx.fromAddress} is ${pendingNonce}`);
    if (queue.length >= this.maxPerAccount)
      throw RpcError.app(Reason.pending_limit_reached, `${tx.fromAddress} already has ${queue.length} pending transactions (limit ${this.maxPerAccount}); wait for the next block`);
    let committed = 0n;
    for (const e of queue) committed += e.tx.payload.amount + e.tx.payload.fee;
    const need = committed + amount + fee;
    if (account.balance < need)
      throw RpcError.app(
        Reason.insufficient_balance,
        `balance ${account.balance} of ${tx.fromAddress} does not cover amount + fee = ${amount + fee}` + (committed > 0n ? ` plus ${committed} already pending` : ''),
      );
    if (this.byHash.size >= this.maxSize) throw RpcError.app(Reason.mempool_full, `the mempool is full (${this.maxSize} transactions); retry after the next block`);
    const entry: Entry = { tx, arrivedMs: nowMs, seq: this.seq++ };
    queue.push(entry);
    this.bySender.set(sender, queue);
    this.byHash.set(tx.hash, entry);
  }

  /**
   * Candidate txs for a block, best first, each sender's in nonce order, at most `max`.
   * `accept(tx)` is called in order; returning false drops that sender's remaining txs from this block.
   */
  select(max: number, accept: (tx: SignedTx) => boolean): SignedTx[] {
    const out: SignedTx[] = [];
    const heads: { q: Entry[]; i: number }[] = [];
    for (const q of this.bySender.values()) heads.push({ q, i: 0 });
    const better = (a: Entry, b: Entry) =>
      a.tx.payload.fee !== b.tx.payload.fee ? a.tx.payload.fee > b.tx.payload.fee : a.seq < b.seq;
    // Binary max-heap of sender cursors keyed by their next entry.
    const heap = heads;
    const at = (k: number) => heap[k].q[heap[k].i];
    const down = (k: number) => {
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < heap.length && better(at(l), at(m))) m = l;
        if (r < heap.length && better(at(r), at(m))) m = r;
        if (m === k) return;
        [heap[k], heap[m]] = [heap[m], heap[k]];
        k = m;
      }
    };
    for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
    while (heap.length > 0 && out.length < max) {
      const top = heap[0];
      const e = top.q[top.i];
      const ok = accept(e.tx);
      if (ok) out.push(e.tx);
      top.i++;
      if (!ok || top.i >= top.q.length) {
        heap[0] = heap[heap.length - 1];
        heap.pop();
      }
      if (heap.length > 0) down(0);
    }
    return out;
  }

  /**
   * After a block: drops included txs and any tx that can no longer apply
   * (nonce below the sender's new nonce), keeping each sender's run contiguous.
   */
  onBlock(included: SignedTx[], accountOf: (senderHex: string) => AccountState): void {
    if (this.byHash.size === 0) return; // nothing pending (a syncing or importing follower): no per-tx work
    const touched = new Set<string>();
    for (const tx of included) touched.add(tx.fromAddress.slice(3));
    for (const sender of touched) {
      const q = this.bySender.get(sender);
      if (!q) continue;
      const acct = accountOf(sender);
      let expected = acct.nonce;
      const keep: Entry[] = [];
      for (const e of q) {
        if (e.tx.payload.nonce === expected) {
          keep.push(e);
          expected++;
        } else this.byHash.delete(e.tx.hash);
      }
      if (keep.length > 0) this.bySender.set(sender, keep);
      else this.bySender.delete(sender);
    }
    for (const tx of included) this.byHash.delete(tx.hash);
  }

  /** Removes `tx` and the sender's later txs (they depend on it); used when a tx can no longer apply. */
  dropFrom(tx: SignedTx): void {
    const sender = tx.fromAddress.slice(3);
    const q = this.bySender.get(sender);
    if (!q) return;
    const i = q.findIndex((e) => e.tx.hash === tx.hash);
    if (i < 0) return;
    for (const e of q.splice(i)) this.byHash.delete(e.tx.hash);
    if (q.length === 0) this.bySender.delete(sender);
  }

  /** `mempool.stats`: size, age percentiles (ms), fee percentiles and floor (base units). */
  stats(nowMs = Date.now()): { size: number; age_p50: number; age_p95: number; fee_p50: string; fee_p90: string; fee_floor: string } {
    const entries = [...this.byHash.values()];
    const ages = entries.map((e) => Math.max(0, nowMs - e.arrivedMs)).sort((a, b) => a - b);
    const fees = entries.map((e) => e.tx.payload.fee).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return {
      size: entries.length,
      age_p50: percentile(ages, 50) ?? 0,
      age_p95: percentile(ages, 95) ?? 0,
      fee_p50: (percentile(fees, 50) ?? 0n).toString(),
      fee_p90: (percentile(fees, 90) ?? 0n).toString(),
      fee_floor: this.minFee.toString(),
    };
  }
}
