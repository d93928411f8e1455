/**
 * The consensus engine of a node (DESIGN.md "Consensus"): on top of the Chain it
 *  - proposes blocks when it is this validator's turn, or its fallback slot (chain/consensus.ts);
 *  - votes for each new canonical head (multi-validator chains) and decides finality with the
 *    FinalityTracker; a finalized block is never reverted;
 *  - takes blocks and votes from the network (gossip, sync) and applies fork choice:
 *    the chain must contain the finalized block; the longer chain wins; at equal height the block
 *    of the lower proposer rank at the fork, then the lower hash.
 *  - detects equivocation (two signed votes of one validator for different blocks at a height),
 *    keeps the proof, and excludes the stake.
 * All block handling runs through one async lock so a reorg (revert + import) never interleaves
 * with another import or a proposal.
 *
 * Voting rule (safety): a validator votes only once per height, and only for a block that
 * descends from its previous vote — unless that vote is at or below the finalized height (a
 * conflicting finalized chain released it), or finality has stalled for STALL_UNLOCK_BLOCKS block
 * times (liveness after a split where no branch can reach 2/3; documented trade-off).
 */
import type pino from 'pino';
import { blake3, fromHex, toHex } from '../crypto/hash.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { KeyPair } from '../crypto/ed25519.js';
import type { Block } from './block.js';
import { decodeBlock } from './block.js';
import type { Chain } from './chain.js';
import { earliestSlotMs } from './consensus.js';
import { decodeEvidence, encodeEvidence } from './evidence.js';
import { FinalityTracker, type Equivocation } from './finality.js';
import { ImportError } from './verify.js';
import { decodeVote, signVote, verifyVote, voteView, type Vote } from './vote.js';

/** Finality stall (in block times) after which a validator's vote lock is released. */
export const STALL_UNLOCK_BLOCKS = 30;
/** Side blocks kept for fork choice. */
const SIDE_CAP = 512;

export type Verdict = 'accept' | 'reject' | 'ignore';

export interface EngineOptions {
  chain: Chain;
  nodeKey: KeyPair;
  logger?: pino.Logger;
  metrics?: Metrics;
  /** Test-only fault injection: `double_sign` makes this validator sign two conflicting votes per height. */
  fault?: 'double_sign';
}

/** Outcome of handing a gossiped block to the engine. */
export interface BlockOutcome {
  verdict: Verdict;
  /** The block's parent is unknown: fetch the chain from the sender (net layer). */
  needParent?: boolean;
  reason?: string;
}

export class ConsensusEngine {
  readonly tracker: FinalityTracker;
  /** Set by the net layer: publish a block / vote on gossip. */
  publishBlock: (bytes: Uint8Array) => void = () => {};
  publishVote: (bytes: Uint8Array) => void = () => {};
  /** Set by the net layer: a block finalized elsewhere is not on our chain; sync. */
  needSync: (why: string) => void = () => {};
  private lock: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private syncing = false;
  private lastVote: { height: number; hashHex: string } | undefined;
  private lastFinalityMs = Date.now();
  private readonly side = new Map<string, Block>();
  /** Canonical blocks above the finalized height seen since start (fork-choice tie-breaks). */
  private readonly canon = new Map<number, Block>();
  private readonly myHex: string;
  private offHead?: () => void;

  constructor(private readonly o: EngineOptions) {
    this.tracker = new FinalityTracker(o.chain.set);
    this.myHex = o.nodeKey.address.slice(3);
  }

  private get chain(): Chain {
    return this.o.chain;
  }

  /** Whether this node's key is in the validator set. */
  get isValidator(): boolean {
    return this.chain.set.get(this.myHex) !== undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => {});
    return run;
  }

  /** Loads the last vote and stored equivocation proofs, then starts proposing (validators). */
  async start(): Promise<void> {
    const lv = await this.chain.getMeta('last_vote');
    if (lv) {
      try {
        const v = decodeVote(lv);
        this.lastVote = { height: v.height, hashHex: v.hashHex };
      } catch {
        this.o.logger?.warn('last vote record does not decode; ignoring it');
      }
    }
    for (const e of await this.loadEvidence()) this.tracker.addEvidence(e);
    this.updateMetrics();
    this.running = true;
    this.offHead = this.chain.onHead((b, { reverted }) => this.onHead(b, reverted));
    if (!this.isValidator) return;
    if (!this.chain.set.multi) this.chain.startProducing();
    else this.schedule();
  }

  /** Stops proposing and waits for block work in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.offHead?.();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain.stopProducing();
    await this.lock;
  }

  /** While syncing (far behind peers) a validator does not propose or vote on a stale head. */
  setSyncing(on: boolean): void {
    if (this.syncing === on) return;
    this.syncing = on;
    if (!on) this.schedule();
  }

  private onHead(b: Block, reverted: boolean): void {
    const finH = this.chain.finalized().height;
    if (reverted) {
      for (const h of this.canon.keys()) if (h > b.header.height) this.canon.delete(h);
    } else {
      this.canon.set(b.header.height, b);
      if (toHex(b.header.proposer) === this.myHex) this.publishBlock(b.bytes);
      this.maybeVote(b);
    }
    for (const h of this.canon.keys()) if (h < finH) this.canon.delete(h);
    for (const [k, s] of this.side) if (s.header.height <= finH) this.side.delete(k);
    this.schedule();
  }

  /** Arms the proposal timer for the next height at this validator's slot. */
  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running || !this.isValidator || !this.chain.set.multi || this.syncing) return;
    const head = this.chain.headBlock();
    const height = head.header.height + 1;
    const rank = this.chain.set.rank(height, this.myHex);
    const at = earliestSlotMs(head.header.timestampMs, this.chain.genesis.block_time_ms, rank);
    const parentHash = head.hashHex;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.serial(async () => {
        if (!this.running || this.syncing || this.chain.headBlock().hashHex !== parentHash) return;
        try {
          await this.chain.produceBlock({ parentHash });
        } catch (err) {
          if (!(err instanceof ImportError)) this.o.logger?.error({ err }, 'block production failed; retrying at the next slot');
        }
      }).finally(() => {
        if (!this.timer) this.schedule();
      });
    }, Math.max(0, at - Date.now()));
  }

  /** Signs and publishes a vote for a new canonical head when the voting rule allows it. */
  private maybeVote(b: Block): void {
    if (!this.isValidator || !this.chain.set.multi || this.syncing) {
      this.checkFinality();
      return;
    }
    const h = b.header.height;
    const lv = this.lastVote;
    if (lv && h <= lv.height) return this.checkFinality();
    if (lv && lv.height > this.chain.finalized().height && this.chain.recentHash(lv.height) !== lv.hashHex) {
      const stalled = Date.now() - this.lastFinalityMs > STALL_UNLOCK_BLOCKS * this.chain.genesis.block_time_ms;
      if (!stalled) return this.checkFinality();
      this.o.logger?.warn({ locked_height: lv.height }, 'finality stalled: releasing the vote lock on another branch');
      this.o.metrics?.consensusVoteLockReleasesTotal.inc();
    }
    const k = this.o.nodeKey;
    const vote = signVote({ chainId: this.chain.genesis.chain_id, height: h, hash: b.hash, validator: fromHex(this.myHex, 20), secretKey: k.secretKey });
    this.lastVote = { height: h, hashHex: b.hashHex };
    void this.chain.putMeta([['last_vote', vote.bytes]]).catch((err) => this.o.logger?.error({ err }, 'cannot persist the last vote'));
    this.tracker.add(vote);
    this.publishVote(vote.bytes);
    if (this.o.fault === 'double_sign') {
      const evil = signVote({ chainId: vote.chainId, height: h, hash: blake3(b.hash), validator: vote.validator, secretKey: k.secretKey });
      this.publishVote(evil.bytes);
    }
    this.checkFinality();
  }

  /**
   * A vote from the network: chain id, validator and signature are checked; equivocations are
   * recorded (and the vote still propagates, so every node sees the proof).
   */
  handleVote(bytes: Uint8Array): Verdict {
    let v: Vote;
    try {
      v = decodeVote(bytes);
    } catch {
      return 'reject';
    }
    const val = this.chain.set.get(v.validatorHex);
    if (v.chainId !== this.chain.genesis.chain_id || !val || !verifyVote(v, val.publicKey)) return 'reject';
    if (v.height <= this.chain.finalized().height - 256) return 'ignore';
    if (v.height > this.chain.headBlock().header.height + 10_000) return 'ignore';
    const r = this.tracker.add(v);
    if (r === 'equivocation') {
      const e = this.tracker.evidence().find((x) => x.validatorHex === v.validatorHex)!;
      this.o.logger?.warn({ validator: e.validator, height: e.height, hashes: e.votes.map((x) => x.hashHex.slice(0, 12)) }, 'equivocation: two signed votes for different blocks at one height; stake excluded');
      this.o.metrics?.equivocationsTotal.inc();
      void this.saveEvidence();
      this.updateMetrics();
      this.checkFinality();
      return 'accept';
    }
    if (r !== 'added') return 'ignore';
    this.checkFinality();
    // A vote may arrive before its block; only a different block of ours at that height is a conflict.
    const head = this.chain.headBlock().header.height;
    if (v.height > this.chain.finalized().height && v.height <= head && this.chain.recentHash(v.height) !== v.hashHex) this.checkForeignFinality(v);
    return 'accept';
  }

  /** Votes at `v.height` for a block we do not have, with 2/3 of the stake: our branch lost. */
  private checkForeignFinality(v: Vote): void {
    let s = 0n;
    for (const val of this.chain.set.list) {
      const w = this.tracker.voteOf(v.height, val.addrHex);
      if (w && w.hashHex === v.hashHex && !this.tracker.isFaulty(val.addrHex)) s += val.stake;
    }
    if (s >= this.tracker.threshold()) this.needSync(`block ${v.hashHex.slice(0, 12)} at height ${v.height} has 2/3 of the votes but is not on this node's chain`);
  }

  private checkFinality(): void {
    if (!this.chain.set.multi) return;
    const fin = this.chain.finalized();
    const head = this.chain.headBlock().header.height;
    const d = this.tracker.decide((h) => this.chain.recentHash(h), fin.height, head);
    this.updateMetrics();
    if (!d) return;
    void this.chain.setFinalized(d.height, d.hashHex, d.votes.map((x) => x.bytes)).then((moved) => {
      if (!moved) return;
      this.lastFinalityMs = Date.now();
      this.tracker.prune(d.height);
      // One line per block already says the finalized height; this one is for debugging.
      this.o.logger?.debug({ height: d.height, hash: d.hashHex.slice(0, 12), voters: d.votes.length }, 'finalized');
      this.updateMetrics();
    });
  }

  private updateMetrics(): void {
    const m = this.o.metrics;
    if (!m) return;
    m.effectiveTotalStake.set(Number(this.tracker.effectiveTotal()));
    m.equivocatedStake.set(Number(this.tracker.equivocatedStake()));
    m.finalityThreshold.set(Number(this.tracker.threshold()));
  }

  /**
   * A block from gossip. Extends the head → imported; a sibling or a side branch → kept and fork
   * choice decides; an unknown parent → `needParent` (the net layer fetches the branch).
   */
  handleBlock(bytes: Uint8Array): Promise<BlockOutcome> {
    return this.serial(async () => {
      let b: Block;
      try {
        b = decodeBlock(bytes, { deferTxHashes: true });
      } catch (err) {
        return { verdict: 'reject', reason: (err as Error).message };
      }
      const h = b.header.height;
      const fin = this.chain.finalized();
      if (h <= fin.height) return { verdict: 'ignore', reason: 'at or below the finalized height' };
      if (this.chain.recentHash(h) === b.hashHex || this.side.has(b.hashHex)) return { verdict: 'ignore', reason: 'known' };
      const head = this.chain.headBlock();
      const parentHex = toHex(b.header.parentHash);
      if (h === head.header.height + 1 && parentHex === head.hashHex) return this.importOne(bytes);
      const onChain = this.chain.recentHash(h - 1) === parentHex || (h - 1 === fin.height && fin.hashHex === parentHex);
      if (!onChain && !this.side.has(parentHex)) return { verdict: 'ignore', needParent: true, reason: 'unknown parent' };
      if (this.side.size >= SIDE_CAP) this.side.delete(this.side.keys().next().value!);
      this.side.set(b.hashHex, b);
      const branch = this.branchTo(b);
      if (!branch) return { verdict: 'ignore', needParent: true, reason: 'side branch incomplete' };
      if (!this.better(branch)) return { verdict: 'accept', reason: 'kept as a side block' };
      const r = await this.reorg(branch.map((x) => x.bytes));
      return r === true ? { verdict: 'accept' } : { verdict: 'reject', reason: `side branch does not apply: ${r.message}` };
    });
  }

  private async importOne(bytes: Uint8Array): Promise<BlockOutcome> {
    try {
      await this.chain.importBlock(bytes);
      return { verdict: 'accept' };
    } catch (err) {
      if (err instanceof ImportError) return { verdict: 'reject', reason: `${err.reason}: ${err.message}` };
      throw err;
    }
  }

  /** Side blocks from the fork point (exclusive) to `tip`, or undefined when a link is missing. */
  private branchTo(tip: Block): Block[] | undefined {
    const out: Block[] = [tip];
    let cur = tip;
    for (;;) {
      const ph = cur.header.height - 1;
      const parentHex = toHex(cur.header.parentHash);
      const fin = this.chain.finalized();
      if (this.chain.recentHash(ph) === parentHex || (ph === fin.height && fin.hashHex === parentHex)) return out.reverse();
      const p = this.side.get(parentHex);
      if (!p || ph <= fin.height) return undefined;
      out.push(p);
      cur = p;
    }
  }

  /** Fork choice: is the branch (blocks after a fork point on our chain) better than our head? */
  private better(branch: Block[]): boolean {
    const tip = branch[branch.length - 1];
    const head = this.chain.headBlock();
    if (tip.header.height !== head.header.height) return tip.header.height > head.header.height;
    const first = branch[0];
    const ours = this.chain.recentHash(first.header.height);
    if (ours === undefined) return false;
    const set = this.chain.set;
    const rankTheirs = set.rank(first.header.height, toHex(first.header.proposer));
    const oursBlock = this.canon.get(first.header.height);
    const rankOurs = oursBlock ? set.rank(first.header.height, toHex(oursBlock.header.proposer)) : rankTheirs;
    if (rankTheirs !== rankOurs) return rankTheirs < rankOurs;
    return first.hashHex < ours;
  }

  /**
   * Switches to a branch whose first block's parent is on our chain above or at the finalized
   * block: reverts our blocks down to the fork point, imports the branch; if the branch fails,
   * restores our blocks. Never reverts a finalized block.
   * @returns true when the branch is now canonical, else why not (our branch is back).
   */
  private async reorg(branch: Uint8Array[]): Promise<true | ImportError> {
    const first = decodeBlock(branch[0], { deferTxHashes: true });
    const forkHeight = first.header.height - 1;
    if (forkHeight < this.chain.finalized().height) return new ImportError('no_common_ancestor', `the branch forks at ${forkHeight}, below the finalized block`);
    const reverted: Block[] = [];
    try {
      while (this.chain.headBlock().header.height > forkHeight) reverted.push(await this.chain.revertHead());
    } catch (err) {
      // Finality moved past the fork point meanwhile (votes arrive concurrently): keep our branch.
      for (const r of reverted.reverse()) await this.chain.importBlock(r.bytes);
      if (forkHeight < this.chain.finalized().height) return new ImportError('no_common_ancestor', `the branch forks at ${forkHeight}, below the finalized block`);
      throw err;
    }
    const imported: number[] = [];
    try {
      for (const bytes of branch) {
        await this.chain.importBlock(bytes);
        imported.push(1);
      }
      for (const r of reverted) if (this.chain.recentHash(r.header.height) !== r.hashHex) this.side.set(r.hashHex, r);
      this.o.logger?.warn({ fork_height: forkHeight, reverted: reverted.length, imported: branch.length, head: this.chain.headBlock().header.height }, 'fork choice: switched to a better branch');
      return true;
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      this.o.logger?.warn({ err: err.message, fork_height: forkHeight }, 'fork choice: the other branch does not apply; keeping ours');
      while (this.chain.headBlock().header.height > forkHeight) await this.chain.revertHead();
      for (const r of reverted.reverse()) await this.chain.importBlock(r.bytes);
      return err;
    }
  }

  /**
   * Blocks fetched by sync (consecutive heights). They either extend the head (imported with
   * signature checks overlapping), or form a branch from a fork point at or above the finalized
   * block (fork choice decides).
   * @returns how many blocks became canonical; throws ImportError on an invalid block.
   */
  adoptBlocks(blocks: Uint8Array[]): Promise<{ imported: number; forked: boolean }> {
    // Signatures are checked in the worker pool from now on, even while an earlier batch still
    // applies under the lock (sync hands batches over as they arrive).
    const pre = blocks.map((b) => this.chain.preverify(b));
    return this.serial(async () => {
      if (blocks.length === 0) return { imported: 0, forked: false };
      const first = decodeBlock(blocks[0], { deferTxHashes: true });
      const head = this.chain.headBlock();
      const parentHex = toHex(first.header.parentHash);
      if (first.header.height === head.header.height + 1 && parentHex === head.hashHex) {
        const results = await Promise.allSettled(blocks.map((b, i) => this.chain.importBlock(b, pre[i])));
        const bad = results.find((r) => r.status === 'rejected');
        const ok = results.filter((r) => r.status === 'fulfilled').length;
        if (bad) throw (bad as PromiseRejectedResult).reason;
        return { imported: ok, forked: false };
      }
      const fin = this.chain.finalized();
      const ph = first.header.height - 1;
      const linked = this.chain.recentHash(ph) === parentHex || (ph === fin.height && fin.hashHex === parentHex);
      if (!linked) throw new ImportError('no_common_ancestor', `block ${first.header.height} does not link to this node's chain above the finalized block ${fin.height}`);
      // Skip the prefix we already have.
      let i = 0;
      while (i < blocks.length) {
        const b = decodeBlock(blocks[i], { deferTxHashes: true });
        if (this.chain.recentHash(b.header.height) !== b.hashHex) break;
        i++;
      }
      const rest = blocks.slice(i);
      if (rest.length === 0) return { imported: 0, forked: false };
      const decoded = rest.map((b) => decodeBlock(b, { deferTxHashes: true }));
      const r0 = decoded[0];
      if (r0.header.height === this.chain.headBlock().header.height + 1 && toHex(r0.header.parentHash) === this.chain.headBlock().hashHex) {
        for (const b of rest) await this.chain.importBlock(b);
        return { imported: rest.length, forked: false };
      }
      for (const d of decoded) this.side.set(d.hashHex, d);
      if (!this.better(decoded)) return { imported: 0, forked: false };
      const r = await this.reorg(rest);
      if (r !== true) throw r;
      return { imported: rest.length, forked: true };
    });
  }

  /** Finality votes carried by sync (the peer's proof of its finalized block). */
  addProof(votes: Uint8Array[]): void {
    for (const v of votes) this.handleVote(v);
  }

  /** `consensus.finality` view (amounts as decimal strings). */
  view() {
    const t = this.tracker;
    const fin = this.chain.finalized();
    const eq = t.evidence();
    return {
      finalized_height: fin.height,
      finalized_hash: fin.hashHex,
      head_height: this.chain.headBlock().header.height,
      effective_total_stake: t.effectiveTotal().toString(),
      equivocated_stake: t.equivocatedStake().toString(),
      finality_threshold: t.threshold().toString(),
      total_stake: this.chain.set.total.toString(),
      validators: this.chain.set.list.map((v) => ({ address: v.address, stake: v.stake.toString(), equivocated: t.isFaulty(v.addrHex), self: v.addrHex === this.myHex })),
      vote_support: t.lastSupport.map((s) => ({ height: s.height, stake: s.stake.toString() })),
      equivocated_validators: eq.map((e) => e.validator),
      equivocations: eq.map((e) => ({ validator: e.validator, height: e.height, votes: e.votes.map(voteView), detected_at_ms: e.detectedAtMs })),
      is_validator: this.isValidator,
      syncing: this.syncing,
    };
  }

  private async saveEvidence(): Promise<void> {
    await this.chain.putMeta([['equivocations', encodeEvidence(this.tracker.evidence())]]).catch((err) => this.o.logger?.error({ err }, 'cannot persist equivocation evidence'));
  }

  private async loadEvidence(): Promise<Equivocation[]> {
    const rec = await this.chain.getMeta('equivocations');
    if (!rec) return [];
    try {
      return decodeEvidence(rec, this.chain.set);
    } catch (err) {
      this.o.logger?.warn({ err: (err as Error).message }, 'stored equivocation evidence does not decode; ignoring it');
      return [];
    }
  }
}
