/**
 * The consensus engine of a node (DESIGN.md "Consensus"). Multi-validator chains run Tendermint:
 * Buchman, Kwon, Milosevic 2018, "The latest gossip on BFT consensus" (arXiv 1807.04938,
 * Algorithm 1; CometBFT `spec/consensus/consensus.md`), through the pure core
 * (tendermint/core.ts) and its driver (tendermint/driver.ts: timers, the fsynced
 * priv_validator_state, logs, metrics). This file connects them to the chain and the network:
 *  - the round's proposer, `proposer(h, r)` = validator `(h + r) mod n` (chain/consensus.ts),
 *    builds a block on the head (`getValue`, line 18) and gossips it as a signed proposal;
 *  - a proposal's block is checked against the head (signatures, rules, state root) before the
 *    core sees it, so `valid(v)` (lines 23/29/36/50) is a lookup;
 *  - prevotes and precommits travel as signed messages (tendermint/wire.ts) on the votes topic;
 *  - on a decision (+2/3 precommits, line 49) the block is imported with its commit certificate
 *    in the same synced write: every committed block is final, nothing is ever reverted, and there
 *    is no fork choice;
 *  - sync (net/sync.ts) hands over blocks with their certificates; a block without a valid one is
 *    refused; after a jump the core restarts at the new height (its state file keeps the
 *    double-sign guard);
 *  - conflicting signed messages of one validator are evidence (tendermint/evidence-book.ts):
 *    kept, gossiped, counted in metrics and shown in the Finality card.
 * A single-validator (dev) chain keeps producing one block every `block_time_ms` without votes.
 */
import type pino from 'pino';
import type { KeyPair } from '../crypto/ed25519.js';
import { blake3, fromHex, toHex } from '../crypto/hash.js';
import type { Metrics } from '../telemetry/metrics.js';
import { formatAddress } from './address.js';
import { decodeBlock, type Block } from './block.js';
import type { Chain } from './chain.js';
import { ImportError } from './verify.js';
import type { CoreConfig } from './tendermint/core.js';
import { importCertified } from './tendermint/certified.js';
import { importDevBlock } from './dev-follow.js';
import { ConsensusDriver } from './tendermint/driver.js';
import { SignedLog } from './tendermint/signed-log.js';
import { ProposalChecks, proposalRefusal } from './tendermint/proposals.js';
import { RoundTimeouts } from './tendermint/timeouts.js';
import { finalityView, setFinalityGauges } from './tendermint/view.js';
import { EvidenceBook } from './tendermint/evidence-book.js';
import { accusedOf, selectEvidence } from './tendermint/committed-evidence.js';
import { excludedAt, exclusionsRef, type Exclusions } from './exclusions.js';
import { PrivValidatorStateFile } from './tendermint/privval.js';
import { handleBundle } from './tendermint/bundle.js';
import type { ConsensusMessage, Decision, Evidence } from './tendermint/types.js';
import { decodeEvidence, decodeMessage, encodeBundle, encodeCertificate, encodeEvidence, isBundle, isEvidence, signMessage, type Keyring, type SignedMessage } from './tendermint/wire.js';

import type { BlockOutcome, Verdict } from './dev-follow.js';

export type { Verdict };

export interface EngineOptions {
  chain: Chain;
  nodeKey: KeyPair;
  /** The node's data directory (`consensus/priv_validator_state.json` lives there); none: no state file (tests). */
  dataDir?: string;
  logger?: pino.Logger;
  metrics?: Metrics;
  /** Test-only fault injection: `double_sign` makes this validator sign a second, conflicting vote for every vote. */
  fault?: 'double_sign';
}

export type { BlockOutcome } from './dev-follow.js';

/** Heights above ours whose messages are still taken (the core queues them). */
const AHEAD = 2;

export class ConsensusEngine {
  /** Set by the net layer: publish a proposal (or a dev block) / a vote or evidence on gossip. */
  publishBlock: (bytes: Uint8Array) => void = () => {};
  publishVote: (bytes: Uint8Array) => void = () => {};
  /** Set by the net layer: peers are ahead of this node; sync. */
  needSync: (why: string) => void = () => {};
  readonly evidence: EvidenceBook;
  private driver: ConsensusDriver<Block> | undefined;
  private readonly keys: Keyring;
  private readonly stakes: Map<string, bigint>;
  private readonly myHex: string;
  private readonly state: PrivValidatorStateFile<Block> | undefined;
  private running = false;
  private syncing = false;
  private lock: Promise<unknown> = Promise.resolve();
  private readonly proposals: ProposalChecks;
  /** Signed bytes of the messages seen (certificates and evidence are built from them). */
  private readonly wire = new SignedLog();
  /** Messages that arrived while the core restarted. */
  private early: ConsensusMessage<Block>[] = [];
  private offHead?: () => void;
  private regossipTimer: NodeJS.Timeout | undefined;
  private regossipAt = { height: 0, round: -1 };
  private bundleSeq = 0;

  constructor(private readonly o: EngineOptions) {
    this.myHex = o.nodeKey.address.slice(3);
    this.stakes = new Map(o.chain.set.list.map((v) => [v.addrHex, v.stake]));
    const pks = new Map(o.chain.set.list.map((v) => [v.addrHex, fromHex(v.publicKey, 32)]));
    this.keys = { chainId: o.chain.genesis.chain_id, keyOf: (a) => pks.get(a) };
    this.evidence = new EvidenceBook(this.keys, o.chain, o.logger);
    this.proposals = new ProposalChecks(o.chain, o.logger);
    if (o.dataDir && this.isValidator && o.chain.set.multi)
      this.state = new PrivValidatorStateFile<Block>(o.dataDir, { encode: (b) => toHex(b.bytes), decode: (h) => decodeBlock(fromHex(h)) });
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

  /**
   * Loads the evidence and starts consensus: Tendermint at the height after the head
   * (multi-validator), or block production (single validator).
   * @throws PrivValStateError when the consensus state file is damaged.
   */
  async start(): Promise<void> {
    await this.evidence.load();
    this.updateMetrics();
    this.running = true;
    if (!this.chain.set.multi) {
      this.offHead = this.chain.onHead((b, { reverted }) => {
        if (!reverted && toHex(b.header.proposer) === this.myHex) this.publishBlock(b.bytes);
      });
      if (this.isValidator) this.chain.startProducing();
      return;
    }
    await this.startDriver();
    this.regossipTimer = setInterval(() => this.regossip(), Math.max(1000, 2 * this.chain.genesis.block_time_ms));
    this.regossipTimer.unref();
  }

  /** Stops consensus and waits for work in flight. */
  async stop(): Promise<void> {
    this.running = false;
    clearInterval(this.regossipTimer);
    this.offHead?.();
    await this.chain.stopProducing();
    const d = this.driver;
    this.driver = undefined;
    await d?.stop();
    await this.lock;
  }

  /** Shown in `consensus.finality` (Tendermint needs no pause while catching up). */
  setSyncing(on: boolean): void {
    this.syncing = on;
  }

  /** Validators excluded by evidence committed up to the head (chain/exclusions.ts). */
  private readonly exclusions = (): Exclusions => this.chain.moduleState(exclusionsRef);

  private config(): CoreConfig<Block> {
    const timeouts = new RoundTimeouts(this.chain.genesis.block_time_ms);
    return {
      validators: this.stakes,
      self: this.isValidator ? this.myHex : undefined,
      proposer: (h, r, ex) => this.chain.set.proposer(h, r, ex).addrHex,
      excluded: (h) => excludedAt(this.exclusions(), h),
      excludes: accusedOf,
      getValue: (h) => this.propose(h),
      valid: (b, h) => this.proposals.isValid(b, h),
      idOf: (b) => b.hashHex,
      timeout: (step, r) => timeouts.timeout(step, r),
    };
  }

  /** getValue() (line 18): a block built on the head with the pending evidence, valid by construction; none while the head is behind. */
  private propose(h: number): Block | undefined {
    if (this.chain.headBlock().header.height !== h - 1) return undefined;
    const b = this.chain.buildBlock(selectEvidence(this.evidence.list(), this.exclusions(), h, this.stakes));
    this.proposals.markOwn(b);
    return b;
  }

  private async startDriver(): Promise<void> {
    const height = this.chain.headBlock().header.height + 1;
    // Blocks in the state file at this height are checked before the core can look at them.
    const saved = await this.state?.load();
    if (saved && saved.height === height)
      for (const m of saved.signed) if (m.type === 'proposal') await this.proposals.check(m.value);
    if (saved && saved.height === height) for (const v of [saved.lockedValue, saved.validValue]) if (v) await this.proposals.check(v);
    this.driver = await ConsensusDriver.start<Block>({
      config: this.config(),
      height,
      state: this.state,
      send: (ms) => this.send(ms),
      onDecision: (d) => this.commit(d),
      onEvidence: (e) => this.onCoreEvidence(e),
      logger: this.o.logger,
      metrics: this.o.metrics,
    });
    const early = this.early;
    this.early = [];
    for (const m of early) this.driver.receive(m);
    for (const p of this.proposals.committed(height - 1)) void this.offerProposal(p);
  }

  /**
   * Re-gossip (CometBFT's gossip routines send peers the votes they miss; gossipsub delivers each
   * message at most once, and a lost one is lost): when the height has not moved for a tick, the
   * messages of the current height's recent rounds and of the lock's / valid value's rounds (their
   * proof-of-lock) go out again in one bundle.
   */
  private regossip(): void {
    const d = this.driver;
    if (!d || !this.running) return;
    const c = d.core;
    const at = this.regossipAt;
    this.regossipAt = { height: c.height, round: c.round };
    if (at.height !== c.height) return;
    const rounds = new Set([c.round, c.round - 1, c.lockedRound, c.validRound].filter((r) => r >= 0));
    const msgs = this.wire.all(c.messagesAt(rounds));
    if (msgs.length > 0) this.publishVote(encodeBundle(++this.bundleSeq, msgs));
  }

  /** Signs and publishes what the core sent (the driver has saved the state file first). */
  private send(ms: ConsensusMessage<Block>[]): void {
    const sk = this.o.nodeKey.secretKey;
    const chainId = this.chain.genesis.chain_id;
    for (const m of ms) {
      const bytes = signMessage(chainId, m, sk);
      this.wire.put(m, bytes);
      if (m.type === 'proposal') {
        this.proposals.markOwn(m.value);
        this.publishBlock(bytes);
        continue;
      }
      this.publishVote(bytes);
      if (this.o.fault === 'double_sign') this.publishVote(signMessage(chainId, { ...m, id: m.id === null ? toHex(blake3(fromHex(this.myHex))) : null }, sk));
    }
  }

  private get coreHeight(): number {
    return this.driver?.core.height ?? this.chain.headBlock().header.height + 1;
  }

  private deliver(m: ConsensusMessage<Block>): void {
    if (this.driver) this.driver.receive(m);
    else if (this.running && this.early.length < 10_000) this.early.push(m);
  }

  /**
   * A vote or evidence message from the network: signature, chain id and sender are checked;
   * conflicting votes still propagate (they are the proof everyone needs).
   */
  handleVote(bytes: Uint8Array): Verdict {
    if (!this.chain.set.multi) return 'reject';
    if (isBundle(bytes)) {
      return handleBundle(bytes, (m) => void this.handleBlock(m), (m) => this.handleVote(m));
    }
    if (isEvidence(bytes)) {
      try {
        const [a, b] = decodeEvidence(bytes, this.keys);
        this.addEvidence(a, b);
        return 'accept';
      } catch {
        return 'reject';
      }
    }
    let sm: SignedMessage;
    try {
      sm = decodeMessage(bytes, this.keys);
    } catch {
      return 'reject';
    }
    const m = sm.msg;
    if (m.type === 'proposal') return 'reject';
    const h = this.coreHeight;
    if (m.height < h) return 'ignore';
    if (m.height > h + AHEAD) {
      this.needSync(`a ${m.type} at height ${m.height}, this node is at ${h}`);
      return 'ignore';
    }
    this.wire.put(m, bytes);
    this.deliver(m);
    return 'accept';
  }

  /**
   * A proposal from the network (or, on a single-validator chain, a block). Its block is checked on
   * our head before the core sees it; a proposal for a later height waits for its parent.
   */
  async handleBlock(bytes: Uint8Array): Promise<BlockOutcome> {
    if (!this.chain.set.multi) return this.serial(() => importDevBlock(this.chain, bytes));
    let sm: SignedMessage;
    try {
      sm = decodeMessage(bytes, this.keys);
    } catch (err) {
      return { verdict: 'reject', reason: (err as Error).message };
    }
    const p = sm.msg;
    if (p.type !== 'proposal') return { verdict: 'reject', reason: 'a vote on the blocks topic' };
    const head = this.chain.headBlock().header.height;
    const refused = proposalRefusal(p, this.chain.set, excludedAt(this.exclusions(), head + 1), head, AHEAD);
    if (refused) return refused;
    this.wire.put(p, bytes);
    if (p.height > head + 1) {
      this.proposals.wait(sm);
      return { verdict: 'accept' };
    }
    const ok = await this.offerProposal(sm);
    return ok === false ? { verdict: 'reject', reason: 'the proposed block does not apply on its parent' } : { verdict: 'accept' };
  }

  /** Checks a proposal's block on the head and hands the proposal to the core. */
  private async offerProposal(sm: SignedMessage): Promise<boolean | undefined> {
    if (sm.msg.type !== 'proposal') return undefined;
    const ok = await this.proposals.check(sm.msg.value);
    if (ok !== undefined) this.deliver(sm.msg);
    else if (sm.msg.height > this.chain.headBlock().header.height + 1) this.proposals.wait(sm);
    return ok;
  }

  /** Line 49: the decided block goes into the chain with its commit certificate. */
  private async commit(d: Decision<Block>): Promise<void> {
    const b = d.value;
    const h = d.height;
    const precommits = this.wire.all(d.certificate.precommits);
    const certificate = encodeCertificate({ height: h, round: d.round, hashHex: b.hashHex, precommits });
    try {
      if (this.chain.headBlock().header.height === h - 1) await this.chain.importBlock(b.bytes, undefined, { certificate });
    } catch (err) {
      if (!(err instanceof ImportError)) throw err;
      this.o.logger?.error({ height: h, err: err.message }, 'the decided block does not import; fetching it from peers');
    }
    const have = await this.chain.hashAt(h);
    if (have === undefined) this.needSync(`decided block ${h} is not in the chain`);
    else if (have !== b.hashHex) this.o.logger?.error({ height: h, decided: b.hashHex, committed: have }, 'SAFETY: the decided block differs from the committed one');
    this.afterHeight(h);
    if (d.round > 0) {
      this.o.metrics?.consensusFallbackBlocksTotal.inc();
      this.o.logger?.info({ height: h, round: d.round }, `committed block ${h} in round ${d.round}`);
    }
  }

  /** Forgets what belongs to heights up to `h` and offers the proposals waiting for h + 1. */
  private afterHeight(h: number): void {
    this.wire.pruneTo(h);
    for (const p of this.proposals.committed(h)) void this.offerProposal(p);
    this.updateMetrics();
  }

  private onCoreEvidence(e: Evidence<Block>): void {
    const a = this.wire.get(e.a);
    const b = this.wire.get(e.b);
    if (!a || !b) return;
    const rec = this.evidence.add({ msg: e.a, bytes: a }, { msg: e.b, bytes: b });
    if (rec) this.publishVote(encodeEvidence(a, b));
    this.updateMetrics();
  }

  /** Evidence from gossip (already verified). */
  private addEvidence(a: SignedMessage, b: SignedMessage): void {
    const rec = this.evidence.add(a, b);
    if (!rec) return;
    this.o.logger?.warn({ validator: formatAddress(fromHex(rec.from, 20)), height: rec.height, round: rec.round, kind: rec.kind }, `equivocation: validator signed two different ${rec.kind}s at height ${rec.height} round ${rec.round} (evidence from a peer)`);
    this.o.metrics?.equivocationsTotal.inc();
    this.updateMetrics();
  }

  /**
   * Blocks fetched by sync (consecutive heights) with their commit certificates (`certs[i]` for
   * `blocks[i]`): each must carry > 2/3 of the stake's precommits for it; blocks we already have
   * must be the same. Then the core moves to the new height.
   * @returns how many blocks were imported; throws ImportError on an invalid block or certificate.
   */
  adoptBlocks(blocks: Uint8Array[], certs: Uint8Array[] = []): Promise<{ imported: number; forked: boolean }> {
    const pre = blocks.map((b) => this.chain.preverify(b));
    return this.serial(async () => {
      const imported = await importCertified(this.chain, { keys: this.keys, stakes: this.stakes }, blocks, certs, pre);
      if (imported > 0) await this.jump();
      return { imported, forked: false };
    });
  }

  /** The chain moved past the core's height (sync): restart the core after the head. */
  private async jump(): Promise<void> {
    const head = this.chain.headBlock().header.height;
    this.afterHeight(head);
    const d = this.driver;
    if (!d || d.core.height > head) return;
    this.driver = undefined;
    await d.stop();
    if (this.running) await this.startDriver();
  }

  /** Nothing to do since Tendermint: certificates come with each block (kept for the sync API). */
  addProof(_votes: Uint8Array[]): void {}

  private updateMetrics(): void {
    if (this.o.metrics) setFinalityGauges(this.o.metrics, this.stakes, this.evidence.stake(this.stakes), this.exclusions());
  }

  /** `consensus.finality` view (amounts as decimal strings). */
  view() {
    return finalityView({ chain: this.chain, evidence: this.evidence, stakes: this.stakes, core: this.driver?.core, status: this.driver?.status(), myHex: this.myHex, syncing: this.syncing });
  }
}
