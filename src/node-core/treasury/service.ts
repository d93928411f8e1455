/**
 * The treasury service: handlers of the `gov.treasury.*` / `gov.param.*` methods, the executor
 * (lease + staged intent queue), `treasury/provenance.json`, the disbursementChanged topic and
 * the treasury metrics. It reads the chain state and submits module txs signed with the node key
 * (chain.submitCall); it never changes state itself.
 *
 * provenance.json (written atomically — temp file + rename — after every block in which a
 * disbursement was executed, finalized or rolled back): `{ version: 1, height, written_at_ms,
 * disbursements: DisbursementView[] }` of every disbursement that was ever executed or rolled back.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Counter, Gauge } from 'prom-client';
import { RpcError } from '../../shared/api/errors.js';
import type { DisbursementView } from '../../shared/api/treasury.js';
import type { Chain } from '../chain/chain.js';
import type { NodeEvents } from '../events.js';
import type { Deadline } from '../modules/index.js';
import { writeFileAtomic } from '../storage/atomic.js';
import { TREASURY_ADDRESS } from './account.js';
import { kindByOp, treasuryState, type TreasuryCall } from './chain-module.js';
import { getParam } from './params.js';
import { checkAgainstChain, termsOf, validatePayload } from './payload.js';
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
}

export interface Intent {
  disbursement_id: number;
  tx_hash: string;
  staged_height: number;
}

export class TreasuryService {
  readonly intents: Intent[] = [];
  lastError: string | null = null;
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
    /** This node's address (its key signs the module txs). */
    readonly self: string,
  ) {
    this.validators = new Map(chain.genesis.validators.map((v) => [v.address, BigInt(v.stake)]));
  }

  get provenancePath(): string {
    return path.join(this.root, 'treasury', 'provenance.json');
  }

  async start(): Promise<void> {
    await mkdir(path.join(this.root, 'treasury'), { recursive: true });
    for (const d of this.state().disbursements) this.lastStatus.set(d.id, d.status);
    this.onHead();
    this.off = this.events.on('newHeads', () => this.onHead());
  }

  async close(): Promise<void> {
    this.off?.();
    await this.writing;
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
    if (!r.payload) return { ok: false, issues: r.issues, windows: null };
    const s = this.state();
    const issues = [...r.issues, ...checkAgainstChain(r.payload, { treasuryBalance: this.balance(), committed: committed(s), height: this.chain.tip().height, knownIds: new Set(s.disbursements.map((d) => d.id)) })];
    const t = termsOf(r.payload);
    return { ok: !issues.some((i) => i.severity === 'error'), issues, windows: { vote_blocks: t.vote_window_blocks, timelock_blocks: t.timelock_blocks, rollback_blocks: t.rollback_window_blocks } };
  }

  submit(call: TreasuryCall): string {
    return this.chain.submitCall(kindByOp(call.op), call);
  }

  /** Takes or renews the executor lease if needed (waiting for it to be in a block), then submits the execution. */
  async execute(id: number): Promise<{ tx_hash: string; lease_tx_hash: string | null }> {
    const self = this.self;
    const l = this.state().lease;
    const h = this.chain.tip().height;
    let leaseTx: string | null = null;
    if (!l || l.holder !== self || l.expires_height <= h + 2) {
      leaseTx = this.submit({ op: 'lease', ttl: Number(getParam(this.state(), 'treasury_executor_lease_blocks')) });
      await this.waitFor(() => {
        const x = this.state().lease;
        return x !== null && x.holder === self && x.expires_height > this.chain.tip().height + 1;
      }, 60_000, 'executor lease');
    }
    try {
      const tx = this.submit({ op: 'execute', id });
      this.intents.push({ disbursement_id: id, tx_hash: tx, staged_height: this.chain.tip().height });
      this.lastError = null;
      return { tx_hash: tx, lease_tx_hash: leaseTx };
    } catch (err) {
      this.lastError = (err as Error).message;
      throw err;
    }
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
    // Intents leave the queue once their disbursement left Timelocked.
    for (let i = this.intents.length - 1; i >= 0; i--) {
      const d = s.disbursements.find((x) => x.id === this.intents[i]!.disbursement_id);
      if (!d || d.status !== 'Timelocked' || c.height - this.intents[i]!.staged_height > 30) this.intents.splice(i, 1);
    }
    this.updateMetrics(s, c);
    if (provenance) this.writing = this.writing.then(() => this.writeProvenance()).catch(() => undefined);
  }

  private async writeProvenance(): Promise<void> {
    const s = this.state();
    const c = this.viewContext();
    const ds = s.disbursements.filter((d) => d.history.some((h) => h.status === 'Executed' || h.status === 'RolledBack')).map((d) => disbursementView(d, c));
    await writeFileAtomic(this.provenancePath, JSON.stringify({ version: 1, height: c.height, written_at_ms: Date.now(), disbursements: ds }, null, 2) + '\n');
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
      if (d.status === 'Queued' || d.status === 'Timelocked') {
        const since = d.history[d.history.length - 1]!.at_ms;
        oldest = oldest === null ? since : Math.min(oldest, since);
        if (d.status === 'Timelocked') ready = ready === null ? since : Math.min(ready, since);
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
    m.oldestAge.set(oldest === null ? 0 : Math.max(0, (c.tipMs - oldest) / 1000));
    m.stalled.set(ready === null ? 0 : Math.max(0, (c.tipMs - ready) / 1000));
  }
}
