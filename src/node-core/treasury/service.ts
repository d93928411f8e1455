/**
 * The treasury service: handlers of the `gov.treasury.*` / `gov.param.*` methods, the executor
 * (lease + the persisted intent queue, executor.ts), `treasury/provenance.json`, the
 * disbursementChanged topic and the treasury metrics. It reads the chain state and submits module
 * txs; it never changes state itself.
 *
 * Who signs and pays: every call is a module tx whose signer is the actor and pays its fee — the
 * node key by default, or the local wallet key named in `from` (keys/wallets/<name>.json, "faucet"
 * on dev). The executor (lease + execute) is always the node key; the treasury refunds the
 * execution tx's fee (rules.ts), so a disbursement's execution is paid by the treasury.
 *
 * provenance.json (provenance.ts; written atomically after every block in which a disbursement
 * was executed, finalized or rolled back).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Counter, Gauge } from 'prom-client';
import { RpcError } from '../../shared/api/errors.js';
import type { DisbursementView } from '../../shared/api/treasury.js';
import type { Chain } from '../chain/chain.js';
import { signCall } from '../chain/tx.js';
import { onHeadsSettled, type NodeEvents } from '../events.js';
import type { Deadline } from '../modules/index.js';
import type { KeyPair, Keystore } from '../wallet/keystore.js';
import { TREASURY_ADDRESS } from './account.js';
import { kindByOp, treasuryState, type TreasuryCall } from './chain-module.js';
import { getParam } from './params.js';
import { IntentQueue, type IntentResult } from './executor.js';
import { provenanceDocument, writeProvenance } from './provenance.js';
import { checkAgainstChain, payloadSizeIssue, termsOf, validatePayload } from './payload.js';
import { scheduledHeight } from './rules.js';
import type { TreasuryState } from './state.js';
import { committed, disbursementView, treasuryDeadlines, type ViewContext } from './view.js';

export interface TreasuryMetrics {
  balance: Gauge;
  balanceCt: Gauge;
  balanceIt: Gauge;
  backlog: Gauge;
  byStatus: Gauge<'status'>;
  entered: Counter<'status'>;
  amountByStatus: Gauge<'status'>;
  amountCtByStatus: Gauge<'status'>;
  oldestAge: Gauge;
  stalled: Gauge;
  stagedIntents: Gauge;
  executorResults: Counter<'result'>;
}

export class TreasuryService {
  readonly queue: IntentQueue;
  private lastStatus = new Map<number, string>();
  /** Per status: how many stage entries `governance_disbursements_total` has counted so far. */
  private readonly enteredSeen = new Map<string, number>();
  private balanceHistory: { height: number; at_ms: number; balance: string }[] = [];
  private readonly validators: Map<string, bigint>;
  private off: (() => void) | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly chain: Chain,
    private readonly events: NodeEvents,
    private readonly root: string,
    private readonly metrics: TreasuryMetrics,
    /** This node's key: the executor, and the default signer of module txs. */
    private readonly nodeKey: KeyPair,
    /** Local wallet keys (`from`). */
    private readonly keystore: Keystore,
  ) {
    this.validators = new Map(chain.genesis.validators.map((v) => [v.address, BigInt(v.stake)]));
    this.queue = new IntentQueue(
      path.join(root, 'treasury', 'intents.json'),
      { state: () => this.state(), txStatus: (h) => chain.txStatus(h), submit: (b) => void chain.submit(b) },
      (r: IntentResult) => metrics.executorResults.inc({ result: r }),
    );
  }

  /** This node's address (the executor). */
  get self(): string {
    return this.nodeKey.address;
  }
  get lastError(): string | null {
    return this.queue.lastError;
  }

  get provenancePath(): string {
    return path.join(this.root, 'treasury', 'provenance.json');
  }

  async start(): Promise<void> {
    await mkdir(path.join(this.root, 'treasury'), { recursive: true });
    await this.queue.load();
    for (const d of this.state().disbursements) this.lastStatus.set(d.id, d.status);
    this.onHead();
    // Reads only the tip (balance point, status changes, metrics): once per run of heads (events.ts).
    this.off = onHeadsSettled(this.events, () => this.onHead());
  }

  async close(): Promise<void> {
    this.off?.();
    await this.writing;
    await this.queue.idle();
  }

  state(): Readonly<TreasuryState> {
    return this.chain.moduleState(treasuryState);
  }
  balance(): bigint {
    return this.chain.accountState(TREASURY_ADDRESS).balance;
  }
  viewContext(): ViewContext {
    const tip = this.chain.tip();
    return { height: tip.height, tipMs: tip.timestamp_ms, blockTimeMs: this.chain.genesis.block_time_ms, validators: this.validators, treasuryBalance: this.balance() };
  }
  view(id: number): DisbursementView {
    const d = this.state().disbursements.find((x) => x.id === id);
    if (!d) throw RpcError.notFound(`disbursement ${id} not found`);
    return disbursementView(d, this.viewContext());
  }
  deadlines(): Deadline[] {
    const c = this.viewContext();
    return treasuryDeadlines(this.state(), c);
  }
  balanceHistoryRows(): { height: number; at_ms: number; balance: string }[] {
    return this.balanceHistory;
  }

  /** Schema + chain checks of a payload (preview --check, the console's live validation). */
  preview(payload: unknown) {
    const r = validatePayload(payload);
    const big = payloadSizeIssue(payload);
    if (big) r.issues.push({ path: '(root)', code: big.code, message: big.message, severity: 'error' });
    if (!r.payload || big) return { ok: false, issues: r.issues, windows: null };
    const s = this.state();
    const issues = [...r.issues, ...checkAgainstChain(r.payload, { treasuryBalance: this.balance(), committed: committed(s), height: this.chain.tip().height, knownIds: new Set(s.disbursements.map((d) => d.id)) })];
    const t = termsOf(r.payload);
    return { ok: !issues.some((i) => i.severity === 'error'), issues, windows: { vote_blocks: t.vote_window_blocks, timelock_blocks: t.timelock_blocks, rollback_blocks: t.rollback_window_blocks } };
  }

  /** The key that signs (and pays for) a call: the wallet key `from`, else the node key. */
  private async keyOf(from: string | undefined): Promise<KeyPair> {
    return from === undefined ? this.nodeKey : this.keystore.get(from);
  }

  private sign(call: TreasuryCall, key: KeyPair) {
    const kind = kindByOp(call.op);
    const nonce = this.chain.accountState(key.address).pendingNonce;
    const fee = kind.fee === 'exempt' ? 0n : this.chain.mempool.minFee;
    return signCall({ chainId: this.chain.genesis.chain_id, publicKey: key.publicKey, secretKey: key.secretKey, nonce, fee, call: { tag: kind.tag, body: kind.encode(call) } });
  }

  /** Signs `call` with `from` (or the node key), submits it and returns the tx hash. */
  async submit(call: TreasuryCall, from?: string): Promise<string> {
    const tx = this.sign(call, await this.keyOf(from));
    this.chain.submit(tx.bytes);
    return tx.hash;
  }

  /**
   * Takes or renews the executor lease if needed (waiting for it to be in a block), then stages the
   * execution intent (persisted before submit) and submits it.
   */
  async execute(id: number): Promise<{ tx_hash: string; lease_tx_hash: string | null }> {
    const self = this.self;
    const l = this.state().lease;
    const h = this.chain.tip().height;
    // Refuse what the chain would refuse anyway before taking a lease for it.
    const d = this.state().disbursements.find((x) => x.id === id);
    if (!d) throw RpcError.notFound(`disbursement ${id} not found`);
    if (d.status === 'Timelocked' && scheduledHeight(d) > h + 1)
      throw RpcError.app('not_scheduled', `disbursement ${id} is scheduled for epoch ${d.scheduled_epoch} (from height ${scheduledHeight(d)}); the next block is ${h + 1}`);
    let leaseTx: string | null = null;
    if (!l || l.holder !== self || l.expires_height <= h + 2) {
      leaseTx = await this.submit({ op: 'lease', ttl: Number(getParam(this.state(), 'treasury_executor_lease_blocks')) });
      await this.waitFor(() => {
        const x = this.state().lease;
        return x !== null && x.holder === self && x.expires_height > this.chain.tip().height + 1;
      }, 60_000, 'executor lease');
    }
    const txHash = await this.queue.stage(
      { disbursement_id: id, signer: self, staged_height: this.chain.tip().height, staged_at_ms: Date.now(), lease: this.state().lease },
      () => {
        const tx = this.sign({ op: 'execute', id }, this.nodeKey);
        return { hash: tx.hash, bytes: tx.bytes, nonce: tx.payload.nonce };
      },
    );
    return { tx_hash: txHash, lease_tx_hash: leaseTx };
  }

  private waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(RpcError.app('lease_not_held', `${what} not in a block within ${ms / 1000} s`));
      }, ms);
      const off = this.events.on('newHeads', () => {
        if (!cond()) return;
        clearTimeout(t);
        off();
        resolve();
      });
    });
  }

  private onHead(): void {
    const s = this.state();
    const c = this.viewContext();
    this.balanceHistory.push({ height: c.height, at_ms: c.tipMs, balance: c.treasuryBalance.toString() });
    if (this.balanceHistory.length > 600) this.balanceHistory.splice(0, this.balanceHistory.length - 600);
    let provenance = false;
    for (const d of s.disbursements) {
      if (this.lastStatus.get(d.id) === d.status) continue;
      this.lastStatus.set(d.id, d.status);
      this.events.emit('treasury.disbursementChanged', disbursementView(d, c));
      if (d.status === 'Executed' || d.status === 'Finalized' || d.status === 'RolledBack') provenance = true;
    }
    // Intents leave the queue once their disbursement left Timelocked; lost txs are re-submitted.
    this.writing = this.writing.then(() => this.queue.reconcile()).catch(() => undefined);
    this.updateMetrics(s, c);
    if (provenance) this.writing = this.writing.then(() => this.writeProvenance()).catch(() => undefined);
  }

  private async writeProvenance(): Promise<void> {
    await writeProvenance(this.provenancePath, provenanceDocument(this.state(), this.viewContext(), Date.now()));
  }

  private updateMetrics(s: Readonly<TreasuryState>, c: ViewContext): void {
    const m = this.metrics;
    m.balance.set(Number(c.treasuryBalance));
    m.balanceCt.set(Number(c.treasuryBalance));
    m.balanceIt.set(0);
    const counts = new Map<string, number>();
    const amounts = new Map<string, bigint>();
    let oldest: number | null = null;
    let ready: number | null = null;
    const entered = new Map<string, number>();
    for (const d of s.disbursements) {
      for (const h of d.history) entered.set(h.status, (entered.get(h.status) ?? 0) + 1);
      counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
      amounts.set(d.status, (amounts.get(d.status) ?? 0n) + BigInt(d.amount));
      const sched = scheduledHeight(d);
      if ((d.status === 'Queued' || d.status === 'Timelocked') && sched <= c.height) {
        // Due since the later of its approval (Queued) and the start of its scheduled epoch (block time).
        const schedMs = c.tipMs - (c.height - sched) * c.blockTimeMs;
        const approved = d.history.find((h) => h.status === 'Queued')?.at_ms ?? schedMs;
        const since = Math.max(approved, schedMs);
        oldest = oldest === null ? since : Math.min(oldest, since);
        if (d.status === 'Timelocked') {
          const at = Math.max(d.history[d.history.length - 1]!.at_ms, schedMs);
          ready = ready === null ? at : Math.min(ready, at);
        }
      }
    }
    m.backlog.set((counts.get('Queued') ?? 0) + (counts.get('Timelocked') ?? 0));
    for (const st of ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized', 'RolledBack', 'Expired']) {
      m.byStatus.set({ status: st }, counts.get(st) ?? 0);
      // A counter only moves up: add what entered since the last update (the stage history only grows).
      const add = (entered.get(st) ?? 0) - (this.enteredSeen.get(st) ?? 0);
      if (add > 0) m.entered.inc({ status: st }, add);
      this.enteredSeen.set(st, Math.max(entered.get(st) ?? 0, this.enteredSeen.get(st) ?? 0));
      m.amountByStatus.set({ status: st }, Number(amounts.get(st) ?? 0n));
      m.amountCtByStatus.set({ status: st }, Number(amounts.get(st) ?? 0n));
    }
    m.stagedIntents.set(this.queue.intents.length);
    m.oldestAge.set(oldest === null ? 0 : Math.max(0, (c.tipMs - oldest) / 1000));
    m.stalled.set(ready === null ? 0 : Math.max(0, (c.tipMs - ready) / 1000));
  }
}
