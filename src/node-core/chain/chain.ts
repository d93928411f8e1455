/**
 * The chain: one object owning the chain DB, the in-memory state mirror, the mempool, block
 * production (single validator on dev) and block import. All state changes go through one
 * serial queue (`exclusive`), so production, import and RPC writes never interleave.
 */
import type pino from 'pino';
import { Reason, RpcError } from '../../shared/api/errors.js';
import type { BlockHeader, BlockView, Tip } from '../../shared/api/index.js';
import { verify } from '../crypto/ed25519.js';
import { fromHex, toHex } from '../crypto/hash.js';
import { VerifyPool } from '../crypto/verify-pool.js';
import type { NodeEvents } from '../events.js';
import type { HandlerMap } from '../rpc/types.js';
import { ChainDb, ChainDbError } from '../storage/chaindb.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { Keystore, KeyPair } from '../wallet/keystore.js';
import { applyTx } from './apply.js';
import { blockView, decodeBlock, epochOf, headerView, makeBlock, txRoot, type Block } from './block.js';
import { asArray, asBytes, asSafeInt, CodecError, decodeCanonical, encodeCanonical } from './codec.js';
import { combinedRoot, decodeGov, EMPTY_GOV, encodeGov, govEpochStep, GovIntentError, govVote, stakeMap, type GovIntent, type GovState } from './gov-intent.js';
import { genesisBlock, genesisState, type Genesis } from './genesis.js';
import { chainHandlers } from './handlers.js';
import { Mempool, type MempoolOptions } from './mempool.js';
import { State, type Prepared } from './state.js';
import { decodeTx, signIntent, signingMessage, type SignedTx } from './tx.js';
import { applyBlock, ImportError, preverifyBlock, validatorKeys } from './verify.js';
import { earliestSlotMs, ValidatorSet } from './consensus.js';
import { decodeUndo, encodeUndo } from './undo.js';
import type { AccountState } from './state.js';

export { ChainDbError } from '../storage/chaindb.js';

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
}

export class Chain {
  readonly genesis: Genesis;
  readonly mempool: Mempool;
  private head!: Block;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private producing = false;
  private closed = false;
  private readonly validators: Map<string, Uint8Array>;
  /** Validator stakes by 40-hex address (governor intent quorum). */
  private readonly stake: Map<string, bigint>;
  /** Governance state after the head block (chain/gov-intent.ts). */
  private gov: GovState = EMPTY_GOV;
  private readonly ownPool: boolean;
  private readonly pool: VerifyPool;
  /** Validator set and proposer schedule (chain/consensus.ts). */
  readonly set: ValidatorSet;
  /** Highest final block of a multi-validator chain (single validator: the head, see finalizedHeight). */
  private fin = { height: 0, hashHex: '' };
  /** Canonical hashes above the finalized height (fork choice and finality look them up synchronously). */
  private readonly recent = new Map<number, string>();
  private readonly headListeners = new Set<(b: Block, o: { reverted: boolean }) => void>();
  private readonly txListeners = new Set<(bytes: Uint8Array) => void>();

  private constructor(
    private readonly o: ChainOpenOptions,
    private readonly db: ChainDb,
    private readonly state: State,
  ) {
    this.genesis = o.genesis;
    this.mempool = new Mempool(o.genesis.chain_id, o.mempool);
    this.validators = validatorKeys(o.genesis);
    this.stake = stakeMap(o.genesis.validators);
    this.set = new ValidatorSet(o.genesis);
    this.ownPool = !o.verifyPool;
    this.pool = o.verifyPool ?? new VerifyPool();
  }

  /**
   * Opens the chain DB in `o.dir` (creating block 0 from genesis on first open), loads the state
   * and checks it against the head block's state root.
   * @throws ChainDbError (locked / corrupt / mismatch) whose message lists the ways out.
   */
  static async open(o: ChainOpenOptions): Promise<Chain> {
    const db = await ChainDb.open(o.dir);
    try {
      const storedGenesis = await db.genesisHash();
      if (storedGenesis !== undefined && storedGenesis !== o.genesis.hash)
        throw new ChainDbError('mismatch', o.dir, `it holds the chain of genesis ${storedGenesis}, not ${o.genesis.hash}`);
      const head = await db.head();
      let chain: Chain;
      if (!head) {
        const state = genesisState(o.genesis);
        const g = genesisBlock(o.genesis, state);
        await db.commitBlock({ height: 0, hash: g.hash, bytes: g.bytes, txIds: [], accounts: new Map(state.entries()), genesisHash: o.genesis.hash });
        chain = new Chain(o, db, state);
        chain.head = g;
        chain.fin = { height: 0, hashHex: g.hashHex };
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
        const state = State.from(await db.loadAccounts());
        const govBytes = await db.govBytes();
        let gov: GovState = EMPTY_GOV;
        try {
          if (govBytes) gov = decodeGov(decodeCanonical(govBytes, 'governance state'));
        } catch (err) {
          throw new ChainDbError('corrupt', o.dir, `governance state record does not decode: ${(err as Error).message}`);
        }
        const root = toHex(combinedRoot(state.root(), gov));
        if (root !== toHex(block.header.stateRoot))
          throw new ChainDbError('corrupt', o.dir, `stored accounts and governance state give state root ${root}, but head block ${head.height} says ${toHex(block.header.stateRoot)}`);
        chain = new Chain(o, db, state);
        chain.head = block;
        chain.gov = gov;
        await chain.loadFinality();
      }
      chain.updateHeadMetrics();
      return chain;
    } catch (err) {
      await db.close().catch(() => {});
      throw err;
    }
  }

  /** Runs `fn` after every previously queued state change (serial order = call order). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private get isValidator(): boolean {
    return this.validators.has(this.o.nodeKey.address.slice(3));
  }

  /** Head of the chain. Single validator: every block is final at once. */
  tip(): Tip {
    const h = this.head.header;
    return { height: h.height, hash: this.head.hashHex, state_root: toHex(h.stateRoot), timestamp_ms: h.timestampMs, epoch: h.epoch, finalized_height: this.finalizedHeight() };
  }

  /** Single-validator chains finalize each block as it is made (its signer is all the stake); multi-validator finality comes with votes. */
  private finalizedHeight(): number {
    return this.set.multi ? this.fin.height : this.head.header.height;
  }

  /** The highest final block (height, 64-hex hash). */
  finalized(): { height: number; hashHex: string } {
    return this.set.multi ? { ...this.fin } : { height: this.head.header.height, hashHex: this.head.hashHex };
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

  private async loadFinality(): Promise<void> {
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
      for (const h of this.recent.keys()) if (h <= height) this.recent.delete(h);
      await this.db.pruneUndo(height);
      this.updateHeadMetrics();
      return true;
    });
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
    return this.db.getMeta(name);
  }

  /** Writes consensus metadata (synced). */
  putMeta(entries: [string, Uint8Array][]): Promise<void> {
    return this.exclusive(() => this.db.putMeta(entries));
  }

  /**
   * Reverts the head block (multi-validator chains, blocks above the finalized height only):
   * restores the accounts and governance state from its undo record and makes its parent the head.
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
      const gov = undo.gov ? decodeGov(decodeCanonical(undo.gov, 'governance state')) : this.gov;
      if (toHex(combinedRoot(prepared.root, gov)) !== toHex(parent.header.stateRoot))
        throw new ChainDbError('corrupt', this.o.dir, `undo record of block ${h} does not restore the state root of block ${h - 1}`);
      await this.db.revertBlock({
        height: h,
        hash: b.hash,
        txIds: b.txs.map((t) => t.idBytes ?? Buffer.from(t.hash, 'hex')),
        restore: undo.accounts,
        gov: undo.gov ?? undefined,
        parent: { height: h - 1, hash: parent.hash },
      });
      this.state.commit(prepared);
      this.gov = gov;
      this.head = parent;
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
    return this.db.blockBytes(height);
  }

  /** JSON block (with transactions) by height or 64-hex hash; undefined when unknown. */
  async blockView(q: { height?: number; hash?: string }): Promise<BlockView | undefined> {
    let height = q.height;
    if (q.hash !== undefined) height = await this.db.heightOfHash(fromHex(q.hash, 32));
    if (height === undefined) return undefined;
    const b = await this.blockAt(height);
    return b && blockView(b);
  }

  /** Where a tx is: pending in the mempool, included in a block, or unknown. */
  async txStatus(hash: string): Promise<{ hash: string; status: 'pending' | 'included' | 'unknown'; height?: number; block_hash?: string }> {
    if (this.mempool.has(hash)) return { hash, status: 'pending' };
    const loc = await this.db.txLocation(fromHex(hash, 32));
    return loc ? { hash, status: 'included', height: loc.height, block_hash: toHex(loc.blockHash) } : { hash, status: 'unknown' };
  }

  /**
   * Admits a signed tx (canonical CBOR bytes) to the mempool; returns its id.
   * @throws RpcError.app with reason malformed_tx | wrong_chain_id | bad_signature | duplicate |
   *   fee_too_low | nonce_too_low | nonce_gap | pending_limit_reached | insufficient_balance | mempool_full.
   */
  submit(bytes: Uint8Array, o: { fromGossip?: boolean } = {}): SignedTx {
    try {
      let tx: SignedTx;
      try {
        tx = decodeTx(bytes);
      } catch (err) {
        if (err instanceof CodecError) throw RpcError.app(Reason.malformed_tx, `malformed transaction: ${err.message}`);
        throw err;
      }
      const chainId = this.genesis.chain_id;
      if (tx.payload.chainId !== chainId)
        throw RpcError.app(Reason.wrong_chain_id, `transaction is for chain id ${tx.payload.chainId}; this node runs chain id ${chainId}`);
      if (!verify(tx.signature, signingMessage(chainId, tx.payloadBytes), tx.publicKey))
        throw RpcError.app(Reason.bad_signature, `signature does not verify for ${tx.fromAddress} on chain id ${chainId}`);
      if (tx.payload.intent) {
        // Same checks as block application, against the next block's height.
        const next = this.head.header.height + 1;
        try {
          govVote(govEpochStep(this.gov, next, this.stake), next, { sender: tx.fromAddress.slice(3), intent: tx.payload.intent }, this.stake);
        } catch (err) {
          if (err instanceof GovIntentError) throw RpcError.app(err.reason, err.message);
          throw err;
        }
      }
      this.mempool.add(tx, this.state.get(tx.fromAddress.slice(3)));
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
   * production timer and `dev.mine_one`.
   * @throws Error when this node's key is not a validator; ChainDbError-like I/O errors from the commit.
   */
  produceBlock(o: { parentHash?: string } = {}): Promise<BlockHeader> {
    return this.exclusive(async () => {
      if (this.closed) throw new Error('chain is closed');
      if (!this.isValidator) throw new Error(`node key ${this.o.nodeKey.address} is not a validator of this chain`);
      const parent = this.head;
      if (o.parentHash !== undefined && o.parentHash !== parent.hashHex) throw new ImportError('stale_parent', 'the head changed before the block was built');
      const ov = this.state.begin();
      const proposerHex = this.o.nodeKey.address.slice(3);
      const rejected: SignedTx[] = [];
      const height = parent.header.height + 1;
      let gov = govEpochStep(this.gov, height, this.stake);
      const txs = this.mempool.select(this.o.maxBlockTxs ?? MAX_BLOCK_TXS, (tx) => {
        if (tx.payload.intent) {
          // Vote first: a refused intent must not leave its nonce bump in the overlay.
          let next: GovState;
          try {
            next = govVote(gov, height, { sender: tx.fromAddress.slice(3), intent: tx.payload.intent }, this.stake);
          } catch (err) {
            if (!(err instanceof GovIntentError)) throw err;
            rejected.push(tx);
            return false;
          }
          const f = applyTx(ov, tx, proposerHex);
          if (f) rejected.push(tx);
          else gov = next;
          return !f;
        }
        const f = applyTx(ov, tx, proposerHex);
        if (f) rejected.push(tx);
        return !f;
      });
      const prepared = this.state.prepare(ov);
      const now = Date.now();
      if (now < parent.header.timestampMs) this.o.logger?.warn({ now, parent_ms: parent.header.timestampMs }, 'wall clock is behind the head block; using parent timestamp + 1 ms');
      const block = makeBlock(
        {
          height,
          parentHash: parent.hash,
          // Multi-validator chains: never before this proposer's slot (chain/consensus.ts).
          timestampMs: Math.max(now, parent.header.timestampMs + 1, this.set.multi ? earliestSlotMs(parent.header.timestampMs, this.genesis.block_time_ms, this.set.rank(height, proposerHex)) : 0),
          proposer: fromHex(proposerHex, 20),
          txRoot: txRoot(txs.map((t) => fromHex(t.hash, 32))),
          stateRoot: combinedRoot(prepared.root, gov),
          epoch: epochOf(height),
          txCount: txs.length,
        },
        txs,
        this.o.nodeKey.secretKey,
      );
      await this.commit(block, prepared, gov);
      for (const r of rejected) this.mempool.dropFrom(r);
      return headerView(block);
    });
  }

  /**
   * Imports a block produced elsewhere (or re-imports stored blocks): signatures are checked in the
   * worker pool as soon as this is called (so calls for consecutive blocks overlap), then the block
   * is applied in call order and its state root checked before the atomic commit.
   * @throws ImportError with a stable `reason` when the block is invalid; the chain is unchanged.
   */
  importBlock(bytes: Uint8Array, preverified?: Promise<Block>): Promise<BlockHeader> {
    const pre = preverified ?? this.preverify(bytes);
    return this.exclusive(async () => {
      const block = await pre;
      const slot = this.set.multi ? { set: this.set, blockTimeMs: this.genesis.block_time_ms } : undefined;
      const applied = applyBlock(block, this.head, this.state, { gov: this.gov, stake: this.stake, slot });
      await this.commit(block, applied, applied.gov);
      return headerView(block);
    });
  }

  /**
   * Stage 1 of an import (decode + every signature in the worker pool), started now; hand the
   * promise to `importBlock` later so a caller can verify blocks ahead of applying them.
   * @throws (rejects with) ImportError for a malformed or badly signed block.
   */
  preverify(bytes: Uint8Array): Promise<Block> {
    const pre = preverifyBlock(bytes, this.genesis, this.validators, this.pool);
    pre.catch(() => {});
    return pre;
  }

  private async commit(block: Block, prepared: Prepared, gov: GovState): Promise<void> {
    const parentTs = this.head.header.timestampMs;
    let undo: Uint8Array | undefined;
    if (this.set.multi) {
      const before = new Map<string, AccountState>();
      for (const addr of prepared.overlay.changes.keys()) before.set(addr, this.state.get(addr));
      undo = encodeUndo(before, gov !== this.gov ? encodeGov(this.gov) : undefined);
    }
    await this.db.commitBlock({
      height: block.header.height,
      hash: block.hash,
      bytes: block.bytes,
      txIds: block.txs.map((t) => t.idBytes ?? Buffer.from(t.hash, 'hex')),
      accounts: prepared.overlay.changes,
      gov: gov !== this.gov ? encodeGov(gov) : undefined,
      undo,
    });
    this.state.commit(prepared);
    this.gov = gov;
    if (this.set.multi && this.head.header.height > this.fin.height) this.recent.set(this.head.header.height, this.head.hashHex);
    this.head = block;
    this.mempool.onBlock(block.txs, (hex) => this.state.get(hex));
    const interval = block.header.timestampMs - parentTs;
    const m = this.o.metrics;
    if (m) {
      m.blockIntervalSeconds.observe(interval / 1000);
      m.txsAppliedTotal.inc(block.txs.length);
      m.mempoolSize.set(this.mempool.size);
      // A block of a fallback proposer means the primary missed its slot (our "round timeout").
      if (this.set.multi && this.set.rank(block.header.height, toHex(block.header.proposer)) > 0) m.consensusFallbackBlocksTotal.inc();
    }
    this.updateHeadMetrics();
    this.o.logger?.info({ height: block.header.height, hash: block.hashHex.slice(0, 12), txs: block.txs.length, interval_ms: interval, finalized: this.finalizedHeight() }, 'block');
    this.o.events?.emit('newHeads', headerView(block));
    for (const cb of this.headListeners) cb(block, { reverted: false });
  }

  private updateHeadMetrics(): void {
    this.o.metrics?.blockHeight.set(this.head.header.height);
    this.o.metrics?.finalizedHeight.set(this.finalizedHeight());
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

  /** Governance state after the head block (applied params, pending intents with voters, history). */
  govState(): GovState {
    return this.gov;
  }

  /** Whether this node's key is a validator (only validators may submit governor intents). */
  get nodeIsValidator(): boolean {
    return this.isValidator;
  }

  /**
   * Signs a governor intent with the node key and admits it to the mempool (fee-exempt).
   * @returns the tx id.
   * @throws RpcError.app not_validator | intent_too_late | duplicate_vote | mempool reasons.
   */
  submitIntent(intent: GovIntent): string {
    const k = this.o.nodeKey;
    const nonce = this.accountState(k.address).pendingNonce;
    const tx = signIntent({ chainId: this.genesis.chain_id, publicKey: k.publicKey, secretKey: k.secretKey, nonce, intent });
    return this.submit(tx.bytes).hash;
  }

  /** JSON-RPC handlers of the chain's methods (see handlers.ts). */
  handlers(o: { network: string; keystore: Keystore }): HandlerMap {
    return chainHandlers(this, o);
  }

  /** Stops production, waits for queued work, closes the verify pool (if owned) and the DB. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.stopProducing();
    this.closed = true;
    await this.queue;
    if (this.ownPool) await this.pool.close();
    await this.db.close();
  }
}
