/**
 * Evidence committed in blocks (issue 10: an equivocator's stake is excluded, the same way on
 * every node). A proposer puts pending proofs (evidence-book.ts) into its block (`selectEvidence`);
 * import, checkBlock and replay check each item (`checkEvidence`, through chain/consensus.ts
 * checkSlot) and the block's run records the accused as excluded from the next height on
 * (chain/exclusions.ts, in the state root). The validator set of height h is therefore a pure
 * function of the blocks below h.
 *
 * An item is accepted when (else ImportError with the reason in brackets):
 *  - it decodes as an evidence message of two signed messages [evidence_malformed];
 *  - both are for this chain id [evidence_wrong_chain] and from a validator of genesis
 *    [evidence_unknown_validator], same sender, type, height and round [evidence_slot_mismatch],
 *    for different values [evidence_same_value];
 *  - both signatures verify under the accused's key [evidence_bad_signature];
 *  - its height is at most the block's [evidence_from_future] and at most MAX_EVIDENCE_AGE below
 *    it [evidence_too_old];
 *  - the accused is not excluded yet, nor accused twice in the block [evidence_already_excluded];
 *  - the safety cap (below) holds [evidence_exclusion_cap].
 * A block carries at most MAX_BLOCK_EVIDENCE items (block.ts; more is malformed_block).
 * Single-validator chains take no evidence [unexpected_evidence].
 *
 * Safety cap: exclusions never take away 1/3 or more of the genesis stake (excluded × 3 < total).
 * So the active stake always stays above 2/3 of the total: a quorum (> 2/3 of the active stake)
 * stays reachable by the honest validators the BFT assumption (faulty < 1/3) guarantees, and
 * proofs beyond the cap (the assumption is already broken) are still kept, gossiped and shown but
 * change no quorum.
 */
import type { Block } from '../block.js';
import { MAX_BLOCK_EVIDENCE } from '../block.js';
import { CodecError } from '../codec.js';
import { excludedAt, type Exclusions } from '../exclusions.js';
import { ImportError } from '../verify.js';
import { encodeEvidence, parseEvidence, signatureHolds, type ParsedMessage } from './wire.js';
import type { Equivocation } from './evidence-book.js';

/** Oldest evidence a block may commit, in heights below the block. */
export const MAX_EVIDENCE_AGE = 10_000;

export interface EvidenceRules {
  chainId: number;
  /** Public key (32 bytes) by 40-hex validator address. */
  keys: ReadonlyMap<string, Uint8Array>;
  /** Genesis stake by 40-hex validator address. */
  stakes: ReadonlyMap<string, bigint>;
}

function totalOf(stakes: ReadonlyMap<string, bigint>): bigint {
  let t = 0n;
  for (const s of stakes.values()) t += s;
  return t;
}

/** Whether excluding `ids` keeps the cap: excluded stake × 3 < total stake. */
export function withinCap(ids: Iterable<string>, stakes: ReadonlyMap<string, bigint>): boolean {
  let x = 0n;
  for (const id of ids) x += stakes.get(id) ?? 0n;
  return x * 3n < totalOf(stakes);
}

/**
 * Checks a block's evidence against the exclusions before it (see the module doc).
 * @returns the accused validators (40-hex), in block order.
 * @throws ImportError with one of the reasons listed above.
 */
export function checkEvidence(block: Block, before: Exclusions, r: EvidenceRules): string[] {
  const h = block.header.height;
  const where = `block ${h}`;
  if (block.evidence.length > MAX_BLOCK_EVIDENCE) throw new ImportError('malformed_block', `${where}: more than ${MAX_BLOCK_EVIDENCE} evidence items`);
  const excluded = excludedAt(before);
  const accused: string[] = [];
  block.evidence.forEach((bytes, i) => {
    const at = `${where}: evidence ${i}`;
    let a: ParsedMessage, b: ParsedMessage;
    try {
      [a, b] = parseEvidence(bytes);
    } catch (err) {
      if (err instanceof CodecError) throw new ImportError('evidence_malformed', `${at} does not decode: ${err.message}`);
      throw err;
    }
    const x = a.msg;
    const y = b.msg;
    if (a.chainId !== r.chainId || b.chainId !== r.chainId) throw new ImportError('evidence_wrong_chain', `${at} is signed for chain id ${a.chainId !== r.chainId ? a.chainId : b.chainId}, not ${r.chainId}`);
    const pk = r.keys.get(x.from);
    if (!pk) throw new ImportError('evidence_unknown_validator', `${at} accuses ${x.from}, which is not a validator`);
    if (y.from !== x.from || y.type !== x.type || y.height !== x.height || y.round !== x.round)
      throw new ImportError('evidence_slot_mismatch', `${at}: the two messages are not of one validator in one (height, round, step)`);
    const same = x.type === 'proposal' && y.type === 'proposal' ? x.value.hashHex === y.value.hashHex && x.validRound === y.validRound : x.type !== 'proposal' && y.type !== 'proposal' && x.id === y.id;
    if (same) throw new ImportError('evidence_same_value', `${at}: the two messages are for the same value`);
    if (!signatureHolds(a, pk) || !signatureHolds(b, pk)) throw new ImportError('evidence_bad_signature', `${at}: a signature does not verify under the key of ${x.from}`);
    if (x.height > h) throw new ImportError('evidence_from_future', `${at} is from height ${x.height}, above the block`);
    if (x.height + MAX_EVIDENCE_AGE < h) throw new ImportError('evidence_too_old', `${at} is from height ${x.height}, more than ${MAX_EVIDENCE_AGE} heights below the block`);
    if (excluded.has(x.from)) throw new ImportError('evidence_already_excluded', `${at} accuses ${x.from}, which is already excluded`);
    excluded.add(x.from);
    if (!withinCap(excluded, r.stakes)) throw new ImportError('evidence_exclusion_cap', `${at}: excluding ${x.from} would exclude 1/3 or more of the stake`);
    accused.push(x.from);
  });
  return accused;
}

/** The accused of a block already checked (cheap: no signature check). */
export function accusedOf(block: Block): string[] {
  return block.evidence.map((bytes) => parseEvidence(bytes)[0].msg.from);
}

/**
 * Pending proofs a proposer at `height` commits: not excluded yet, not too old, within the cap, at
 * most MAX_BLOCK_EVIDENCE; in the book's order.
 */
export function selectEvidence(book: readonly Equivocation[], before: Exclusions, height: number, stakes: ReadonlyMap<string, bigint>): { items: Uint8Array[]; accused: string[] } {
  const excluded = excludedAt(before);
  const items: Uint8Array[] = [];
  const accused: string[] = [];
  for (const e of book) {
    if (items.length >= MAX_BLOCK_EVIDENCE) break;
    if (excluded.has(e.from) || e.height > height || e.height + MAX_EVIDENCE_AGE < height) continue;
    if (!withinCap([...excluded, e.from], stakes)) continue;
    excluded.add(e.from);
    items.push(encodeEvidence(e.a.bytes, e.b.bytes));
    accused.push(e.from);
  }
  return { items, accused };
}

/** Active stake by validator at a height: genesis stakes without the excluded ones. */
export function activeStakes(stakes: ReadonlyMap<string, bigint>, excluded: ReadonlySet<string>): Map<string, bigint> {
  return new Map([...stakes].filter(([id]) => !excluded.has(id)));
}

