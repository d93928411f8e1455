// Evidence committed in blocks (issue 10): the block codec carries it under the header's
// evidence_root, checkSlot/checkEvidence refuse every kind of bad evidence with a named
// ImportError, a proposer selects only what is valid, and the chain's consensus state records the
// exclusion from the next height on (and round-trips through its codec).
import { describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { decodeBlock, makeBlock, MAX_BLOCK_EVIDENCE, ZERO_HASH, type Block } from '../../../src/node-core/chain/block.js';
import { decodeCanonical, encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { checkSlot, ValidatorSet } from '../../../src/node-core/chain/consensus.js';
import { excludedAt, exclusionsModule, withExclusions, type Exclusions } from '../../../src/node-core/chain/exclusions.js';
import { ModuleSet } from '../../../src/node-core/chain/modules.js';
import { emptyModuleStates, type ModuleStates } from '../../../src/node-core/chain/run.js';
import { checkEvidence, MAX_EVIDENCE_AGE, selectEvidence } from '../../../src/node-core/chain/tendermint/committed-evidence.js';
import type { Equivocation } from '../../../src/node-core/chain/tendermint/evidence-book.js';
import { encodeEvidence, signMessage } from '../../../src/node-core/chain/tendermint/wire.js';
import { ImportError } from '../../../src/node-core/chain/verify.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { toHex } from '../../../src/node-core/crypto/hash.js';

const CHAIN = 77;
const kp = () => {
  const k = generateKeys();
  return { ...k, address: addressOf(k.publicKey), hex: addressOf(k.publicKey).slice(3) };
};
const vals = [kp(), kp(), kp(), kp()];
const outsider = kp();
const set = new ValidatorSet({ chain_id: CHAIN, validators: vals.map((v) => ({ address: v.address, public_key: toHex(v.publicKey), stake: '1000' })) });
const H = (n: number) => toHex(new Uint8Array(32).fill(n));

/** A signed prevote (or precommit) of `by` (signing key `key`, default its own). */
function vote(by: ReturnType<typeof kp>, o: { height?: number; round?: number; id?: string | null; type?: 'prevote' | 'precommit'; chainId?: number; key?: Uint8Array } = {}): Uint8Array {
  return signMessage(o.chainId ?? CHAIN, { type: o.type ?? 'prevote', height: o.height ?? 2, round: o.round ?? 0, id: o.id === undefined ? H(1) : o.id, from: by.hex }, o.key ?? by.secretKey);
}
/** Two conflicting prevotes of `by` at (height, 0). */
const pair = (by: ReturnType<typeof kp>, height = 2) => encodeEvidence(vote(by, { height }), vote(by, { height, id: H(2) }));

function block(height: number, evidence: Uint8Array[], proposer = vals[0]): Block {
  return makeBlock({ height, parentHash: ZERO_HASH, timestampMs: 1000 + height, proposer: Buffer.from(proposer.hex, 'hex'), txRoot: ZERO_HASH, stateRoot: ZERO_HASH, epoch: 0, txCount: 0 }, [], proposer.secretKey, evidence);
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof ImportError) return err.reason;
    throw err;
  }
  return 'accepted';
}
const check = (b: Block, before: Exclusions = []) => refusal(() => checkEvidence(b, before, set.evidenceRules));

function states(ex: Exclusions): ModuleStates {
  const m = emptyModuleStates(new ModuleSet());
  return { states: new Map([...m.states, ['consensus', ex]]), hashes: m.hashes };
}

describe('committed evidence', () => {
  it('a block carries evidence under its evidence_root; a block without keeps the old 8-field form', () => {
    const plain = block(3, []);
    expect((decodeCanonical(plain.bytes, 'b') as unknown[]).length).toBe(3);
    expect(((decodeCanonical(plain.bytes, 'b') as unknown[])[0] as unknown[]).length).toBe(8);
    const b = block(3, [pair(vals[3])]);
    const d = decodeBlock(b.bytes);
    expect(d.hashHex).toBe(b.hashHex);
    expect(d.evidence).toEqual(b.evidence);
    expect(d.hashHex).not.toBe(plain.hashHex);
    // Swapping the evidence without the root: the block does not decode.
    const top = decodeCanonical(b.bytes, 'b') as unknown[];
    top[3] = [pair(vals[2])];
    expect(() => decodeBlock(encodeCanonical(top))).toThrow(/evidence_root/);
    top[3] = [];
    expect(() => decodeBlock(encodeCanonical(top))).toThrow(/evidence items/);
    top[3] = Array.from({ length: MAX_BLOCK_EVIDENCE + 1 }, () => pair(vals[3]));
    expect(() => decodeBlock(encodeCanonical(top))).toThrow(/evidence items/);
  });

  it('accepts a valid proof and names the accused', () => {
    expect(checkEvidence(block(3, [pair(vals[3])]), [], set.evidenceRules)).toEqual([vals[3].hex]);
    expect(check(block(2, [pair(vals[3], 2)]))).toBe('accepted'); // evidence of the block's own height
  });

  it('refuses every kind of bad evidence by name', () => {
    expect(check(block(3, [Uint8Array.of(0x83, 3, 1)]))).toBe('evidence_malformed');
    expect(check(block(3, [encodeEvidence(vote(vals[3], { chainId: 9 }), vote(vals[3], { chainId: 9, id: H(2) }))]))).toBe('evidence_wrong_chain');
    expect(check(block(3, [pair(outsider)]))).toBe('evidence_unknown_validator');
    expect(check(block(3, [encodeEvidence(vote(vals[3]), vote(vals[3], { round: 1, id: H(2) }))]))).toBe('evidence_slot_mismatch');
    expect(check(block(3, [encodeEvidence(vote(vals[3]), vote(vals[3], { type: 'precommit', id: H(2) }))]))).toBe('evidence_slot_mismatch');
    expect(check(block(3, [encodeEvidence(vote(vals[3]), vote(vals[2], { id: H(2) }))]))).toBe('evidence_slot_mismatch');
    expect(check(block(3, [encodeEvidence(vote(vals[3]), vote(vals[3]))]))).toBe('evidence_same_value');
    expect(check(block(3, [encodeEvidence(vote(vals[3]), vote(vals[3], { id: H(2), key: vals[2].secretKey }))]))).toBe('evidence_bad_signature');
    expect(check(block(3, [pair(vals[3], 4)]))).toBe('evidence_from_future');
    expect(check(block(3 + MAX_EVIDENCE_AGE, [pair(vals[3], 2)]))).toBe('evidence_too_old');
    expect(check(block(3 + MAX_EVIDENCE_AGE - 1, [pair(vals[3], 2)]))).toBe('accepted');
    expect(check(block(5, [pair(vals[3])]), [{ addrHex: vals[3].hex, fromHeight: 3 }])).toBe('evidence_already_excluded');
    expect(check(block(5, [pair(vals[3]), encodeEvidence(vote(vals[3], { round: 2 }), vote(vals[3], { round: 2, id: null }))]))).toBe('evidence_already_excluded');
    // 1000 + 1000 of 4000 excluded would be 1/2 ≥ 1/3: the cap keeps a quorum of the rest reachable.
    expect(check(block(5, [pair(vals[3])]), [{ addrHex: vals[2].hex, fromHeight: 3 }])).toBe('evidence_exclusion_cap');
    expect(check(block(5, [pair(vals[3]), pair(vals[2])]))).toBe('evidence_exclusion_cap');
    expect(check(block(3, Array.from({ length: MAX_BLOCK_EVIDENCE + 1 }, () => pair(vals[3]))))).toBe('malformed_block');
  });

  it('checkSlot: a single-validator chain takes no evidence; an excluded validator builds no block', () => {
    const one = new ValidatorSet({ chain_id: CHAIN, validators: [{ address: vals[0].address, public_key: toHex(vals[0].publicKey), stake: '1' }] });
    const b = block(3, [pair(vals[3])]);
    expect(refusal(() => checkSlot(b, b, one, 1000, states([])))).toBe('unexpected_evidence');
    expect(checkSlot(b, b, set, 1000, states([]))).toEqual([vals[3].hex]);
    const byExcluded = block(4, [], vals[3]);
    expect(refusal(() => checkSlot(byExcluded, byExcluded, set, 1000, states([{ addrHex: vals[3].hex, fromHeight: 4 }])))).toBe('excluded_proposer');
    expect(refusal(() => checkSlot(byExcluded, byExcluded, set, 1000, states([{ addrHex: vals[3].hex, fromHeight: 5 }])))).toBe('accepted');
  });

  it('proposer(h, r) runs over the active validators', () => {
    expect(set.proposer(1, 0, new Set()).addrHex).toBe(vals[1].hex);
    const ex = new Set([vals[1].hex]);
    expect([0, 1, 2, 3].map((r) => set.proposer(1, r, ex).addrHex)).toEqual([vals[2].hex, vals[3].hex, vals[0].hex, vals[2].hex]);
  });

  it('a proposer selects pending proofs that are not excluded, not too old and within the cap', () => {
    const eq = (by: ReturnType<typeof kp>, height: number): Equivocation => ({ from: by.hex, kind: 'prevote', height, round: 0, a: { msg: { type: 'prevote', height, round: 0, id: H(1), from: by.hex }, bytes: vote(by, { height }) }, b: { msg: { type: 'prevote', height, round: 0, id: H(2), from: by.hex }, bytes: vote(by, { height, id: H(2) }) }, detectedAtMs: 0 });
    const stakes = set.evidenceRules.stakes;
    const picked = selectEvidence([eq(vals[3], 2), eq(vals[2], 2)], [], 5, stakes);
    expect(picked.accused).toEqual([vals[3].hex]); // the second would pass the cap
    expect(check(block(5, picked.items))).toBe('accepted');
    expect(selectEvidence([eq(vals[3], 2)], [{ addrHex: vals[3].hex, fromHeight: 3 }], 5, stakes).items).toEqual([]);
    expect(selectEvidence([eq(vals[3], 2)], [], 3 + MAX_EVIDENCE_AGE, stakes).items).toEqual([]);
    expect(selectEvidence([eq(vals[3], 9)], [], 5, stakes).items).toEqual([]);
  });

  it('the consensus state records the exclusion from the next height on and round-trips its codec', () => {
    const s = withExclusions([], [vals[3].hex], 7);
    expect(s).toEqual([{ addrHex: vals[3].hex, fromHeight: 8 }]);
    expect(excludedAt(s, 7).size).toBe(0);
    expect([...excludedAt(s, 8)]).toEqual([vals[3].hex]);
    const bytes = encodeCanonical(exclusionsModule.state.encode(s));
    expect(exclusionsModule.state.decode(decodeCanonical(bytes, 's'))).toEqual(s);
    expect(() => exclusionsModule.state.decode(exclusionsModule.state.encode([...s, ...s]))).toThrow(/twice/);
    expect(() => new ModuleSet([{ ...exclusionsModule }])).toThrow(/consensus/);
  });
});
