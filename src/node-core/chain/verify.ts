/**
 * Block validation shared by import and replay, in two stages so that signature checking of
 * block N+1 (in the worker pool) can overlap applying block N:
 *  1. `preverifyBlock` — stateless: decode, proposer signature, every tx signature (batched
 *     through the VerifyPool, which also computes tx ids), chain ids, tx root.
 *  2. `applyBlock` — against the state: parent link, height, timestamp, then each tx strictly in
 *     order (any failure rejects the block), and the resulting state root must equal the header's.
 */
import { Reason } from '../../shared/api/errors.js';
import { verify } from '../crypto/ed25519.js';
import { bytesEqual, fromHex, toHex } from '../crypto/hash.js';
import type { VerifyPool } from '../crypto/verify-pool.js';
import { formatAddress } from './address.js';
import { applyTx } from './apply.js';
import { decodeBlock, epochOf, txRoot, type Block } from './block.js';
import { CodecError } from './codec.js';
import { checkSlot, type ValidatorSet } from './consensus.js';
import type { Genesis } from './genesis.js';
import { combinedRoot, EMPTY_GOV, govEpochStep, GovIntentError, govVote, type GovState } from './gov-intent.js';
import type { Prepared, State } from './state.js';
import { domainTag, type SignedTx } from './tx.js';

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

/**
 * Stage 1 (stateless). Resolves with the decoded block (tx ids filled in).
 * @throws ImportError malformed_block | unknown_proposer | bad_block_signature | bad_signature | wrong_chain_id | bad_tx_root
 */
export async function preverifyBlock(bytes: Uint8Array, g: Genesis, validators: Map<string, Uint8Array>, pool: VerifyPool): Promise<Block> {
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
  if (!verify(block.signature, block.hash, pk)) throw new ImportError('bad_block_signature', `${where}: proposer signature does not verify`);
  for (const tx of block.txs) {
    if (tx.payload.chainId !== g.chain_id)
      throw new ImportError(Reason.wrong_chain_id, `${where}: a transaction is for chain id ${tx.payload.chainId}, not ${g.chain_id}`);
  }
  const tag = domainTag(g.chain_id);
  const items = block.txs.map((tx) => ({ publicKey: tx.publicKey, signature: tx.signature, prefix: tag, message: tx.payloadBytes }));
  const r = await pool.verifyBatch(items, { withTxHash: true });
  const ids: Uint8Array[] = [];
  for (let i = 0; i < block.txs.length; i++) {
    const id = r.hashes!.subarray(32 * i, 32 * i + 32);
    block.txs[i].hash = toHex(id);
    block.txs[i].idBytes = id;
    ids.push(id);
    if (r.ok[i] !== 1) throw new ImportError(Reason.bad_signature, `${where}: transaction ${i} (${block.txs[i].hash}) has a bad signature`);
  }
  if (!bytesEqual(txRoot(ids), h.txRoot)) throw new ImportError('bad_tx_root', `${where}: tx root does not match its transactions`);
  return block;
}

/** A block applied on top of its parent: the account changes plus the governance state after it. */
export interface AppliedBlock extends Prepared {
  /** Governance state after the block (the same object as the input when unchanged). */
  gov: GovState;
  govChanged: boolean;
  /** Header state root: accounts root combined with the governance state (gov-intent.ts). */
  stateRoot: Uint8Array;
}

/**
 * Governance fold of one block (shared by production, import and replay): the epoch-boundary
 * step, then each intent tx's vote in order.
 * @throws GovIntentError for an intent that cannot apply (tx index in `message`).
 */
export function foldGovBlock(gov: GovState, height: number, txs: readonly SignedTx[], stake: ReadonlyMap<string, bigint>): GovState {
  let g = govEpochStep(gov, height, stake);
  for (const tx of txs) if (tx.payload.intent) g = govVote(g, height, { sender: tx.fromAddress.slice(3), intent: tx.payload.intent }, stake);
  return g;
}

/**
 * Stage 2: applies a preverified block on top of `parent` to a staged overlay of `state`.
 * @param o.gov governance state before the block (default empty); o.stake validator stakes (gov-intent.ts stakeMap);
 *   o.slot the proposer-slot rule of multi-validator chains (chain/consensus.ts).
 * @returns the prepared state change (install with `state.commit` after the DB commit) and the governance state after it.
 * @throws ImportError bad_parent | bad_height | bad_timestamp | bad_slot | bad_epoch | <tx failure reason> | not_validator | intent_too_late | duplicate_vote | bad_state_root
 */
export function applyBlock(
  block: Block,
  parent: Block,
  state: State,
  o: { checkStateRoot?: boolean; gov?: GovState; stake?: ReadonlyMap<string, bigint>; slot?: { set: ValidatorSet; blockTimeMs: number } } = {},
): AppliedBlock {
  const h = block.header;
  const where = `block ${h.height}`;
  if (h.height !== parent.header.height + 1) throw new ImportError('bad_height', `${where} does not follow the head ${parent.header.height}`);
  if (!bytesEqual(h.parentHash, parent.hash)) throw new ImportError('bad_parent', `${where}: parent hash is not the hash of block ${parent.header.height}`);
  if (h.timestampMs <= parent.header.timestampMs) throw new ImportError('bad_timestamp', `${where}: timestamp is not after its parent's`);
  if (o.slot) checkSlot(block, parent, o.slot.set, o.slot.blockTimeMs);
  if (h.epoch !== epochOf(h.height)) throw new ImportError('bad_epoch', `${where}: epoch ${h.epoch} should be ${epochOf(h.height)}`);
  const ov = state.begin();
  const proposerHex = toHex(h.proposer);
  block.txs.forEach((tx, i) => {
    const f = applyTx(ov, tx, proposerHex);
    if (f) throw new ImportError(f.reason, `${where}: transaction ${i} (${tx.hash}) cannot apply: ${f.message}`);
  });
  const gov0 = o.gov ?? EMPTY_GOV;
  let gov: GovState;
  try {
    gov = foldGovBlock(gov0, h.height, block.txs, o.stake ?? new Map());
  } catch (err) {
    if (err instanceof GovIntentError) throw new ImportError(err.reason, `${where}: ${err.message}`);
    throw err;
  }
  const prepared = state.prepare(ov);
  const stateRoot = combinedRoot(prepared.root, gov);
  if ((o.checkStateRoot ?? true) && !bytesEqual(stateRoot, h.stateRoot))
    throw new ImportError('bad_state_root', `${where}: state root ${toHex(h.stateRoot)} in the header, ${toHex(stateRoot)} after applying`);
  return { ...prepared, gov, govChanged: gov !== gov0, stateRoot };
}
