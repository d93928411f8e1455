// The pure Tendermint core (src/node-core/chain/tendermint/core.ts), rule by rule of Algorithm 1.
import { describe, expect, it } from 'vitest';
import { certificateHolds, provesFault, TendermintCore, type CoreConfig } from '../../../src/node-core/chain/tendermint/core.js';
import type { Output, Proposal, Vote } from '../../../src/node-core/chain/tendermint/types.js';

interface Val {
  id: string;
  ok: boolean;
}
const VALS = ['a', 'b', 'c', 'd'];

function config(self: string | undefined, o: Partial<CoreConfig<Val>> = {}): CoreConfig<Val> {
  return {
    validators: new Map(VALS.map((v) => [v, 10n])),
    self,
    proposer: (h, r) => VALS[(h + r) % VALS.length],
    getValue: (h, r) => ({ id: `${h}/${r}/${self}`, ok: true }),
    valid: (v) => v.ok,
    idOf: (v) => v.id,
    timeout: (step, r) => (step === 'commit' ? 1000 : 1000 + 500 * r),
    ...o,
  };
}

const pv = (from: string, round: number, id: string | null, height = 1): Vote => ({ type: 'prevote', height, round, id, from });
const pc = (from: string, round: number, id: string | null, height = 1): Vote => ({ type: 'precommit', height, round, id, from });
const prop = (from: string, round: number, id: string, validRound = -1, height = 1): Proposal<Val> => ({ type: 'proposal', height, round, value: { id, ok: true }, validRound, from });

/** A core of validator `self` at height 1, already in round 0's propose step. */
function started(self: string | undefined, o: Partial<CoreConfig<Val>> = {}): { core: TendermintCore<Val>; first: Output<Val> } {
  const core = new TendermintCore(config(self, o), 1);
  const s = core.start();
  expect(s.timeouts).toEqual([{ height: 1, round: 0, step: 'commit', afterMs: 1000 }]);
  return { core, first: core.onTimeout(1, 0, 'commit') };
}

describe('tendermint core', () => {
  it('proposer of (1,0) proposes and prevotes its value; a quorum of precommits decides with a certificate', () => {
    // proposer(1, 0) = VALS[1] = b
    const { core, first } = started('b');
    expect(first.send.map((m) => m.type)).toEqual(['proposal', 'prevote']);
    const id = (first.send[0] as Proposal<Val>).value.id;
    expect(first.send[1]).toEqual(pv('b', 0, id));
    let out = core.receiveMany([pv('a', 0, id), pv('c', 0, id)]);
    expect(out.send).toEqual([pc('b', 0, id)]); // line 36: lock and precommit
    expect(core.lockedRound).toBe(0);
    out = core.receiveMany([pc('a', 0, id), pc('c', 0, id)]);
    expect(out.decisions).toHaveLength(1);
    const d = out.decisions[0];
    expect(d).toMatchObject({ height: 1, round: 0, value: { id } });
    expect(certificateHolds(d.certificate, config('b').validators, (v) => v.id, new Set())).toBe(true);
    expect(core.height).toBe(2);
    expect(core.step).toBe('newHeight');
    expect(core.lockedRound).toBe(-1);
    expect(out.timeouts).toContainEqual({ height: 2, round: 0, step: 'commit', afterMs: 1000 });
  });

  it('two precommits of 4 equal validators are not a quorum (> 2/3 needed, not ≥ 2/3 of 3)', () => {
    const { core } = started('a');
    core.receive(prop('b', 0, 'x'));
    const out = core.receiveMany([pc('b', 0, 'x'), pc('c', 0, 'x')]);
    expect(out.decisions).toEqual([]);
    expect(core.receive(pc('d', 0, 'x')).decisions).toHaveLength(1);
  });

  it('an invalid proposal gets a nil prevote (line 26); the propose timeout gives a nil prevote (line 59)', () => {
    const { core } = started('a');
    const out = core.receive({ ...prop('b', 0, 'bad'), value: { id: 'bad', ok: false } });
    expect(out.send).toEqual([pv('a', 0, null)]);
    const { core: c2, first } = started('a');
    expect(first.timeouts).toContainEqual({ height: 1, round: 0, step: 'propose', afterMs: 1000 });
    expect(c2.onTimeout(1, 0, 'propose').send).toEqual([pv('a', 0, null)]);
    expect(c2.onTimeout(1, 0, 'propose').send).toEqual([]); // only once (step moved on)
  });

  it('a proposal from a validator that is not the proposer is ignored', () => {
    const { core } = started('a');
    expect(core.receive(prop('c', 0, 'x')).send).toEqual([]);
  });

  it('a POL seen while in the prevote step locks the new value (lines 36–41)', () => {
    const { core } = started('a');
    core.receive(prop('b', 0, 'x'));
    core.receiveMany([pv('b', 0, 'x'), pv('c', 0, 'x')]);
    core.onTimeout(1, 0, 'precommit');
    expect(core.receive(prop('c', 1, 'y')).send).toEqual([pv('a', 1, null)]);
    expect(core.receiveMany([pv('b', 1, 'y'), pv('c', 1, 'y'), pv('d', 1, 'y')]).send).toEqual([pc('a', 1, 'y')]);
    expect([core.lockedValue?.id, core.lockedRound]).toEqual(['y', 1]);
  });

  it('a locked validator prevotes nil on a fresh value (line 23) but follows a newer POL (line 29)', () => {
    const { core } = started('a');
    core.receive(prop('b', 0, 'x'));
    core.receiveMany([pv('b', 0, 'x'), pv('c', 0, 'x')]);
    expect(core.lockedValue?.id).toBe('x');
    // round 0 ends without a decision
    core.receiveMany([pc('b', 0, null), pc('c', 0, null)]);
    expect(core.onTimeout(1, 0, 'precommit').roundChanges).toEqual([{ height: 1, from: 0, to: 1, reason: 'timeout_precommit', timedOut: ['precommit'] }]);
    // proposer(1,1) = c proposes a fresh value y: locked on x → nil
    expect(core.receive(prop('c', 1, 'y')).send).toEqual([pv('a', 1, null)]);
    expect(core.onTimeout(1, 1, 'prevote').send).toEqual([pc('a', 1, null)]); // line 63
    // the POL for y arrives after a precommitted nil: line 36 sets validValue only
    expect(core.receiveMany([pv('b', 1, 'y'), pv('c', 1, 'y'), pv('d', 1, 'y')]).send).toEqual([]);
    expect(core.validValue?.id).toBe('y');
    expect(core.validRound).toBe(1);
    expect(core.lockedValue?.id).toBe('x');
    core.onTimeout(1, 1, 'precommit');
    // round 2, proposer d re-proposes y with validRound 1: lockedRound 0 ≤ 1 → a prevotes y (unlock by a newer POL)
    expect(core.receive(prop('d', 2, 'y', 1)).send).toEqual([pv('a', 2, 'y')]);
  });

  it('a re-proposal that claims a POL round without the prevotes is not followed until they arrive', () => {
    const { core } = started('a');
    core.onTimeout(1, 0, 'propose');
    core.receiveMany([pc('b', 0, null), pc('c', 0, null), pc('d', 0, null)]);
    core.onTimeout(1, 0, 'precommit');
    expect(core.receive(prop('c', 1, 'z', 0)).send).toEqual([]);
    expect(core.receiveMany([pv('b', 0, 'z'), pv('c', 0, 'z'), pv('d', 0, 'z')]).send).toEqual([pv('a', 1, 'z')]);
  });

  it('> 1/3 of the power in a higher round makes the process skip to it (line 55)', () => {
    const { core } = started('a');
    expect(core.receive(pv('b', 5, null)).roundChanges).toEqual([]);
    const out = core.receive(pv('c', 5, null));
    expect(out.roundChanges).toEqual([{ height: 1, from: 0, to: 5, reason: 'round_skip', timedOut: [] }]);
    expect(core.round).toBe(5);
  });

  it('equivocation: two votes of one validator in one slot are evidence; exclusion follows the chain (CoreConfig.excluded)', () => {
    const { core } = started('a');
    expect(core.receive(pv('d', 0, 'x')).evidence).toEqual([]);
    const out = core.receive(pv('d', 0, 'y'));
    expect(out.evidence).toEqual([{ kind: 'vote', from: 'd', height: 1, round: 0, a: pv('d', 0, 'x'), b: pv('d', 0, 'y') }]);
    expect(core.isFaulty('d')).toBe(true);
    expect(core.evidence().map((e) => e.from)).toEqual(['d']);
    expect(core.effectiveTotal()).toBe(40n); // local evidence never changes the quorum
    expect(provesFault(out.evidence[0], config('a').validators, (v: Val) => v.id)).toBe(true);
    expect(provesFault({ ...out.evidence[0], b: pv('d', 0, 'x') }, config('a').validators, (v: Val) => v.id)).toBe(false);
    expect(provesFault({ ...out.evidence[0], b: pv('c', 0, 'y') }, config('a').validators, (v: Val) => v.id)).toBe(false);
    // the chain says d is excluded from height 2: 20 of 30 is then a quorum
    const excluded = (h: number) => (h >= 2 ? ['d'] : []);
    const c2 = new TendermintCore(config('a', { excluded }), 2);
    expect(c2.effectiveTotal()).toBe(30n);
    c2.start();
    c2.onTimeout(2, 0, 'commit');
    c2.receive(prop('c', 0, 'w', -1, 2));
    expect(c2.receiveMany([pv('c', 0, 'w', 2), pc('c', 0, 'w', 2), pv('d', 0, 'w', 2), pc('d', 0, 'w', 2)]).decisions).toEqual([]);
    expect(c2.receiveMany([pv('b', 0, 'w', 2), pc('b', 0, 'w', 2)]).decisions).toHaveLength(1);
    // a decided value that commits evidence excludes from the next height on
    const c3 = new TendermintCore(config('a', { excludes: (v) => (v.id === 'z' ? ['c'] : []) }), 1);
    c3.start();
    c3.onTimeout(1, 0, 'commit');
    c3.receive({ type: 'commit', height: 1, round: 0, value: { id: 'z', ok: true }, precommits: [pc('b', 0, 'z'), pc('c', 0, 'z'), pc('d', 0, 'z')] });
    expect([c3.height, c3.effectiveTotal()]).toEqual([2, 30n]);
  });

  it('a commit certificate decides a node that is behind; a short or mismatched one does not', () => {
    const full = started(undefined).core;
    const cert = { type: 'commit' as const, height: 1, round: 3, value: { id: 'x', ok: true }, precommits: [pc('a', 3, 'x'), pc('b', 3, 'x')] };
    expect(full.receive(cert).decisions).toEqual([]);
    expect(full.receive({ ...cert, precommits: [pc('a', 3, 'x'), pc('b', 3, 'x'), pc('b', 3, 'x')] }).decisions).toEqual([]);
    expect(full.receive({ ...cert, precommits: [pc('a', 3, 'x'), pc('b', 3, 'x'), pc('c', 2, 'x')] }).decisions).toEqual([]);
    const out = full.receive({ ...cert, precommits: [pc('a', 3, 'x'), pc('b', 3, 'x'), pc('c', 3, 'x')] });
    expect(out.decisions.map((d) => d.value.id)).toEqual(['x']);
    expect(out.send).toEqual([]); // a full node never signs
  });

  it('restart from persisted state re-sends the last signature and never signs another in that slot', () => {
    const { core } = started('a');
    core.receive(prop('b', 0, 'x'));
    core.receiveMany([pv('b', 0, 'x'), pv('c', 0, 'x')]);
    const saved = core.persistentState();
    expect(saved.lastSigned).toEqual({ height: 1, round: 0, step: 2 });
    expect(saved.signed).toEqual([pv('a', 0, 'x'), pc('a', 0, 'x')]);
    expect(saved.lockedValue?.id).toBe('x');
    const { core: again, out } = TendermintCore.restore(config('a'), structuredClone(saved));
    expect(out.send).toEqual([pv('a', 0, 'x'), pc('a', 0, 'x')]);
    expect(again.lockedRound).toBe(0);
    // a nil prevote quorum or a prevote timeout in round 0 cannot make it sign a second precommit
    expect(again.receiveMany([pv('b', 0, null), pv('c', 0, null), pv('d', 0, null)]).send).toEqual([]);
    expect(again.onTimeout(1, 0, 'prevote').send).toEqual([]);
    // the lock survived: a fresh value in round 1 gets nil
    again.onTimeout(1, 0, 'precommit');
    expect(again.receive(prop('c', 1, 'y')).send).toEqual([pv('a', 1, null)]);
  });

  it('the priv-validator guard refuses to sign below the last signed height/round/step', () => {
    const { core } = started('a');
    core.onTimeout(1, 0, 'propose');
    const saved = core.persistentState();
    // a state file from a later signature than the round state (an operator copied an old state dir)
    saved.lastSigned = { height: 1, round: 4, step: 2 };
    const { core: again } = TendermintCore.restore(config('a'), saved);
    again.onTimeout(1, 0, 'prevote');
    expect(again.refusedSignatures).toBe(1);
  });

  /**
   * The schedule the lock exists for (4 equal validators, d Byzantine): in round 0 a decides x
   * with c's and d's precommits while b never saw the proof-of-lock and c saw d's precommit go to
   * a only; round 1 fails; in round 2 d proposes a fresh y. A correct c (locked on x) prevotes nil
   * and y cannot gather a quorum; with `ignore_lock` c prevotes y and b decides y ≠ x.
   */
  function lockSchedule(broken?: 'ignore_lock'): { a: string[]; b: string[] } {
    const o = broken ? { broken } : {};
    const mk = (self: string) => {
      const n = new TendermintCore(config(self, o), 1);
      n.start();
      n.onTimeout(1, 0, 'commit');
      return n;
    };
    const [A, B, C] = [mk('a'), mk('b'), mk('c')];
    const decided = { a: [] as string[], b: [] as string[] };
    const x = prop('b', 0, 'x');
    A.receive(x);
    C.receive(x);
    A.receiveMany([pv('b', 0, 'x'), pv('c', 0, 'x')]);
    C.receiveMany([pv('a', 0, 'x'), pv('b', 0, 'x')]);
    B.receiveMany([pv('a', 0, 'x'), pv('d', 0, null)]);
    B.onTimeout(1, 0, 'prevote');
    decided.a.push(...A.receiveMany([pc('c', 0, 'x'), pc('d', 0, 'x')]).decisions.map((d) => d.value.id));
    C.receiveMany([pc('a', 0, 'x'), pc('b', 0, null)]);
    B.receiveMany([pc('a', 0, 'x'), pc('c', 0, 'x')]);
    for (const n of [B, C]) n.onTimeout(1, 0, 'precommit');
    for (const n of [B, C]) n.onTimeout(1, 1, 'propose');
    B.receiveMany([pv('c', 1, null), pv('d', 1, null), pc('c', 1, null), pc('d', 1, null)]);
    C.receiveMany([pv('b', 1, null), pv('d', 1, null), pc('b', 1, null), pc('d', 1, null)]);
    for (const n of [B, C]) n.onTimeout(1, 1, 'precommit');
    const y = prop('d', 2, 'y');
    const sent = [...B.receive(y).send, ...C.receive(y).send];
    B.receiveMany([...sent.filter((m) => m.from === 'c'), pv('d', 2, 'y')]);
    C.receiveMany([...sent.filter((m) => m.from === 'b'), pv('d', 2, 'y')]);
    const pcs = (n: TendermintCore<Val>) => n.persistentState().signed.filter((m) => m.type === 'precommit' && m.round === 2);
    decided.b.push(...B.receiveMany([...pcs(C), pc('d', 2, 'y')]).decisions.map((d) => d.value.id));
    return decided;
  }

  it('the locking rule keeps a split round-0 decision safe; ignoring the lock finalizes two values', () => {
    expect(lockSchedule()).toEqual({ a: ['x'], b: [] });
    expect(lockSchedule('ignore_lock')).toEqual({ a: ['x'], b: ['y'] });
  });
});
