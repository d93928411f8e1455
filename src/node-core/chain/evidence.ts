/**
 * Equivocation evidence at rest (chain DB metadata `equivocations`): canonical CBOR list of
 * `[vote a bytes, vote b bytes]` pairs. Loading re-verifies both signatures and the conflict, so a
 * tampered record cannot exclude an honest validator.
 */
import { bytesEqual } from '../crypto/hash.js';
import { asArray, asBytes, decodeCanonical, encodeCanonical } from './codec.js';
import type { ValidatorSet } from './consensus.js';
import type { Equivocation } from './finality.js';
import { decodeVote, verifyVote, voteView } from './vote.js';

export function encodeEvidence(list: readonly Equivocation[]): Uint8Array {
  return encodeCanonical(list.map((e) => [e.votes[0].bytes, e.votes[1].bytes]));
}

/**
 * Decodes stored evidence; pairs that do not prove an equivocation of a validator are dropped.
 * @throws CodecError when the record is not a list of vote pairs.
 */
export function decodeEvidence(bytes: Uint8Array, set: ValidatorSet, nowMs = Date.now()): Equivocation[] {
  const out: Equivocation[] = [];
  for (const pair of asArray(decodeCanonical(bytes, 'equivocations'), 'equivocations')) {
    const [a, b] = asArray(pair, 'equivocation', 2).map((x) => decodeVote(asBytes(x, 'vote')));
    const val = set.get(a.validatorHex);
    if (!val || a.validatorHex !== b.validatorHex || a.height !== b.height || bytesEqual(a.hash, b.hash)) continue;
    if (!verifyVote(a, val.publicKey) || !verifyVote(b, val.publicKey)) continue;
    out.push({ validator: voteView(a).validator, validatorHex: a.validatorHex, height: a.height, votes: [a, b], detectedAtMs: nowMs });
  }
  return out;
}
