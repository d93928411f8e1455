// Pure consensus rules: proposer ranks and slots, the 2/3 threshold, the finality decision with
// votes for descendants, equivocation (proof, stake excluded, threshold recomputed), vote codec.
import { describe, expect, it } from 'vitest';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { checkSlot, earliestSlotMs, finalityThreshold, ValidatorSet } from '../../../src/node-core/chain/consensus.js';
import { FinalityTracker } from '../../../src/node-core/chain/finality.js';
import { makeBlock, ZERO_HASH, type Block } from '../../../src/node-core/chain/block.js';
import { ImportError } from '../../../src/node-core/chain/verify.js';
import { decodeVote, signVote, verifyVote, type Vote } from '../../../src/node-core/chain/vote.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { blake3, fromHex, toHex } from '../../../src/node-core/crypto/hash.js';

const keys = [generateKeys(), generateKeys(), generateKeys(), generateKeys()];
const addr = (i: number) => addressOf(keys[i].publicKey);
function set(stakes: string[]): ValidatorSet {
  return new ValidatorSet({ validators: stakes.map((stake, i) => ({ address: addr(i), public_key: toHex(keys[i].publicKey), stake })) });
}
const hashOf = (h: number, fork = 'a') => blake3(new TextEncoder().encode(`${fork}${h}`));
function vote(i: number, height: number, fork = 'a'): Vote {
  return signVote({ chainId: 7, height, hash: hashOf(height, fork), validator: fromHex(addr(i).slice(3), 20), secretKey: keys[i].secretKey });
}
/** Canonical chain "a": hash at height h. */
const canonical = (h: number) => toHex(hashOf(h));

describe('proposer schedule', () => {
  it('gives every validator its turn and one block time more per fallback rank', () => {
    const s = set(['1', '1', '1']);
    expect([0, 1, 2, 3].map((h) => s.primary(h).address)).toEqual([addr(0), addr(1), addr(2), addr(0)]);
    expect([0, 1, 2].map((i) => s.rank(4, addr(i).slice(3)))).toEqual([2, 0, 1]);
    expect(s.rank(4, 'ff'.repeat(20))).toBe(-1);
    expect(earliestSlotMs(10_000, 300, 0)).toBe(10_300);
    expect(earliestSlotMs(10_000, 300, 2)).toBe(10_900);
  });

  it('rejects a block proposed before its rank\'s slot, accepts it at the slot', () => {
    const s = set(['1', '1', '1']);
    const parent = makeBlock({ height: 3, parentHash: ZERO_HASH, timestampMs: 10_000, proposer: new Uint8Array(20), txRoot: ZERO_HASH, stateRoot: ZERO_HASH, epoch: 0, txCount: 0 }, []);
    const at = (proposer: number, ts: number): Block =>
      makeBlock({ height: 4, parentHash: parent.hash, timestampMs: ts, proposer: fromHex(addr(proposer).slice(3), 20), txRoot: ZERO_HASH, stateRoot: ZERO_HASH, epoch: 0, txCount: 0 }, [], keys[proposer].secretKey);
    expect(() => checkSlot(at(1, 10_300), parent, s, 300)).not.toThrow(); // rank 0
    expect(() => checkSlot(at(2, 10_599), parent, s, 300)).toThrow(ImportError); // rank 1, early
    expect(() => checkSlot(at(2, 10_600), parent, s, 300)).not.toThrow();
    expect(() => checkSlot(at(0, 10_899), parent, s, 300)).toThrow(/may not propose before 10900/);
    // One validator: the v1 rule (no slots).
    expect(() => checkSlot(at(0, 10_001), parent, set(['1']), 300)).not.toThrow();
  });
});

describe('finality threshold', () => {
  it.each([
    [3n, 2n],
    [2n, 2n],
    [4n, 3n],
    [3000n, 2000n],
    [2000n, 1334n],
    [1n, 1n],
    [0n, 0n],
  ])('effective %s needs %s', (eff, need) => {
    expect(finalityThreshold(eff)).toBe(need);
    // The threshold is the least s with s × 3 ≥ eff × 2.
    if (need > 0n) expect((need - 1n) * 3n < eff * 2n && need * 3n >= eff * 2n).toBe(true);
  });
});

describe('FinalityTracker', () => {
  it('finalizes at 2/3 of the stake, not below', () => {
    const t = new FinalityTracker(set(['1', '1', '1']));
    expect(t.add(vote(0, 5))).toBe('added');
    expect(t.decide(canonical, 0, 5)).toBeUndefined();
    expect(t.add(vote(1, 5))).toBe('added');
    expect(t.decide(canonical, 0, 5)).toMatchObject({ height: 5, hashHex: canonical(5) });
    expect(t.decide(canonical, 0, 5)!.votes).toHaveLength(2);
  });

  it('counts a vote for a descendant as support for the ancestors', () => {
    const t = new FinalityTracker(set(['1', '1', '1']));
    t.add(vote(0, 9));
    t.add(vote(1, 7));
    t.add(vote(2, 4));
    // v0 supports ≤ 9, v1 ≤ 7, v2 ≤ 4: two thirds support height 7.
    expect(t.decide(canonical, 0, 9)?.height).toBe(7);
    expect(t.lastSupport[0]).toEqual({ height: 9, stake: 1n });
    expect(t.lastSupport.find((s) => s.height === 5)).toEqual({ height: 5, stake: 2n });
  });

  it('ignores votes for blocks that are not on the canonical chain and above the head', () => {
    const t = new FinalityTracker(set(['1', '1', '1']));
    t.add(vote(0, 5, 'b'));
    t.add(vote(1, 5, 'b'));
    expect(t.decide(canonical, 0, 5)).toBeUndefined();
    t.add(vote(2, 6));
    t.add(vote(0, 6));
    expect(t.decide(canonical, 0, 5)).toBeUndefined(); // height 6 is above our head
    expect(t.decide(canonical, 0, 6)?.height).toBe(6);
  });

  it('weighs by stake', () => {
    const t = new FinalityTracker(set(['70', '20', '10']));
    t.add(vote(0, 3));
    expect(t.decide(canonical, 0, 3)?.height).toBe(3); // 70 ≥ ⌈2/3 × 100⌉ = 67
    const u = new FinalityTracker(set(['60', '20', '20']));
    u.add(vote(0, 3));
    expect(u.decide(canonical, 0, 3)).toBeUndefined();
  });

  it('detects equivocation, keeps both signed votes as proof, excludes the stake and recomputes the threshold', () => {
    const s = set(['1', '1', '1']);
    const t = new FinalityTracker(s);
    expect(t.threshold()).toBe(2n);
    const a = vote(2, 8);
    const b = vote(2, 8, 'evil');
    expect(t.add(a)).toBe('added');
    expect(t.add(a)).toBe('duplicate');
    expect(t.add(b)).toBe('equivocation');
    expect(t.add(vote(2, 9))).toBe('faulty');
    const [e] = t.evidence();
    expect(e.validator).toBe(addr(2));
    expect(e.votes.map((v) => v.hashHex)).toEqual([a.hashHex, b.hashHex]);
    expect(e.votes.every((v) => verifyVote(v, toHex(keys[2].publicKey)))).toBe(true);
    expect(t.equivocatedStake()).toBe(1n);
    expect(t.effectiveTotal()).toBe(2n);
    expect(t.threshold()).toBe(2n);
    // The faulty validator's votes no longer count: v0 alone (1 of effective 2) does not finalize.
    t.add(vote(0, 8));
    expect(t.decide(canonical, 0, 8)).toBeUndefined();
    t.add(vote(1, 8));
    expect(t.decide(canonical, 0, 8)?.height).toBe(8);
  });

  it('decides only above the finalized height and forgets old votes', () => {
    const t = new FinalityTracker(set(['1', '1', '1']));
    t.add(vote(0, 3));
    t.add(vote(1, 3));
    expect(t.decide(canonical, 3, 3)).toBeUndefined();
    t.prune(1000);
    expect(t.voteOf(3, addr(0).slice(3))).toBeUndefined();
  });
});

describe('vote codec', () => {
  it('round-trips, verifies only with the signer key, and rejects malformed bytes', () => {
    const v = vote(1, 42);
    const d = decodeVote(v.bytes);
    expect(d).toMatchObject({ chainId: 7, height: 42, hashHex: v.hashHex, validatorHex: addr(1).slice(3) });
    expect(verifyVote(d, toHex(keys[1].publicKey))).toBe(true);
    expect(verifyVote(d, toHex(keys[0].publicKey))).toBe(false);
    const tampered = decodeVote(v.bytes);
    tampered.height = 43;
    expect(verifyVote(tampered, toHex(keys[1].publicKey))).toBe(false);
    expect(() => decodeVote(new Uint8Array([1, 2, 3]))).toThrow();
    expect(() => decodeVote(new Uint8Array(300))).toThrow(/more than/);
  });
});
