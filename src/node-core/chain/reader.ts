/**
 * The read side of the chain (chain.ts holds the writes): fields shared with `Chain`, the head
 * and finality views, accounts, blocks, tx status and module states after the head. Nothing here
 * changes state, so these methods need not go through the chain's serial queue.
 */
import type pino from 'pino';
import type { BlockView, Tip } from '../../shared/api/index.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { VerifyPool } from '../crypto/verify-pool.js';
import type { NodeEvents } from '../events.js';
import { ChainDbError, type ChainDb } from '../storage/chaindb.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { KeyPair } from '../crypto/ed25519.js';
import { blockView, decodeBlock, type Block } from './block.js';
import { asArray, asBytes, asSafeInt, decodeCanonical } from './codec.js';
import { ValidatorSet } from './consensus.js';
import type { Genesis } from './genesis.js';
import { Mempool, type MempoolOptions } from './mempool.js';
import type { Address, ChainModule, ModuleRef } from './module.js';
import type { ModuleSet } from './modules.js';
import { PendingWrites } from './pending.js';
import { moduleHash } from './root.js';
import { emptyModuleStates, type ModuleStates } from './run.js';
import type { State, StateCacheLimits } from './state.js';
import { validatorKeys, validatorStakes } from './verify.js';

/** Most transactions in one produced block. */
export const MAX_BLOCK_TXS = 10_000;

export interface ChainOpenOptions {
  /** `<root>/chain` */
  dir: string;
  genesis: Genesis;
  nodeKey: KeyPair;
  metrics?: Metrics;
  events?: NodeEvents;
  logger?: pino.Logger;
  mempool?: MempoolOptions;
  /** Most transactions per produced block (default MAX_BLOCK_TXS). */
  maxBlockTxs?: number;
  /** Share a verify pool (else the chain creates one with one worker per core and closes it). */
  verifyPool?: VerifyPool;
  /** The chain modules (the node's module list, modules/index.ts); default none. */
  modules?: readonly ChainModule[];
  /** Bounds of the account and bucket caches (chain/state.ts; defaults 100,000 and 8,192 entries). */
  stateCache?: StateCacheLimits;
}

export abstract class ChainReader {
  readonly genesis: Genesis;
  readonly mempool: Mempool;
  protected head!: Block;
  protected queue: Promise<unknown> = Promise.resolve();
  protected closed = false;
  protected readonly validators: Map<string, Uint8Array>;
  /** Validator stakes by `tb1…` address (module hooks' ctx.validators). */
  protected readonly stake: Map<Address, bigint>;
  /** The module registry (tag → kind, id → module). */
  readonly modules: ModuleSet;
  /** Module states after the head block. */
  protected mods: ModuleStates;
  protected readonly ownPool: boolean;
  protected readonly pool: VerifyPool;
  /** Validator set and proposer schedule (chain/consensus.ts). */
  readonly set: ValidatorSet;
  /** Highest final block of a multi-validator chain (single validator: the head, see finalizedHeight). */
  protected fin = { height: 0, hashHex: '' };
  /** Canonical hashes above the finalized height (fork choice and finality look them up synchronously). */
  protected readonly recent = new Map<number, string>();
  protected readonly headListeners = new Set<(b: Block, o: { reverted: boolean }) => void>();
  protected readonly txListeners = new Set<(bytes: Uint8Array) => void>();
  /** Blocks of a catch-up run applied but not yet written (chain/pending.ts): reads see them here. */
  protected readonly pending: PendingWrites;

  protected constructor(
    protected readonly o: ChainOpenOptions,
    protected readonly db: ChainDb,
    protected readonly state: State,
    modules: ModuleSet,
  ) {
    this.modules = modules;
    this.mods = emptyModuleStates(modules);
    this.genesis = o.genesis;
    this.mempool = new Mempool(o.genesis.chain_id, o.mempool);
    this.validators = validatorKeys(o.genesis);
    this.stake = validatorStakes(o.genesis);
    this.set = new ValidatorSet(o.genesis);
    this.ownPool = !o.verifyPool;
    this.pool = o.verifyPool ?? new VerifyPool();
    this.pending = new PendingWrites(o.stateCache);
  }

  protected get isValidator(): boolean {
    return this.validators.has(this.o.nodeKey.address.slice(3));
  }

  /** Head of the chain. Single validator: every block is final at once. */
  tip(): Tip {
    const h = this.head.header;
    return { height: h.height, hash: this.head.hashHex, state_root: toHex(h.stateRoot), timestamp_ms: h.timestampMs, epoch: h.epoch, finalized_height: this.finalizedHeight() };
  }

  /**
   * The last block known to be on disk (fsynced): every commit of a produced block, and the last
   * of a run of imported blocks (catch-up import syncs once per run, chain.ts), move it.
   */
  protected durable = { height: 0, hashHex: '' };

  /**
   * Single-validator chains finalize each block as it is made (its signer is all the stake), once
   * it is on disk; multi-validator finality comes with votes (recorded with a synced write).
   */
  protected finalizedHeight(): number {
    return this.set.multi ? this.fin.height : Math.min(this.head.header.height, this.durable.height);
  }

  /** The highest final block (height, 64-hex hash). */
  finalized(): { height: number; hashHex: string } {
    if (this.set.multi) return { ...this.fin };
    return this.durable.height >= this.head.header.height ? { height: this.head.header.height, hashHex: this.head.hashHex } : { ...this.durable };
  }

  /** The head block. */
  headBlock(): Block {
    return this.head;
  }

  /** Canonical hash (hex) at a height above the finalized height, from memory; undefined when unknown. */
  recentHash(height: number): string | undefined {
    return height === this.head.header.height ? this.head.hashHex : this.recent.get(height);
  }

  /** Canonical hash (hex) at any height, or undefined above the head. */
  async hashAt(height: number): Promise<string | undefined> {
    const r = this.recentHash(height);
    if (r !== undefined) return r;
    if (height === this.fin.height && this.fin.hashHex) return this.fin.hashHex;
    return (await this.blockAt(height))?.hashHex;
  }

  protected async loadFinality(): Promise<void> {
    const rec = await this.db.getMeta('finalized');
    if (rec) {
      try {
        const a = asArray(decodeCanonical(rec, 'finalized'), 'finalized', 2);
        this.fin = { height: asSafeInt(a[0], 'finalized.height'), hashHex: toHex(asBytes(a[1], 'finalized.hash', 32)) };
      } catch (err) {
        throw new ChainDbError('corrupt', this.o.dir, `finalized record does not decode: ${(err as Error).message}`);
      }
    } else {
      const g = await this.blockAt(0);
      this.fin = { height: 0, hashHex: g?.hashHex ?? '' };
    }
    if (!this.set.multi) return;
    for (let h = this.fin.height + 1; h < this.head.header.height; h++) {
      const b = await this.blockAt(h);
      if (b) this.recent.set(h, b.hashHex);
    }
  }

  /** The votes that proved the current finalized block (encoded votes), empty when none. */
  async finalityProof(): Promise<Uint8Array[]> {
    const rec = await this.db.getMeta('finality_proof');
    if (!rec) return [];
    try {
      return asArray(decodeCanonical(rec, 'finality proof'), 'finality proof').map((v, i) => asBytes(v, `finality proof[${i}]`));
    } catch {
      return [];
    }
  }

  /** Consensus metadata of other modules (last vote, equivocation evidence), by name. */
  getMeta(name: string): Promise<Uint8Array | undefined> {
    const staged = this.pending.meta(name);
    return staged ? Promise.resolve(staged) : this.db.getMeta(name);
  }

  /** Module states with an undo record's prior states put back. @throws ChainDbError for an unknown module or undecodable state. */
  protected undoModules(prior: Map<string, Uint8Array | null>, h: number): ModuleStates {
    const states = new Map(this.mods.states);
    const hashes = new Map(this.mods.hashes);
    for (const [id, bytes] of prior) {
      const m = this.modules.get(id);
      if (!m) throw new ChainDbError('corrupt', this.o.dir, `undo record of block ${h} names module "${id}", which this node does not run`);
      try {
        states.set(id, bytes === null ? m.state.empty : this.modules.decodeState(m, bytes));
      } catch (err) {
        throw new ChainDbError('corrupt', this.o.dir, `undo record of block ${h}: the state of module "${id}" does not decode: ${(err as Error).message}`);
      }
      if (bytes === null) hashes.delete(id);
      else hashes.set(id, moduleHash(bytes));
    }
    return { states, hashes };
  }

  /** Account by `tb1…` address with pending nonce (RPC view, decimal strings). */
  account(address: string): { address: string; balance: string; nonce: string; pending_nonce: string } {
    const hex = address.slice(3);
    const a = this.state.get(hex);
    return { address, balance: a.balance.toString(), nonce: a.nonce.toString(), pending_nonce: this.mempool.pendingNonce(hex, a).toString() };
  }

  /** Committed state of an address (`tb1…`): balance (base units) and next nonce. */
  accountState(address: string): { balance: bigint; nonce: bigint; pendingNonce: bigint } {
    const hex = address.slice(3);
    const a = this.state.get(hex);
    return { ...a, pendingNonce: this.mempool.pendingNonce(hex, a) };
  }

  /** Block by height, or undefined. @throws ChainDbError if the stored block does not decode. */
  async blockAt(height: number): Promise<Block | undefined> {
    if (height > this.head.header.height) return undefined;
    if (height === this.head.header.height) return this.head;
    const staged = this.pending.block(height);
    if (staged) return staged;
    const bytes = await this.db.blockBytes(height);
    if (!bytes) return undefined;
    try {
      return decodeBlock(bytes);
    } catch (err) {
      throw new ChainDbError('corrupt', this.o.dir, `block ${height} does not decode: ${(err as Error).message}`);
    }
  }

  /** Stored bytes of the canonical block at a height (no decoding: what sync serves), or undefined. */
  async blockBytesAt(height: number): Promise<Uint8Array | undefined> {
    if (height > this.head.header.height) return undefined;
    if (height === this.head.header.height) return this.head.bytes;
    return this.pending.block(height)?.bytes ?? this.db.blockBytes(height);
  }

  /** Stored bytes of the canonical blocks from `from` up to `count` of them, stopping at the head or the first missing one (what sync serves, one DB read). */
  async blocksBytesFrom(from: number, count: number): Promise<Uint8Array[]> {
    // The head and staged blocks are taken before the DB read (a write may land meanwhile: the DB then has them too).
    const mem: (Uint8Array | undefined)[] = [];
    const read: number[] = [];
    for (let h = from; h < from + count && h <= this.head.header.height; h++) {
      const b = h === this.head.header.height ? this.head.bytes : this.pending.block(h)?.bytes;
      mem.push(b);
      if (!b) read.push(h);
    }
    const stored = await this.db.blocksBytes(read);
    const out: Uint8Array[] = [];
    let at = 0;
    for (const m of mem) {
      const b = m ?? stored[at++];
      if (!b) break;
      out.push(b);
    }
    return out;
  }

  /** JSON block (with transactions) by height or 64-hex hash; undefined when unknown. */
  async blockView(q: { height?: number; hash?: string }): Promise<BlockView | undefined> {
    let height = q.height;
    if (q.hash !== undefined) height = this.pending.heightOf(q.hash.toLowerCase()) ?? (await this.db.heightOfHash(fromHex(q.hash, 32)));
    if (height === undefined) return undefined;
    const b = await this.blockAt(height);
    return b && blockView(b, this.modules.describe);
  }

  /** Where a tx is: pending in the mempool, included in a block, or unknown. */
  async txStatus(hash: string): Promise<{ hash: string; status: 'pending' | 'included' | 'unknown'; height?: number; block_hash?: string }> {
    if (this.mempool.has(hash)) return { hash, status: 'pending' };
    const loc = this.pending.txLocation(hash.toLowerCase()) ?? (await this.db.txLocation(fromHex(hash, 32)));
    return loc ? { hash, status: 'included', height: loc.height, block_hash: toHex(loc.blockHash) } : { hash, status: 'unknown' };
  }

  protected updateHeadMetrics(): void {
    this.o.metrics?.blockHeight.set(this.head.header.height);
    this.o.metrics?.finalizedHeight.set(this.finalizedHeight());
  }

  /** Metrics of a committed block: interval since its parent (ms), transactions applied, mempool size after it. */
  protected observeBlock(intervalMs: number, txs: number): void {
    const m = this.o.metrics;
    if (m) {
      m.blockIntervalSeconds.observe(intervalMs / 1000);
      m.txsAppliedTotal.inc(txs);
      m.mempoolSize.set(this.mempool.size);
    }
  }

  /** A module's state after the head block (read-only). @throws Error when the module is not registered. */
  moduleState<S>(ref: ModuleRef<S>): Readonly<S> {
    if (!this.mods.states.has(ref.id)) throw new Error(`module ${ref.id} is not registered on this chain`);
    return this.mods.states.get(ref.id) as S;
  }

  /** Whether this node's key is a validator. */
  get nodeIsValidator(): boolean {
    return this.isValidator;
  }
}
