/**
 * The chain: one object owning the chain DB, the in-memory state mirror (accounts and every chain
 * module's state), the mempool, block production (single validator on dev) and block import. All
 * state changes go through one serial queue (`exclusive`), so production, import and RPC writes
 * never interleave. Modules come in through `ChainOpenOptions.modules` (chain/module.ts); every
 * block of every path runs through chain/run.ts, and nothing here names a module.
 */
import { Reason, RpcError } from '../../shared/api/errors.js';
import type { BlockHeader } from '../../shared/api/index.js';
import { verify } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { ChainDb, ChainDbError } from '../storage/chaindb.js';
import { decodeBlock, epochOf, headerView, makeBlock, txRoot, type Block } from './block.js';
import { CodecError, encodeCanonical } from './codec.js';
import { checkSlot } from './consensus.js';
import { genesisBlock, genesisState } from './genesis.js';
import type { TxKind } from './module.js';
import { loadModuleStates, stateBytes } from './module-states.js';
import { ModuleSet } from './modules.js';
import { ChainReader, MAX_BLOCK_TXS, type ChainOpenOptions } from './reader.js';
import { stateRoot } from './root.js';
import { BlockRun, type RunResult } from './run.js';
import { State, type AccountState } from './state.js';
import { decodeTx, signCall, signingMessage, type SignedTx } from './tx.js';
import { applyBlock, ImportError, preverifyBlock } from './verify.js';
import { decodeUndo, encodeUndo } from './undo.js';

export { ChainDbError } from '../storage/chaindb.js';
export { MAX_BLOCK_TXS, type ChainOpenOptions } from './reader.js';

/** Most blocks of a catch-up run committed without fsync before one is synced. */
export const MAX_UNSYNCED = 256;

export class Chain extends ChainReader {
  /** The run of the last block built or checked, reused when that block is imported on the same head. */
  private checked: { hashHex: string; parentHex: string; run: RunResult } | undefined;

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
      const head = await db.head();
      let chain: Chain;
      if (!head) {
        const mem = genesisState(o.genesis);
        const g = genesisBlock(o.genesis, mem);
        const { accounts, tree } = mem.allRecords();
        await db.commitBlock({ height: 0, hash: g.hash, bytes: g.bytes, txIds: [], accounts, tree, genesisHash: o.genesis.hash });
        chain = new Chain(o, db, State.open(db.stateRecords, o.stateCache), set);
        chain.head = g;
        chain.fin = { height: 0, hashHex: g.hashHex };
        chain.durable = { height: 0, hashHex: g.hashHex };
      } else {
        const bytes = await db.blockBytes(head.height);
        if (!bytes) throw new ChainDbError('corrupt', o.dir, `head block ${head.height} is missing`);
        let block: Block;
        try {
          block = decodeBlock(bytes);
        } catch (err) {
          throw new ChainDbError('corrupt', o.dir, `head block ${head.height} does not decode: ${(err as Error).message}`);
        }
        if (toHex(block.hash) !== toHex(head.hash)) throw new ChainDbError('corrupt', o.dir, `head block ${head.height} does not match the head record`);
        // Layout 3 (no tree on disk): build it from the accounts once, then open as usual.
        if (db.needsTree) {
          o.logger?.info({ dir: o.dir }, 'chain DB layout 3: building the state tree records (once)');
          await db.migrateTree(State.from(await db.loadAccounts()).allRecords().tree);
        }
        let state: State;
        try {
          state = State.open(db.stateRecords, o.stateCache);
        } catch (err) {
          throw err instanceof ChainDbError ? err : new ChainDbError('corrupt', o.dir, (err as Error).message);
        }
        const mods = await loadModuleStates(db, set);
        const root = toHex(stateRoot(state.root(), mods.hashes));
        if (root !== toHex(block.header.stateRoot))
          throw new ChainDbError('corrupt', o.dir, `the stored state tree and module states give state root ${root}, but head block ${head.height} says ${toHex(block.header.stateRoot)}`);
        chain = new Chain(o, db, state, set);
        chain.head = block;
        chain.durable = { height: head.height, hashHex: block.hashHex };
        chain.mods = mods;
        await chain.loadFinality();
      }
      chain.updateHeadMetrics();
      // Every bucket hash (≤ 2 MiB) in the background: then a block touching a new page reads
      // nothing for it, and an address in an empty bucket is known absent without a read.
      // The first block waits for it (`ready`), Chain.open does not.
      const state = chain.state;
      chain.ready = db.stateRecords.allBucketHashes().then(
        (h) => state.preload(h),
        (err: Error) => o.logger?.debug({ err: err.message }, 'state tree: bucket hashes not preloaded (read on demand)'),
      );
      return chain;
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }

  /** The background preload of the bucket hashes (see open); blocks are applied after it. */
  private ready: Promise<void> = Promise.resolve();
  /** importBlock calls queued and not yet started (a run of catch-up imports syncs once, at its end). */
  private queuedImports = 0;
  /** Blocks committed since the last fsync. */
  private unsynced = 0;

  /** After any synced write: every committed block is on disk. */
  private markDurable(): void {
    this.unsynced = 0;
    this.durable = { height: this.head.header.height, hashHex: this.head.hashHex };
  }

  /** Makes the blocks committed without fsync durable (one synced write), if any. */
  private async flushUnsynced(): Promise<void> {
    if (this.unsynced === 0) return;
    await this.db.putMeta([['durable', encodeCanonical(this.head.header.height)]]);
    this.markDurable();
    this.updateHeadMetrics();
  }

  /** Runs `fn` after every previously queued state change (serial order = call order). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
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
      if (!this.set.multi || height <= this.fin.height || this.closed) return false;
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
      if (!this.set.multi || h <= this.fin.height || h === 0) throw new Error(`block ${h} is final; it cannot be reverted`);
      const undoBytes = await this.db.undoBytes(h);
      if (!undoBytes) throw new ChainDbError('corrupt', this.o.dir, `undo record of block ${h} is missing`);
      const undo = decodeUndo(undoBytes);
      const parent = await this.blockAt(h - 1);
      if (!parent) throw new ChainDbError('corrupt', this.o.dir, `block ${h - 1} is missing`);
      const ov = this.state.begin();
      for (const [addr, a] of undo.accounts) ov.set(addr, a);
      const prepared = this.state.prepare(ov);
      const mods = this.undoModules(undo.modules, h);
      if (toHex(stateRoot(prepared.root, mods.hashes)) !== toHex(parent.header.stateRoot))
        throw new ChainDbError('corrupt', this.o.dir, `undo record of block ${h} does not restore the state root of block ${h - 1}`);
      await this.db.revertBlock({
        height: h,
        hash: b.hash,
        txIds: b.txs.map((t) => t.idBytes ?? Buffer.from(t.hash, 'hex')),
        restore: undo.accounts,
        modules: undo.modules,
        tree: State.treeWrites(prepared),
        parent: { height: h - 1, hash: parent.hash },
      });
      this.state.commit(prepared);
      this.mods = mods;
      this.head = parent;
      this.markDurable();
      this.recent.delete(h);
      for (const tx of b.txs) {
        try {
          this.mempool.add(tx, this.state.get(tx.fromAddress.slice(3)));
        } catch {
          /* no longer applies (e.g. its nonce is taken): dropped */
        }
      }
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
      let tx: SignedTx;
      let call;
      try {
        tx = decodeTx(bytes);
        call = this.modules.decode(tx);
      } catch (err) {
        if (err instanceof CodecError) {
          const reason = (err as { reason?: string }).reason;
          throw RpcError.app(reason ?? Reason.malformed_tx, reason ? err.message : `malformed transaction: ${err.message}`);
        }
        throw err;
      }
      const chainId = this.genesis.chain_id;
      if (tx.payload.chainId !== chainId)
        throw RpcError.app(Reason.wrong_chain_id, `transaction is for chain id ${tx.payload.chainId}; this node runs chain id ${chainId}`);
      if (!verify(tx.signature, signingMessage(chainId, tx.payloadBytes), tx.publicKey))
        throw RpcError.app(Reason.bad_signature, `signature does not verify for ${tx.fromAddress} on chain id ${chainId}`);
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
      await this.commit(block, run);
      for (const r of rejected) this.mempool.dropFrom(r);
      return headerView(block);
    });
  }

  /**
   * Builds and signs a block on the head without committing it (a Tendermint proposal, chain/engine.ts).
   * Its run is kept, so importing this block on the same head does not apply it again.
   * @throws Error when this node's key is not a validator.
   */
  buildBlock(): Block {
    const { block, run } = this.build();
    this.checked = { hashHex: block.hashHex, parentHex: this.head.hashHex, run };
    return block;
  }

  private build(): { block: Block; run: RunResult; rejected: SignedTx[] } {
    if (!this.isValidator) throw new Error(`node key ${this.o.nodeKey.address} is not a validator of this chain`);
    const parent = this.head;
    const proposerHex = this.o.nodeKey.address.slice(3);
    const rejected: SignedTx[] = [];
    const height = parent.header.height + 1;
    const now = Date.now();
    if (now < parent.header.timestampMs) this.o.logger?.warn({ now, parent_ms: parent.header.timestampMs }, 'wall clock is behind the head block; using parent timestamp + 1 ms');
    const timestampMs = Math.max(now, parent.header.timestampMs + 1);
    const run = this.nextRun(timestampMs).begin();
    let index = 0; // position in the block, as import will see it (TxContext.index)
    const txs = this.mempool.select(this.o.maxBlockTxs ?? MAX_BLOCK_TXS, (tx) => {
      const f = run.apply(tx, index);
      if (f) rejected.push(tx);
      else index++;
      return !f;
    });
    const r = run.end();
    const header = { height, parentHash: parent.hash, timestampMs, proposer: fromHex(proposerHex, 20), txRoot: txRoot(txs.map((t) => fromHex(t.hash, 32))), stateRoot: r.stateRoot, epoch: epochOf(height), txCount: txs.length };
    return { block: makeBlock(header, txs, this.o.nodeKey.secretKey), run: r, rejected };
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
      const run = applyBlock(block, this.head, this.state, { modules: { set: this.modules, states: this.mods }, validators: this.stake, slot: this.slotRule() });
      this.checked = { hashHex: block.hashHex, parentHex: this.head.hashHex, run };
      return block;
    });
  }

  private slotRule(): ((b: Block, p: Block) => void) | undefined {
    return this.set.multi ? (b: Block, p: Block) => checkSlot(b, p, this.set, this.genesis.block_time_ms) : undefined;
  }

  /**
   * Imports a block produced elsewhere (or re-imports stored blocks): signatures are checked in the
   * worker pool as soon as this is called (so calls for consecutive blocks overlap), then the block
   * is applied in call order and its state root checked before the atomic commit.
   * Group commit: while more importBlock calls are queued behind this one, the block's batch is
   * written without fsync; the last of the run (or every MAX_UNSYNCED-th) is synced, which makes
   * the whole run durable (LevelDB's log is ordered). Until then the run counts as not final
   * (`finalized()` stops at the last synced block) — a crash of the process loses nothing (the
   * writes are in the OS), a power loss at most the unsynced tail of the run.
   * @throws ImportError with a stable `reason` when the block is invalid; the chain is unchanged.
   */
  importBlock(bytes: Uint8Array, preverified?: Promise<Block>, o: { certificate?: Uint8Array } = {}): Promise<BlockHeader> {
    const pre = preverified ?? this.preverify(bytes);
    this.queuedImports++;
    return this.exclusive(async () => {
      this.queuedImports--;
      try {
        await this.ready;
        const block = await pre;
        const c = this.checked;
        this.checked = undefined;
        const applied =
          c && c.hashHex === block.hashHex && c.parentHex === this.head.hashHex
            ? c.run
            : applyBlock(block, this.head, this.state, { modules: { set: this.modules, states: this.mods }, validators: this.stake, slot: this.slotRule() });
        // A certified block is final at once: always synced (finality is never acknowledged before its fsync).
        const sync = o.certificate !== undefined || this.queuedImports === 0 || this.unsynced + 1 >= MAX_UNSYNCED;
        await this.commit(block, applied, { sync, certificate: o.certificate });
        return headerView(block);
      } catch (err) {
        if (this.queuedImports === 0) await this.flushUnsynced();
        throw err;
      }
    });
  }

  /** The commit certificate stored with block `height` (wire.ts), undefined when none. */
  certificateAt(height: number): Promise<Uint8Array | undefined> {
    return this.db.getMeta(`commit/${height}`);
  }

  /**
   * Stage 1 of an import (decode + every signature in the worker pool), started now; hand the
   * promise to `importBlock` later so a caller can verify blocks ahead of applying them.
   * @throws (rejects with) ImportError for a malformed or badly signed block.
   */
  preverify(bytes: Uint8Array): Promise<Block> {
    const pre = preverifyBlock(bytes, this.genesis, this.validators, this.pool, this.modules);
    pre.catch(() => {});
    return pre;
  }

  /** A run of the block after the head (production, admission). */
  private nextRun(timestampMs: number): BlockRun {
    const height = this.head.header.height + 1;
    return new BlockRun(this.state, this.modules, this.mods, { height, timestampMs, proposerHex: this.o.nodeKey.address.slice(3), validators: this.stake });
  }

  /**
   * Commits an applied block. With a commit certificate (Tendermint) the block is final at once:
   * the certificate and the finalized record go in the same synced batch, and no undo record is kept.
   * Without `sync` the batch is written without fsync (group commit, see importBlock).
   */
  private async commit(block: Block, r: RunResult, o: { sync?: boolean; certificate?: Uint8Array } = {}): Promise<void> {
    const certificate = o.certificate;
    const sync = certificate !== undefined || (o.sync ?? true);
    const parentTs = this.head.header.timestampMs;
    let undo: Uint8Array | undefined;
    const h = block.header.height;
    const meta: [string, Uint8Array][] | undefined = certificate ? [[`commit/${h}`, certificate], ['finalized', encodeCanonical([h, block.hash])]] : undefined;
    if (this.set.multi && !certificate) {
      const before = new Map<string, AccountState>();
      for (const addr of r.overlay.changes.keys()) before.set(addr, this.state.get(addr));
      const priorModules = new Map<string, Uint8Array | null>();
      for (const id of r.changed.keys()) priorModules.set(id, stateBytes(this.modules, this.mods, id));
      undo = encodeUndo(before, priorModules);
    }
    await this.db.commitBlock({
      height: block.header.height,
      hash: block.hash,
      bytes: block.bytes,
      txIds: block.txs.map((t) => t.idBytes ?? Buffer.from(t.hash, 'hex')),
      accounts: r.overlay.changes,
      modules: r.changed,
      undo,
      tree: State.treeWrites(r),
      meta,
    }, { sync });
    this.state.commit(r);
    this.mods = r.modules;
    if (this.set.multi && this.head.header.height > this.fin.height) this.recent.set(this.head.header.height, this.head.hashHex);
    this.head = block;
    if (sync) this.markDurable();
    else this.unsynced++;
    if (certificate) {
      this.fin = { height: h, hashHex: block.hashHex };
      this.recent.clear();
    }
    this.mempool.onBlock(block.txs, (hex) => this.state.get(hex));
    const interval = block.header.timestampMs - parentTs;
    const m = this.o.metrics;
    if (m) {
      m.blockIntervalSeconds.observe(interval / 1000);
      m.txsAppliedTotal.inc(block.txs.length);
      m.mempoolSize.set(this.mempool.size);
    }
    this.updateHeadMetrics();
    this.o.logger?.info({ height: block.header.height, hash: block.hashHex.slice(0, 12), txs: block.txs.length, interval_ms: interval, finalized: this.finalizedHeight() }, 'block');
    this.o.events?.emit('newHeads', headerView(block));
    for (const cb of this.headListeners) cb(block, { reverted: false });
  }

  /** Produces a block every `genesis.block_time_ms`, aligned to the head's timestamp. Idempotent. */
  startProducing(): void {
    if (this.producing || this.closed) return;
    if (!this.isValidator) throw new Error(`node key ${this.o.nodeKey.address} is not a validator of this chain; it cannot produce blocks`);
    this.producing = true;
    this.schedule();
  }

  private schedule(): void {
    if (!this.producing) return;
    const delay = Math.max(0, this.head.header.timestampMs + this.genesis.block_time_ms - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.produceBlock()
        .catch((err) => this.o.logger?.error({ err }, 'block production failed; retrying at the next slot'))
        .finally(() => this.schedule());
    }, delay);
  }

  /** Stops the production timer and waits for a block being produced to commit. */
  async stopProducing(): Promise<void> {
    this.producing = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
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
    await this.flushUnsynced();
    if (this.ownPool) await this.pool.close();
    await this.db.close();
  }
}
