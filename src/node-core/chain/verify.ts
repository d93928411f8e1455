/**
 * Block validation shared by import and replay, in two stages so that signature checking of
 * block N+1 (in the worker pool) can overlap applying block N:
 *  1. `preverifyBlock` — stateless: decode, proposer signature, every tx signature (batched
 *     through the VerifyPool, which also computes tx ids), chain ids, tx root.
 *  2. `applyBlock` — against the state: parent link, height, timestamp, then the block's run
 *     (chain/run.ts: module begin hooks, each tx strictly in order — any failure rejects the
 *     block —, module end hooks), and the resulting state root must equal the header's.
 */
import { Reason } from '../../shared/api/errors.js';
import { verify } from '../crypto/ed25519.js';
import { bytesEqual, fromHex, toHex } from '../crypto/hash.js';
import type { VerifyItem, VerifyPool } from '../crypto/verify-pool.js';
import { formatAddress } from './address.js';
import { decodeBlock, epochOf, txRoot, type Block } from './block.js';
import { CodecError } from './codec.js';
import type { Genesis } from './genesis.js';
import type { Address } from './module.js';
import type { ModuleSet } from './modules.js';
import { BlockRun, type ModuleStates, type RunResult } from './run.js';
import type { State } from './state.js';
import { domainTag } from './tx.js';

/** Blocks of at most this many txs have their proposer signature checked in the pool batch with them (preverifyBlock). */
export const PROPOSER_IN_BATCH_MAX = 64;

/** A block that failed validation; `reason` is stable, `message` says what and where. */
export class ImportError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Validator public keys by 40-hex address. */
export function validatorKeys(g: Genesis): Map<string, Uint8Array> {
  return new Map(g.validators.map((v) => [v.address.slice(3), fromHex(v.public_key, 32)]));
}

/** Validator stake by `tb1…` address (module hooks' `ctx.validators`). */
export function validatorStakes(g: Genesis): Map<Address, bigint> {
  return new Map(g.validators.map((v) => [v.address, BigInt(v.stake)]));
}

/**
 * Stage 1 (stateless). Resolves with the decoded block (tx ids filled in, module calls decoded).
 * @throws ImportError malformed_block | unknown_tx_kind | unknown_proposer | bad_block_signature | bad_signature | wrong_chain_id | bad_tx_root
 */
export async function preverifyBlock(bytes: Uint8Array, g: Genesis, validators: Map<string, Uint8Array>, pool: VerifyPool, modules: ModuleSet): Promise<Block> {
  const s = stageBlock(bytes, g, validators, modules);
  const r = await pool.verifyBatch(s.items, { withTxHash: true });
  return finishBlock(s, r.ok, r.hashes!, 0);
}

/** A decoded block waiting for its signature checks: its pool items (txs in order, then the proposer's when `inBatch`). */
interface Staged {
  block: Block;
  items: VerifyItem[];
  inBatch: boolean;
}

/** Decodes `bytes` and lists its signature checks (synchronous part of stage 1). @throws ImportError (see preverifyBlock) */
function stageBlock(bytes: Uint8Array, g: Genesis, validators: Map<string, Uint8Array>, modules: ModuleSet): Staged {
  let block: Block;
  try {
    block = decodeBlock(bytes, { deferTxHashes: true });
  } catch (err) {
    if (err instanceof CodecError) throw new ImportError('malformed_block', `malformed block: ${err.message}`);
    throw err;
  }
  const h = block.header;
  const where = `block ${h.height}`;
  const pk = validators.get(toHex(h.proposer));
  if (!pk) throw new ImportError('unknown_proposer', `${where}: proposer ${formatAddress(h.proposer)} is not a validator`);
  // A small block's proposer signature goes in the pool batch with its txs (a block of 10 txs
  // would otherwise spend as long on this one check on the main thread as the pool on all of
  // them); a big block's is checked first, so a forged block costs one check, not a batch.
  const inBatch = block.txs.length <= PROPOSER_IN_BATCH_MAX;
  if (!inBatch && !verify(block.signature, block.hash, pk)) throw new ImportError('bad_block_signature', `${where}: proposer signature does not verify`);
  block.txs.forEach((tx, i) => {
    if (tx.payload.chainId !== g.chain_id)
      throw new ImportError(Reason.wrong_chain_id, `${where}: a transaction is for chain id ${tx.payload.chainId}, not ${g.chain_id}`);
    try {
      modules.decode(tx);
    } catch (err) {
      if (!(err instanceof CodecError)) throw err;
      const reason = (err as { reason?: string }).reason ?? 'malformed_block';
      throw new ImportError(reason, `${where}: transaction ${i}: ${err.message}`);
    }
  });
  const tag = domainTag(g.chain_id);
  const items: VerifyItem[] = block.txs.map((tx) => ({ publicKey: tx.publicKey, signature: tx.signature, prefix: tag, message: tx.payloadBytes }));
  // The proposer's item is last, so tx i keeps index i; its "tx id" from the worker is unused.
  if (inBatch) items.push({ publicKey: pk, signature: block.signature, message: block.hash });
  return { block, items, inBatch };
}

/**
 * Takes a staged block's pool results (its items start at `at` in `ok` and, 32 bytes each, in `hashes`).
 * @throws ImportError bad_block_signature | bad_signature | bad_tx_root
 */
function finishBlock(s: Staged, ok: Uint8Array, hashes: Uint8Array, at: number): Block {
  const { block, inBatch } = s;
  const n = block.txs.length;
  const where = `block ${block.header.height}`;
  if (inBatch && ok[at + n] !== 1) throw new ImportError('bad_block_signature', `${where}: proposer signature does not verify`);
  const ids: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const id = hashes.subarray(32 * (at + i), 32 * (at + i) + 32);
    block.txs[i].hash = toHex(id);
    block.txs[i].idBytes = id;
    ids.push(id);
    if (ok[at + i] !== 1) throw new ImportError(Reason.bad_signature, `${where}: transaction ${i} (${block.txs[i].hash}) has a bad signature`);
  }
  if (!bytesEqual(txRoot(ids), block.header.txRoot)) throw new ImportError('bad_tx_root', `${where}: tx root does not match its transactions`);
  return block;
}

/** Most signatures one pooled preverification batch carries (PreverifyBatcher). */
export const PREVERIFY_BATCH_ITEMS = 512;

/**
 * Stage 1 for many blocks at once: the blocks handed to `add` in one synchronous run (a sync
 * range) share pool batches of up to PREVERIFY_BATCH_ITEMS signatures, so a 10-tx block costs
 * a fraction of a worker round trip instead of one per worker (measured: ~0.2–0.3 ms of CPU
 * per block less on 2 cores). A lone block (a proposal, a gossiped block) goes out at the end
 * of the current microtask queue, as soon as before. Same checks and errors as preverifyBlock.
 */
export class PreverifyBatcher {
  private pending: { s: Staged; resolve: (b: Block) => void; reject: (e: unknown) => void }[] = [];
  private items = 0;

  constructor(private readonly o: { genesis: Genesis; validators: Map<string, Uint8Array>; pool: VerifyPool; modules: ModuleSet }) {}

  /** Starts stage 1 of `bytes`. @throws (rejects with) ImportError, see preverifyBlock */
  add(bytes: Uint8Array): Promise<Block> {
    let s: Staged;
    try {
      s = stageBlock(bytes, this.o.genesis, this.o.validators, this.o.modules);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<Block>((resolve, reject) => {
      if (this.pending.length === 0) queueMicrotask(() => this.flush());
      this.pending.push({ s, resolve, reject });
      this.items += s.items.length;
      if (this.items >= PREVERIFY_BATCH_ITEMS) this.flush();
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.items = 0;
    this.o.pool.verifyBatch(batch.flatMap((p) => p.s.items), { withTxHash: true }).then(
      (r) => {
        let at = 0;
        for (const p of batch) {
          try {
            p.resolve(finishBlock(p.s, r.ok, r.hashes!, at));
          } catch (err) {
            p.reject(err);
          }
          at += p.s.items.length;
        }
      },
      (err: unknown) => {
        for (const p of batch) p.reject(err);
      },
    );
  }
}

/**
 * Stage 2: applies a preverified block on top of `parent` to a staged overlay of `state`.
 * @param o.modules the registry and the module states after `parent`; o.validators stake by address;
 *   o.slot the proposer-slot and evidence rules of multi-validator chains (chain/consensus.ts
 *   checkSlot, passed in so this file does not depend on consensus): it gets the module states
 *   before the block and returns the validators its evidence excludes (chain/exclusions.ts).
 * @returns the run's result (install with `state.commit` after the DB commit).
 * @throws ImportError bad_parent | bad_height | bad_timestamp | bad_slot | bad_epoch | unexpected_evidence | <slot or evidence reason> | <tx or module refusal reason> | bad_state_root
 */
export function applyBlock(
  block: Block,
  parent: Block,
  state: State,
  o: { checkStateRoot?: boolean; modules: { set: ModuleSet; states: ModuleStates }; validators: ReadonlyMap<Address, bigint>; slot?: (block: Block, parent: Block, before: ModuleStates) => readonly string[] | void },
): RunResult {
  const h = block.header;
  const where = `block ${h.height}`;
  if (h.height !== parent.header.height + 1) throw new ImportError('bad_height', `${where} does not follow the head ${parent.header.height}`);
  if (!bytesEqual(h.parentHash, parent.hash)) throw new ImportError('bad_parent', `${where}: parent hash is not the hash of block ${parent.header.height}`);
  if (h.timestampMs <= parent.header.timestampMs) throw new ImportError('bad_timestamp', `${where}: timestamp is not after its parent's`);
  if (!o.slot && block.evidence.length > 0) throw new ImportError('unexpected_evidence', `${where}: a single-validator chain takes no evidence`);
  const excludes = o.slot?.(block, parent, o.modules.states) ?? [];
  if (h.epoch !== epochOf(h.height)) throw new ImportError('bad_epoch', `${where}: epoch ${h.epoch} should be ${epochOf(h.height)}`);
  const run = new BlockRun(state, o.modules.set, o.modules.states, { height: h.height, timestampMs: h.timestampMs, proposerHex: toHex(h.proposer), validators: o.validators, excludes }).begin();
  block.txs.forEach((tx, i) => {
    const f = run.apply(tx, i);
    if (f) throw new ImportError(f.reason, `${where}: transaction ${i} (${tx.hash}) cannot apply: ${f.message}`);
  });
  const r = run.end();
  if ((o.checkStateRoot ?? true) && !bytesEqual(r.stateRoot, h.stateRoot))
    throw new ImportError('bad_state_root', `${where}: state root ${toHex(h.stateRoot)} in the header, ${toHex(r.stateRoot)} after applying`);
  return r;
}
