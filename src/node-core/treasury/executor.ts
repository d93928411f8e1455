/**
 * The executor's staged intent queue, persisted in `treasury/intents.json` (reference TE:
 * `SignedExecutionIntent {disbursement_id, tx_bytes, tx_hash, staged_at, nonce}` persisted before
 * submit). An intent is the signed `treasury.execute` tx of one disbursement, written (atomic
 * temp + rename) **before** the tx goes to the mempool, together with the executor lease it was
 * staged under (id, holder, expiry height, renewals — the lease itself is chain state).
 *
 * Reconciliation at start and after every new head:
 *   - the disbursement left Timelocked → the intent leaves the queue (result `success` when it is
 *     Executed/Finalized by this tx, else `superseded`);
 *   - its tx is pending in the mempool or already in a block → kept;
 *   - its tx is unknown (lost with the mempool at a restart, or evicted) → the same signed bytes are
 *     re-submitted; a refusal (nonce used, lease expired, …) drops the intent with that error.
 * File: `{ "version": 1, "intents": Intent[] }` (tx bytes as lowercase hex). A file that does not
 * parse is moved aside to `intents.json.unreadable-<ms>` and the queue starts empty (the error is
 * reported by `executor_status.last_error`).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { fromHex, toHex } from '../crypto/hash.js';
import { writeFileAtomic } from '../storage/atomic.js';
import type { Lease, TreasuryState } from './state.js';

const zIntent = z.object({
  disbursement_id: z.number().int().min(1),
  tx_hash: z.string().regex(/^[0-9a-f]{64}$/),
  tx_hex: z.string().regex(/^([0-9a-f]{2})+$/),
  signer: z.string(),
  nonce: z.string().regex(/^\d+$/),
  staged_height: z.number().int().min(0),
  staged_at_ms: z.number().int().min(0),
  lease: z.object({ id: z.number().int(), holder: z.string(), expires_height: z.number().int(), renewals: z.number().int() }).nullable(),
  submissions: z.number().int().min(1),
});
export type Intent = z.infer<typeof zIntent>;
const zFile = z.object({ version: z.literal(1), intents: z.array(zIntent) });

/** What the queue needs from the node: the chain's state, tx status and mempool admission. */
export interface IntentChain {
  state(): Readonly<TreasuryState>;
  txStatus(hash: string): Promise<{ status: 'pending' | 'included' | 'unknown' }>;
  /** @throws the admission refusal (RpcError) */
  submit(bytes: Uint8Array): void;
}

export type IntentResult = 'success' | 'superseded' | 'dropped';

/** What the executor knows when it stages an intent (the tx itself comes from `sign`). */
export interface StageMeta {
  disbursement_id: number;
  signer: string;
  staged_height: number;
  staged_at_ms: number;
  lease: Lease | null;
}
/** A signed `treasury.execute` tx. */
export interface SignedIntentTx {
  hash: string;
  bytes: Uint8Array;
  nonce: bigint;
}

export class IntentQueue {
  private list: Intent[] = [];
  lastError: string | null = null;
  /** Serialises stage / reconcile (each rewrites the file from `list`). */
  private serial: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: string,
    private readonly chain: IntentChain,
    /** Called once per intent leaving the queue. */
    private readonly onResult: (r: IntentResult) => void = () => undefined,
  ) {}

  get intents(): readonly Intent[] {
    return this.list;
  }

  /** Loads the file (absent = empty queue). */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    try {
      this.list = zFile.parse(JSON.parse(text)).intents;
    } catch (err) {
      const aside = `${this.file}.unreadable-${Date.now()}`;
      await fs.rename(this.file, aside);
      this.lastError = `${path.basename(this.file)} did not parse (${(err as Error).message.split('\n')[0]}); moved to ${path.basename(aside)}, queue started empty`;
    }
  }

  private save(): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify({ version: 1, intents: this.list }, null, 2) + '\n');
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.serial.then(fn);
    this.serial = p.catch(() => undefined);
    return p;
  }

  /**
   * Signs (inside the queue's lock), persists the intent, then submits its tx; returns the tx hash.
   * Another local submitter may take the same nonce while the file is written: a `duplicate` /
   * `nonce_too_low` refusal re-signs with the next nonce once. On any other refusal the intent is
   * removed again and the error thrown.
   */
  stage(meta: StageMeta, sign: () => SignedIntentTx): Promise<string> {
    return this.exclusive(() => this.stageNow(meta, sign));
  }

  /** One reconciliation pass (see the file comment). */
  reconcile(): Promise<void> {
    return this.exclusive(() => this.reconcileNow());
  }

  /** Waits for queued work (close). */
  async idle(): Promise<void> {
    await this.serial;
  }

  private async stageNow(meta: StageMeta, sign: () => SignedIntentTx): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const tx = sign();
      const intent: Intent = {
        ...meta, tx_hash: tx.hash, tx_hex: toHex(tx.bytes), nonce: tx.nonce.toString(),
        lease: meta.lease && { id: meta.lease.id, holder: meta.lease.holder, expires_height: meta.lease.expires_height, renewals: meta.lease.renewals }, submissions: 1,
      };
      this.list = [...this.list.filter((x) => x.disbursement_id !== meta.disbursement_id), intent];
      await this.save();
      try {
        this.chain.submit(tx.bytes);
        this.lastError = null;
        return tx.hash;
      } catch (err) {
        this.list = this.list.filter((x) => x !== intent);
        const reason = (err as { data?: { reason?: unknown } }).data?.reason;
        if (attempt === 0 && (reason === 'duplicate' || reason === 'nonce_too_low')) continue;
        this.lastError = (err as Error).message;
        await this.save();
        throw err;
      }
    }
  }

  private async reconcileNow(): Promise<void> {
    const s = this.chain.state();
    const keep: Intent[] = [];
    let changed = false;
    for (const i of this.list) {
      const d = s.disbursements.find((x) => x.id === i.disbursement_id);
      if (!d || d.status !== 'Timelocked') {
        this.onResult(d && d.tx_hash === i.tx_hash ? 'success' : 'superseded');
        changed = true;
        continue;
      }
      const st = await this.chain.txStatus(i.tx_hash);
      if (st.status !== 'unknown') {
        keep.push(i);
        continue;
      }
      try {
        this.chain.submit(fromHex(i.tx_hex));
        keep.push({ ...i, submissions: i.submissions + 1 });
      } catch (err) {
        this.lastError = `intent for disbursement ${i.disbursement_id} (tx ${i.tx_hash}) dropped: ${(err as Error).message}`;
        this.onResult('dropped');
      }
      changed = true;
    }
    if (!changed) return;
    this.list = keep;
    await this.save();
  }
}
