/**
 * The chain: one object owning the chain DB, the in-memory state mirror (accounts and every chain
 * module's state), the mempool, block production (single validator on dev) and block import. All
 * state changes go through one serial queue (`exclusive`), so production, import and RPC writes
 * never interleave. Modules come in through `ChainOpenOptions.modules` (chain/module.ts); every
 * block of every path runs through chain/run.ts, and nothing here names a module.
 */
import { RpcError } from '../../shared/api/errors.js';
import type { BlockHeader } from '../../shared/api/index.js';
import { bytesEqual, fromHex } from '../crypto/hash.js';
import { ChainDb, ChainDbError } from '../storage/chaindb.js';
import { decodeSubmitted } from './admit.js';
import { headerView, type Block } from './block.js';
import { blockBatch, txIdsOf, undoOf } from './batch.js';
import { buildOn, type Built } from './build.js';
import { encodeCanonical } from './codec.js';
import { checkSlot } from './consensus.js';
import type { TxKind } from './module.js';
import { ModuleSet } from './modules.js';
import { openStore, preloadBuckets } from './open.js';
import { ProductionTimer } from './production.js';
import { prepareRevert, requeue } from './revert.js';
import { ChainReader, MAX_BLOCK_TXS, type ChainOpenOptions } from './reader.js';
import { BlockRun, type ModuleStates, type RunResult } from './run.js';
import { State } from './state.js';
import { signCall, type SignedTx } from './tx.js';
import { applyBlock, ImportError, PreverifyBatcher } from './verify.js';

export { ChainDbError } from '../storage/chaindb.js';
export { MAX_BLOCK_TXS, type ChainOpenOptions } from './reader.js';

/** Most blocks of a catch-up run committed without fsync before one is synced. */
export const MAX_UNSYNCED = 256;

export class Chain extends ChainReader {
  /** The last block built or checked and its run: its import checks no signature again and reuses the run on the same head. */
  private checked: { block: Block; hashHex: string; parentHex: string; run: RunResult } | undefined;

  private constructor(o: ChainOpenOptions, db: ChainDb, state: State, modules: ModuleSet) {
    super(o, db, state, modules);
  }

  /**
   * Opens the chain DB in `o.dir` (creating block 0 from genesis on first open), loads every
   * module's state and the state tree's 256 page hashes (no account: they are read on demand,
   * chain/state.ts) and checks the resulting state root against the head block's.
   * @throws ChainDbError (locked / corrupt / mismatch / version) whose message lists the ways out;
   *   Error for a bad module list (duplicate id or tag).
   */
  static async open(o: ChainOpenOptions): Promise<Chain> {
    const set = new ModuleSet(o.modules);
    const db = await ChainDb.open(o.dir);
    try {
      const storedGenesis = await db.genesisHash();
      if (storedGenesis !== undefined && storedGenesis !== o.genesis.hash)
        throw new ChainDbError('mismatch', o.dir, `it holds the chain of genesis ${storedGenesis}, not ${o.genesis.hash}`);
      const st = await openStore(o, db, set);
      const chain = new Chain(o, db, st.state, set);
      chain.head = st.head;
      chain.durable = { height: st.height, hashHex: st.head.hashHex };
      if (st.mods === undefined) chain.fin = { height: 0, hashHex: st.head.hashHex };
      else {
        chain.mods = st.mods;
        await chain.loadFinality();
      }
      chain.updateHeadMetrics();
      // Every bucket hash (≤ 2 MiB) in the background: a block touching a new page then reads nothing
      // for it, and an address in an empty bucket is known absent. The first block waits for it.
      chain.ready = preloadBuckets(db, chain.state, o.logger);
      return chain;
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }

  /** The background preload of the bucket hashes (see open); blocks are applied after it. */
  private ready: Promise<void> = Promise.resolve();
  /** The production timer (single-validator chains): a block each slot, after the head's timestamp. */
  private readonly producer = new ProductionTimer(
    () => Math.max(0, this.head.header.timestampMs + this.genesis.block_time_ms - Date.now()),
    () => this.produceBlock(),
    this.o.logger,
  );
  private readonly batcher = new PreverifyBatcher({ genesis: this.genesis, validators: this.validators, pool: this.pool, modules: this.modules });
  /** importBlock calls queued and not yet started (a run of catch-up imports syncs once, at its end). */
  private queuedImports = 0;
  /** Blocks committed since the last fsync. */
  private unsynced = 0;

  /** The last certified block committed without fsync: final once synced (markDurable), not before. */
  private pendingFin: { height: number; hashHex: string } | undefined;
  /** After any synced write: every committed block is on disk, and a pending certified block is final. */
  private markDurable(): void {
    this.unsynced = 0;
    this.durable = { height: this.head.header.height, hashHex: this.head.hashHex };
    const f = this.pendingFin;
    if (!f) return;
    this.pendingFin = undefined;
    this.fin = f;
    for (const h of this.recent.keys()) if (h <= f.height) this.recent.delete(h);
  }

  /** Makes the blocks committed without fsync (or staged, chain/pending.ts) durable with one synced write, if any. */
  private async flushUnsynced(): Promise<void> {
    if (this.pending.size > 0) await this.pending.write(this.db, undefined, true);
    else if (this.unsynced === 0) return;
    else await this.db.putMeta([['durable', encodeCanonical(this.head.header.height)]]);
    this.markDurable();
    this.updateHeadMetrics();
  }

  /** Runs `fn` after every previously queued state change (serial order = call order); anything but a catch-up import (`run`) first writes the staged run. */
  private exclusive<T>(fn: () => Promise<T>, run = false): Promise<T> {
    const go = async () => {
      if (this.pending.failed) throw new ChainDbError('io', this.o.dir, `a block write failed (${this.pending.failed.message}); restart the node`);
      if (!run) await this.pending.write(this.db, undefined, false);
      return fn();
    };
    const p = this.queue.then(go, go);
    this.queue = p.catch(() => {});
    return p;
  }

  /** Called with each transaction admitted from a local submission (the net layer gossips it). Returns the unsubscribe function. */
  onLocalTx(cb: (bytes: Uint8Array) => void): () => void {
    this.txListeners.add(cb);
    return () => this.txListeners.delete(cb);
  }

  /** Called after every head change (a new block, or a revert to its parent). Returns the unsubscribe function. */
  onHead(cb: (head: Block, o: { reverted: boolean }) => void): () => void {
    this.headListeners.add(cb);
    return () => this.headListeners.delete(cb);
  }

  /**
   * Records a new finalized block (multi-validator chains; monotonic: lower or equal heights are
   * ignored) with the votes that prove it, persisted in one synced write; drops the undo records
   * at and below it. The block must be on the canonical chain.
   * @returns whether the finalized height moved.
   */
  setFinalized(height: number, hashHex: string, proof: Uint8Array[]): Promise<boolean> {
    return this.exclusive(async () => {
      if (!this.set.multi || height <= Math.max(this.fin.height, this.pendingFin?.height ?? 0) || this.closed) return false;
      if (this.recentHash(height) !== hashHex) return false;
      await this.db.putMeta([
        ['finalized', encodeCanonical([height, fromHex(hashHex, 32)])],
        ['finality_proof', encodeCanonical(proof)],
      ]);
      this.fin = { height, hashHex };
      this.markDurable();
      for (const h of this.recent.keys()) if (h <= height) this.recent.delete(h);
      await this.db.pruneUndo(height);
      this.updateHeadMetrics();
      return true;
    });
  }

  /** Writes consensus metadata (synced). */
  putMeta(entries: [string, Uint8Array][]): Promise<void> {
    return this.exclusive(async () => {
      await this.db.putMeta(entries);
      this.markDurable();
    });
  }

  /**
   * Reverts the head block (multi-validator chains, blocks above the finalized height only):
   * restores the accounts and module states from its undo record and makes its parent the head.
   * Its transactions go back to the mempool where they still apply.
   * @returns the reverted block.
   * @throws Error when the head is final, is genesis, or has no undo record.
   */
  revertHead(): Promise<Block> {
    return this.exclusive(async () => {
      const b = this.head;
      const h = b.header.height;
      if (!this.set.multi || h <= Math.max(this.fin.height, this.pendingFin?.height ?? 0) || h === 0) throw new Error(`block ${h} is final; it cannot be reverted`);
      const { undo, parent, prepared, mods } = await prepareRevert(
        { db: this.db, dir: this.o.dir, state: this.state, blockAt: (x) => this.blockAt(x), undoModules: (p, x) => this.undoModules(p, x) },
        h,
      );
      const tree = State.treeWrites(prepared);
      await this.db.revertBlock({ height: h, hash: b.hash, txIds: txIdsOf(b), restore: undo.accounts, modules: undo.modules, tree, parent: { height: h - 1, hash: parent.hash } });
      this.state.commit(prepared);
      this.mods = mods;
      this.head = parent;
      this.markDurable();
      this.recent.delete(h);
      requeue(this.mempool, b, this.state);
      this.updateHeadMetrics();
      this.o.logger?.warn({ height: h, hash: b.hashHex.slice(0, 12) }, 'block reverted (fork choice)');
      for (const cb of this.headListeners) cb(parent, { reverted: true });
      return b;
    });
  }

  /**
   * Admits a signed tx (canonical CBOR bytes) to the mempool; returns its id. A module call is
   * admitted when its module's `applyTx` accepts it against the next block (after the begin hooks).
   * @throws RpcError.app with reason malformed_tx | unknown_tx_kind | wrong_chain_id | bad_signature | duplicate |
   *   fee_too_low | nonce_too_low | nonce_gap | pending_limit_reached | insufficient_balance | mempool_full |
   *   a module's refusal reason.
   */
  submit(bytes: Uint8Array, o: { fromGossip?: boolean } = {}): SignedTx {
    try {
      const { tx, call } = decodeSubmitted(bytes, this.modules, this.genesis.chain_id);
      if (call) {
        // The module's own checks, against the next block (same functions as block application).
        const refused = this.nextRun(Date.now()).begin().admit(tx);
        if (refused) throw RpcError.app(refused.reason, refused.message);
      }
      this.mempool.add(tx, this.state.get(tx.fromAddress.slice(3)), { feeExempt: call?.kind.fee === 'exempt' });
      this.o.metrics?.mempoolSize.set(this.mempool.size);
      // Local submissions are gossiped; gossiped ones are forwarded by gossipsub itself.
      if (!o.fromGossip) for (const cb of this.txListeners) cb(tx.bytes);
      return tx;
    } catch (err) {
      if (err instanceof RpcError && typeof err.data?.reason === 'string') this.o.metrics?.mempoolRejectTotal.inc({ reason: err.data.reason });
      throw err;
    }
  }

  /**
   * Builds, signs and commits the next block from the mempool (fees to this node). Used by the
   * production timer and `dev.mine_one` (single-validator chains).
   * @throws Error when this node's key is not a validator; ChainDbError-like I/O errors from the commit.
   */
  produceBlock(o: { parentHash?: string } = {}): Promise<BlockHeader> {
    return this.exclusive(async () => {
      if (this.closed) throw new Error('chain is closed');
      if (o.parentHash !== undefined && o.parentHash !== this.head.hashHex) throw new ImportError('stale_parent', 'the head changed before the block was built');
      await this.ready;
      const { block, run, rejected } = this.build();
      const view = await this.commit(block, run);
      for (const r of rejected) this.mempool.dropFrom(r);
      return view;
    });
  }

  /**
   * Builds and signs a block on the head without committing it (a Tendermint proposal, chain/engine.ts).
   * Its run is kept, so importing this block on the same head does not apply it again.
   * @param evidence evidence items to commit and their accused (tendermint/committed-evidence.ts selectEvidence).
   * @throws Error when this node's key is not a validator.
   */
  buildBlock(evidence?: { items: Uint8Array[]; accused: string[] }): Block {
    const { block, run } = this.build(evidence);
    this.checked = { block, hashHex: block.hashHex, parentHex: this.head.hashHex, run };
    return block;
  }

  private build(ev?: { items: Uint8Array[]; accused: string[] }): Built {
    if (!this.isValidator) throw new Error(`node key ${this.o.nodeKey.address} is not a validator of this chain`);
    return buildOn(this.head, { nodeKey: this.o.nodeKey, maxTxs: this.o.maxBlockTxs ?? MAX_BLOCK_TXS, logger: this.o.logger, evidence: ev?.items }, this.mempool, (ts) => this.nextRun(ts, ev?.accused));
  }

  /**
   * Checks that a block applies on the head (signatures, rules, state root) without committing it;
   * the result is kept for its import. A Tendermint proposal is `valid(v)` only after this.
   * @throws ImportError with the reason when it does not apply.
   */
  checkBlock(bytes: Uint8Array): Promise<Block> {
    const pre = this.preverify(bytes);
    return this.exclusive(async () => {
      await this.ready;
      const block = await pre;
      this.checked = { block, hashHex: block.hashHex, parentHex: this.head.hashHex, run: this.applyOnHead(block) };
      return block;
    });
  }

  /** Applies `block` on the head without committing it (checkBlock, importBlock). @throws ImportError */
  private applyOnHead(block: Block): RunResult {
    return applyBlock(block, this.head, this.state, { modules: { set: this.modules, states: this.mods }, validators: this.stake, slot: this.slotRule() });
  }

  private slotRule(): ((b: Block, p: Block, m: ModuleStates) => string[]) | undefined {
    return this.set.multi ? (b: Block, p: Block, m: ModuleStates) => checkSlot(b, p, this.set, this.genesis.block_time_ms, m) : undefined;
  }

  /**
   * Imports a block produced elsewhere (or re-imports stored blocks): signatures are checked in the
   * worker pool as soon as this is called (so calls for consecutive blocks overlap), then the block
   * is applied in call order and its state root checked before the atomic commit.
   * Group commit: while more importBlock calls are queued behind this one, the block is applied
   * and staged (chain/pending.ts: up to 64 blocks written as ONE DB batch, without fsync); the
   * last of the run (or every MAX_UNSYNCED-th) is written synced, which makes the whole run
   * durable (LevelDB's log is ordered). Until then the run counts as not final (`finalized()`
   * stops at the last synced block, certified blocks included): a crash loses at most that tail.
   * `o.check` runs on the decoded block just before it is applied (the head is then its parent).
   * @throws ImportError with a stable `reason` when the block is invalid; the chain is unchanged.
   */
  importBlock(bytes: Uint8Array, preverified?: Promise<Block>, o: { certificate?: Uint8Array; check?: (b: Block) => void } = {}): Promise<BlockHeader> {
    const pre = preverified ?? this.preverify(bytes);
    this.queuedImports++;
    return this.exclusive(async () => {
      this.queuedImports--;
      try {
        await this.ready;
        const block = await pre;
        o.check?.(block);
        const c = this.checked;
        this.checked = undefined;
        const applied = c && c.hashHex === block.hashHex && c.parentHex === this.head.hashHex ? c.run : this.applyOnHead(block);
        // Group commit (staged while more imports are queued); a catch-up run logs its last block only (sync logs its own progress).
        const more = this.queuedImports > 0;
        const sync = !more || this.unsynced + 1 >= MAX_UNSYNCED;
        return await this.commit(block, applied, { sync, stage: !sync, certificate: o.certificate, quiet: more });
      } catch (err) {
        if (this.queuedImports === 0 && !this.pending.failed) await this.flushUnsynced();
        throw err;
      }
    }, true);
  }

  /** The commit certificate stored with block `height` (wire.ts), undefined when none. */
  certificateAt(height: number): Promise<Uint8Array | undefined> {
    return this.getMeta(`commit/${height}`);
  }

  /**
   * Stage 1 of an import (decode + every signature in the worker pool, batched with the blocks
   * preverified in the same tick), started now; hand the promise to `importBlock` later (verify
   * ahead of apply); not again for the block built or checked last.
   * @throws (rejects with) ImportError for a malformed or badly signed block.
   */
  preverify(bytes: Uint8Array): Promise<Block> {
    if (this.checked && bytesEqual(this.checked.block.bytes, bytes)) return Promise.resolve(this.checked.block);
    const pre = this.batcher.add(bytes);
    pre.catch(() => {});
    return pre;
  }

  /** A run of the block after the head (production, admission). */
  private nextRun(timestampMs: number, excludes?: readonly string[]): BlockRun {
    const height = this.head.header.height + 1;
    return new BlockRun(this.state, this.modules, this.mods, { height, timestampMs, proposerHex: this.o.nodeKey.address.slice(3), validators: this.stake, excludes });
  }

  /**
   * Commits an applied block. With a commit certificate (Tendermint) the certificate and the
   * finalized record go in its batch and no undo record is kept; it is final (`fin`) once that
   * batch is synced. Without `sync` the batch is written without fsync (group commit, see importBlock);
   * with `stage` it is staged (chain/pending.ts) and written with the run's next write, when it fits.
   */
  private async commit(block: Block, r: RunResult, o: { sync?: boolean; stage?: boolean; certificate?: Uint8Array; quiet?: boolean } = {}): Promise<BlockHeader> {
    const certificate = o.certificate;
    const sync = o.sync ?? true;
    const parentTs = this.head.header.timestampMs;
    const h = block.header.height;
    const undo = this.set.multi && !certificate ? undoOf(r, this.state, this.modules, this.mods) : undefined;
    const batch = blockBatch(block, r, { undo, certificate });
    if (o.stage && this.pending.fits(batch)) this.pending.add(block, batch);
    else await this.pending.write(this.db, batch, sync);
    this.state.commit(r);
    this.mods = r.modules;
    if (this.set.multi && this.head.header.height > this.fin.height) this.recent.set(this.head.header.height, this.head.hashHex);
    this.head = block;
    if (certificate) this.pendingFin = { height: h, hashHex: block.hashHex };
    if (sync) this.markDurable();
    else this.unsynced++;
    this.mempool.onBlock(block.txs, (hex) => this.state.get(hex));
    const interval = block.header.timestampMs - parentTs;
    this.observeBlock(interval, block.txs.length);
    this.updateHeadMetrics();
    const level = o.quiet ? 'debug' : 'info'; // a synced block's line is not even built at the usual info level
    if (this.o.logger?.isLevelEnabled(level)) this.o.logger[level]({ height: block.header.height, hash: block.hashHex.slice(0, 12), txs: block.txs.length, interval_ms: interval, finalized: this.finalizedHeight() }, 'block');
    const view = headerView(block);
    this.o.events?.emit('newHeads', view);
    for (const cb of this.headListeners) cb(block, { reverted: false });
    return view;
  }

  /** Produces a block every `genesis.block_time_ms`, aligned to the head's timestamp. Idempotent. */
  startProducing(): void {
    if (this.producer.running || this.closed) return;
    if (!this.isValidator) throw new Error(`node key ${this.o.nodeKey.address} is not a validator of this chain; it cannot produce blocks`);
    this.producer.start();
  }

  /** Stops the production timer and waits for a block being produced to commit. */
  async stopProducing(): Promise<void> {
    this.producer.stop();
    await this.queue;
  }

  /**
   * Signs a module call with the node key (fee: 0 for fee-exempt kinds, else the fee floor) and
   * admits it to the mempool.
   * @returns the tx id.
   * @throws RpcError.app with the module's refusal reason or a mempool reason.
   */
  submitCall<C>(kind: TxKind<C>, call: C): string {
    const k = this.o.nodeKey;
    const nonce = this.accountState(k.address).pendingNonce;
    const fee = kind.fee === 'exempt' ? 0n : this.mempool.minFee;
    const tx = signCall({ chainId: this.genesis.chain_id, publicKey: k.publicKey, secretKey: k.secretKey, nonce, fee, call: { tag: kind.tag, body: kind.encode(call) } });
    return this.submit(tx.bytes).hash;
  }

  /** Stops production, waits for queued work, closes the verify pool (if owned) and the DB. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopProducing();
    this.closed = true;
    await this.queue;
    if (!this.pending.failed) await this.flushUnsynced(); // else the staged run is lost: the DB stays as written
    if (this.ownPool) await this.pool.close();
    await this.db.close();
  }
}
