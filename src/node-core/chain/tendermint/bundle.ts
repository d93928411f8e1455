/**
 * Receiving a re-gossip bundle (wire.ts `encodeBundle`): its messages are handled one by one, a
 * proposal (second byte 0) as a block, the rest as votes or evidence. A bundle inside a bundle,
 * an undecodable bundle, or any rejected vote rejects the whole bundle.
 */
import type { Verdict } from '../dev-follow.js';
import { decodeBundle, isBundle } from './wire.js';

/**
 * @param onProposal handles a proposal's bytes (its outcome does not count).
 * @param onVote handles a vote or evidence message's bytes.
 * @returns 'reject' on a bad bundle or rejected vote, else 'accept' when any vote was accepted, else 'ignore'.
 */
export function handleBundle(bytes: Uint8Array, onProposal: (m: Uint8Array) => void, onVote: (m: Uint8Array) => Verdict): Verdict {
  let list: Uint8Array[];
  try {
    list = decodeBundle(bytes);
  } catch {
    return 'reject';
  }
  let v: Verdict = 'ignore';
  for (const m of list) {
    if (isBundle(m)) return 'reject';
    if (m.length > 2 && m[1] === 0) onProposal(m);
    else {
      const r = onVote(m);
      if (r === 'reject') return 'reject';
      if (r === 'accept') v = 'accept';
    }
  }
  return v;
}
