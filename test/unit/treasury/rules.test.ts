/**
 * Treasury chain module rules through the module's own applyTx/beginBlock (pure) over the chain's
 * real ledger (chain/ledger.ts ledgerOver) on an in-memory account map: every allowed lifecycle
 * transition and every refused one, tally edges, lease takeover, rollback inside/outside the window,
 * governance params.
 */
import { describe, expect, it } from 'vitest';
import { ledgerOver, type Accounts } from '../../../src/node-core/chain/ledger.js';
import type { BlockContext, Ledger, TxContext } from '../../../src/node-core/chain/module.js';
import type { AccountState } from '../../../src/node-core/chain/state.js';
import { TREASURY_ADDRESS } from '../../../src/node-core/treasury/account.js';
import { kindByOp, treasuryChainModule as M, type TreasuryCall } from '../../../src/node-core/treasury/chain-module.js';
import { collectFeeShare } from '../../../src/node-core/treasury/accrual.js';
import { accrueToTreasury } from '../../../src/node-core/treasury/index.js';
import { getParam } from '../../../src/node-core/treasury/params.js';
import { EMPTY_TREASURY, type TreasuryState } from '../../../src/node-core/treasury/state.js';

const A = 'tb1' + 'a1'.repeat(20);
const B = 'tb1' + 'b2'.repeat(20);
const C = 'tb1' + 'c3'.repeat(20);
const OUT = 'tb1' + 'd4'.repeat(20);
const STRANGER = 'tb1' + 'e5'.repeat(20);

class World {
  accounts = new Map<string, AccountState>();
  ledger: Ledger;
  s: TreasuryState = EMPTY_TREASURY;
  height = 1;
  constructor(readonly validators: Map<string, bigint>) {
    const acc: Accounts = {
      get: (h) => this.accounts.get(h) ?? { balance: 0n, nonce: 0n },
      set: (h, a) => void this.accounts.set(h, a),
    };
    this.ledger = ledgerOver(acc);
  }
  block(): BlockContext {
    return { height: this.height, epoch: Math.floor(this.height / 120), timestampMs: 1_700_000_000_000 + this.height * 1000, proposer: A, validators: this.validators, ledger: this.ledger, fees: 0n, read: () => { throw new Error('no reads'); } };
  }
  /** Runs beginBlock for heights up to `h` (inclusive). */
  to(h: number): void {
    while (this.height < h) {
      this.height++;
      this.s = M.beginBlock!(this.s, this.block());
    }
  }
  tx(sender: string, c: TreasuryCall): { ok: true } | { ok: false; reason: string; message: string } {
    // Round-trip through the kind's codec, as the chain does.
    const k = kindByOp(c.op);
    const call = k.decode(k.encode(c));
    const ctx: TxContext = { ...this.block(), sender, txHash: 'ab'.repeat(32), fee: 1n, index: 0 };
    const r = M.applyTx(this.s, call, ctx);
    if (r.ok) {
      // state round-trips through its codec byte-stably
      const enc = M.state.encode(r.state);
      expect(M.state.encode(M.state.decode(enc))).toEqual(enc);
      this.s = r.state;
      return { ok: true };
    }
    return r;
  }
  d(id = 1) {
    return this.s.disbursements.find((x) => x.id === id)!;
  }
  bal(a: string): bigint {
    return this.ledger.balance(a);
  }
}

function payload(over: Record<string, unknown> = {}, amount = 500) {
  return {
    proposal: { title: 't', summary: 's', quorum: { operators_ppm: 500_000, builders_ppm: 0 }, vote_window_blocks: 10, timelock_blocks: 5, rollback_window_blocks: 8, ...over },
    disbursement: { destination: OUT, amount, memo: 'm', scheduled_epoch: 1 },
  };
}
const create = (p: object): TreasuryCall => {
  const k = kindByOp('create');
  return k.decode([JSON.stringify(p)]);
};

function world(): World {
  const w = new World(new Map([[A, 50n], [B, 30n], [C, 20n]]));
  w.ledger.credit(TREASURY_ADDRESS, 10_000n);
  return w;
}

/** Drives disbursement 1 to Timelocked with A voting yes (50% = quorum). */
function timelocked(w: World): void {
  expect(w.tx(STRANGER, create(payload()))).toEqual({ ok: true });
  expect(w.tx(STRANGER, { op: 'advance', id: 1 })).toEqual({ ok: true });
  expect(w.tx(A, { op: 'vote', id: 1, choice: 'yes' })).toEqual({ ok: true });
  w.to(w.d().vote_deadline_height!);
  expect(w.d().status).toBe('Queued');
  w.to(w.d().activation_height!);
  expect(w.d().status).toBe('Timelocked');
  w.to(120); // scheduled_epoch 1 starts at height 120
}

describe('treasury disbursement lifecycle', () => {
  it('create → voting → queued → timelocked → executed → finalized, with the stage strip and value moved', () => {
    const w = world();
    timelocked(w);
    expect(w.tx(B, { op: 'lease', ttl: 20 })).toEqual({ ok: true });
    expect(w.tx(B, { op: 'execute', id: 1 })).toEqual({ ok: true });
    expect(w.d().status).toBe('Executed');
    expect(w.d().tx_hash).toBe('ab'.repeat(32));
    expect(w.bal(OUT)).toBe(500n);
    // the treasury pays amount + the execution tx's fee (1, refunded to the executor B)
    expect(w.bal(TREASURY_ADDRESS)).toBe(9_499n);
    expect(w.bal(B)).toBe(1n);
    expect(w.d().execution_fee).toBe('1');
    w.to(w.d().finalize_height! - 1);
    expect(w.d().status).toBe('Executed');
    w.to(w.d().finalize_height!);
    expect(w.d().status).toBe('Finalized');
    expect(w.d().history.map((h) => h.status)).toEqual(['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized']);
    expect(w.d().history.map((h) => h.by)).toEqual([STRANGER, STRANGER, 'chain', 'chain', B, 'chain']);
    expect(w.tx(A, { op: 'rollback', id: 1, reason: 'late' })).toMatchObject({ ok: false, reason: 'rollback_window_closed' });
  });

  it('refuses every transition that is not allowed, moving nothing', () => {
    const w = world();
    expect(w.tx(STRANGER, { op: 'advance', id: 9 })).toMatchObject({ ok: false, reason: 'not_found' });
    w.tx(STRANGER, create(payload()));
    expect(w.tx(A, { op: 'vote', id: 1, choice: 'yes' })).toMatchObject({ ok: false, reason: 'vote_closed' }); // Draft
    expect(w.tx(A, { op: 'lease', ttl: 50 })).toEqual({ ok: true });
    expect(w.tx(A, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'bad_transition' }); // Draft
    w.tx(STRANGER, { op: 'advance', id: 1 });
    expect(w.tx(STRANGER, { op: 'advance', id: 1 })).toMatchObject({ ok: false, reason: 'bad_transition' }); // Voting
    expect(w.tx(STRANGER, { op: 'vote', id: 1, choice: 'yes' })).toMatchObject({ ok: false, reason: 'not_a_validator' });
    expect(w.tx(A, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'bad_transition' }); // Voting
    w.tx(A, { op: 'vote', id: 1, choice: 'yes' });
    w.to(w.d().vote_deadline_height!);
    expect(w.tx(B, { op: 'vote', id: 1, choice: 'no' })).toMatchObject({ ok: false, reason: 'vote_closed' }); // Queued
    expect(w.tx(A, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'timelocked' }); // Queued
    expect(w.tx(STRANGER, { op: 'rollback', id: 1, reason: 'x' })).toMatchObject({ ok: false, reason: 'not_a_validator' });
    expect(w.bal(OUT)).toBe(0n);
    w.to(w.d().activation_height!);
    expect(w.tx(B, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'lease_held' }); // not the holder
    // cancel before execution: RolledBack without a prior tx; afterwards nothing applies
    expect(w.tx(C, { op: 'rollback', id: 1, reason: 'changed our mind' })).toEqual({ ok: true });
    expect(w.d().rollback).toEqual({ reason: 'changed our mind', prior_tx: null, compensation: null });
    expect(w.tx(A, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'bad_transition' });
    expect(w.tx(A, { op: 'rollback', id: 1, reason: 'again' })).toMatchObject({ ok: false, reason: 'bad_transition' });
    expect(w.bal(TREASURY_ADDRESS)).toBe(10_000n);
  });

  it('refuses execution the treasury cannot fund (amount + execution fee), moving nothing', () => {
    const w = world();
    w.tx(STRANGER, create(payload({}, 10_000))); // the treasury holds exactly the amount, not the fee
    w.tx(STRANGER, { op: 'advance', id: 1 });
    w.tx(A, { op: 'vote', id: 1, choice: 'yes' });
    w.to(w.d().vote_deadline_height!);
    w.to(120);
    w.tx(A, { op: 'lease', ttl: 50 });
    expect(w.tx(A, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'insufficient_funds' });
    expect(w.d().status).toBe('Timelocked');
    expect(w.bal(TREASURY_ADDRESS)).toBe(10_000n);
  });
});

describe('tally against quorum (stake 50/30/20)', () => {
  it('exactly at quorum passes; one unit below expires', () => {
    const at = world(); // quorum 500000 ppm; A holds exactly 50 of 100
    timelocked(at);
    expect(at.d().tally).toMatchObject({ yes: '50', turnout_ppm: 500_000, passed: true });

    const below = new World(new Map([[A, 49n], [B, 31n], [C, 20n]]));
    below.tx(STRANGER, create(payload()));
    below.tx(STRANGER, { op: 'advance', id: 1 });
    below.tx(A, { op: 'vote', id: 1, choice: 'yes' });
    below.to(below.d().vote_deadline_height!);
    expect(below.d().status).toBe('Expired');
    expect(below.d().tally).toMatchObject({ yes: '49', turnout_ppm: 490_000, passed: false });
  });
  it('quorum met but no ≥ yes expires; abstain counts toward turnout only', () => {
    const w = world();
    w.tx(STRANGER, create(payload()));
    w.tx(STRANGER, { op: 'advance', id: 1 });
    w.tx(B, { op: 'vote', id: 1, choice: 'yes' });
    w.tx(C, { op: 'vote', id: 1, choice: 'abstain' });
    w.tx(A, { op: 'vote', id: 1, choice: 'no' });
    w.to(w.d().vote_deadline_height!);
    expect(w.d().status).toBe('Expired');
    expect(w.tx(A, { op: 'rollback', id: 1, reason: 'x' })).toMatchObject({ ok: false, reason: 'bad_transition' });
  });
});

describe('executor lease', () => {
  it('a second executor cannot take a held lease; an expired one is taken over with a new id', () => {
    const w = world();
    expect(w.tx(A, { op: 'lease', ttl: 10 })).toEqual({ ok: true });
    expect(w.s.lease).toMatchObject({ id: 1, holder: A, expires_height: 11, renewals: 0 });
    expect(w.tx(B, { op: 'lease', ttl: 10 })).toMatchObject({ ok: false, reason: 'lease_held' });
    w.to(5);
    expect(w.tx(A, { op: 'lease', ttl: 10 })).toEqual({ ok: true });
    expect(w.s.lease).toMatchObject({ id: 1, holder: A, expires_height: 15, renewals: 1 });
    w.to(15);
    expect(w.tx(B, { op: 'lease', ttl: 10 })).toEqual({ ok: true });
    expect(w.s.lease).toMatchObject({ id: 2, holder: B, expires_height: 25, renewals: 0 });
    expect(w.tx(A, { op: 'lease', ttl: 0 })).toMatchObject({ ok: false, reason: 'lease_not_held' });
    expect(w.tx(B, { op: 'lease', ttl: 0 })).toEqual({ ok: true });
    expect(w.tx(A, { op: 'lease', ttl: 10 })).toEqual({ ok: true });
    expect(w.s.lease).toMatchObject({ id: 3, holder: A });
  });
});

describe('rollback of an executed disbursement', () => {
  it('inside the window: compensating move destination → treasury, RolledBack with the prior tx', () => {
    const w = world();
    timelocked(w);
    w.tx(B, { op: 'lease', ttl: 20 });
    w.tx(B, { op: 'execute', id: 1 });
    w.to(w.d().finalize_height! - 1);
    expect(w.tx(C, { op: 'rollback', id: 1, reason: 'wrong destination' })).toEqual({ ok: true });
    expect(w.d().status).toBe('RolledBack');
    expect(w.d().rollback).toMatchObject({ reason: 'wrong destination', prior_tx: 'ab'.repeat(32), compensation: { from: OUT, to: TREASURY_ADDRESS, amount: '500' } });
    expect(w.bal(OUT)).toBe(0n);
    expect(w.bal(TREASURY_ADDRESS)).toBe(9_999n); // amount back; the execution fee stays spent
    w.to(w.height + 20);
    expect(w.d().status).toBe('RolledBack'); // never finalized afterwards
  });
  it('outside the window: refused (the status is Finalized by then)', () => {
    const w = world();
    timelocked(w);
    w.tx(B, { op: 'lease', ttl: 20 });
    w.tx(B, { op: 'execute', id: 1 });
    w.to(w.d().finalize_height!);
    expect(w.tx(C, { op: 'rollback', id: 1, reason: 'too late' })).toMatchObject({ ok: false, reason: 'rollback_window_closed' });
    expect(w.bal(OUT)).toBe(500n);
  });
  it('refused when the destination no longer holds the amount (no value is minted)', () => {
    const w = world();
    timelocked(w);
    w.tx(B, { op: 'lease', ttl: 20 });
    w.tx(B, { op: 'execute', id: 1 });
    w.ledger.transfer(OUT, STRANGER, 1n);
    expect(w.tx(C, { op: 'rollback', id: 1, reason: 'x' })).toMatchObject({ ok: false, reason: 'compensation_unavailable' });
    expect(w.d().status).toBe('Executed');
  });
});

describe('governance params', () => {
  it('propose → vote → approved → active at the next epoch → rollback within the window', () => {
    const w = world();
    expect(getParam(w.s, 'energy_min_stake')).toBe(1000n);
    expect(w.tx(STRANGER, { op: 'param_propose', name: 'energy_min_stake', value: 2000n, epoch: null })).toMatchObject({ ok: false, reason: 'not_a_validator' });
    expect(w.tx(A, { op: 'param_propose', name: 'nope', value: 1n, epoch: null })).toMatchObject({ ok: false, reason: 'unknown_param' });
    expect(w.tx(A, { op: 'param_propose', name: 'energy_slashing_rate_bps', value: 10_001n, epoch: null })).toMatchObject({ ok: false, reason: 'param_out_of_range' });
    expect(w.tx(A, { op: 'param_propose', name: 'energy_min_stake', value: 2000n, epoch: null })).toEqual({ ok: true }); // A votes yes: 50% = quorum
    w.to(121);
    expect(w.s.param_proposals[0]).toMatchObject({ status: 'Approved', activation_height: 240 });
    expect(getParam(w.s, 'energy_min_stake')).toBe(1000n);
    w.to(240);
    expect(getParam(w.s, 'energy_min_stake')).toBe(2000n);
    w.to(360);
    expect(w.tx(B, { op: 'param_rollback', id: 1, reason: 'too strict' })).toEqual({ ok: true });
    expect(getParam(w.s, 'energy_min_stake')).toBe(1000n);
    expect(w.s.param_proposals[0]!.history.map((h) => h.status)).toEqual(['Voting', 'Approved', 'Active', 'RolledBack']);
  });
  it('rollback after ROLLBACK_WINDOW_EPOCHS is refused; a minority proposal is rejected', () => {
    const w = world();
    w.tx(A, { op: 'param_propose', name: 'energy_oracle_timeout_blocks', value: 60n, epoch: null });
    w.tx(B, { op: 'param_propose', name: 'energy_min_stake', value: 5n, epoch: null }); // 30% < quorum
    w.to(361);
    expect(w.s.param_proposals.map((p) => p.status)).toEqual(['Active', 'Rejected']);
    expect(w.tx(B, { op: 'param_rollback', id: 1, reason: 'late' })).toMatchObject({ ok: false, reason: 'rollback_window_closed' });
    expect(getParam(w.s, 'energy_oracle_timeout_blocks')).toBe(60n);
  });
});

describe('scheduled_epoch', () => {
  it('a Timelocked disbursement is not executed before its scheduled epoch starts, and is from its first block on', () => {
    const w = world();
    w.tx(STRANGER, create({ ...payload(), disbursement: { destination: OUT, amount: 500, memo: 'm', scheduled_epoch: 2 } }));
    w.tx(STRANGER, { op: 'advance', id: 1 });
    w.tx(A, { op: 'vote', id: 1, choice: 'yes' });
    w.to(w.d().vote_deadline_height!);
    w.to(w.d().activation_height!);
    expect(w.d().status).toBe('Timelocked');
    w.tx(A, { op: 'lease', ttl: 500 });
    w.to(239);
    expect(w.tx(A, { op: 'execute', id: 1 })).toMatchObject({ ok: false, reason: 'not_scheduled', message: expect.stringContaining('epoch 2 (from height 240)') });
    expect(w.bal(OUT)).toBe(0n);
    w.to(240);
    expect(w.tx(A, { op: 'execute', id: 1 })).toEqual({ ok: true });
    expect(w.bal(OUT)).toBe(500n);
  });
});

describe('fee share and accruals', () => {
  it('endBlock moves floor(fees × treasury_fee_share_bps / 10000) proposer → treasury; value is conserved', () => {
    const w = world();
    w.ledger.credit(A, 1_000n); // the proposer A has been paid the block's fees
    const total = () => w.bal(A) + w.bal(TREASURY_ADDRESS);
    const before = total();
    for (const [fees, share] of [[0n, 0n], [9n, 0n], [10n, 1n], [999n, 99n], [1_000n, 100n]] as const) {
      const t0 = w.bal(TREASURY_ADDRESS);
      w.s = M.endBlock!(w.s, { ...w.block(), fees });
      expect(w.bal(TREASURY_ADDRESS) - t0, `fees ${fees}`).toBe(share);
    }
    expect(total()).toBe(before);
    expect(w.s.fees_accrued).toBe('200');
    expect(getParam(w.s, 'treasury_fee_share_bps')).toBe(1000n);
  });
  it('the share is capped at what the proposer still holds (never minted); 0 bps takes nothing', () => {
    const w = world();
    w.ledger.credit(A, 3n);
    w.s = collectFeeShare(w.s, { ...w.block(), fees: 100n }); // wants 10, A holds 3
    expect(w.bal(A)).toBe(0n);
    expect(w.s.fees_accrued).toBe('3');
    w.s = { ...w.s, params: { treasury_fee_share_bps: '0' } };
    w.ledger.credit(A, 50n);
    const s1 = collectFeeShare(w.s, { ...w.block(), fees: 100n });
    expect(s1).toBe(w.s);
    expect(w.bal(A)).toBe(50n);
  });
  it('accrueToTreasury moves a positive amount from the payer, or refuses with nothing moved', () => {
    const w = world();
    w.ledger.credit(B, 40n);
    expect(accrueToTreasury(w.ledger, B, 25n)).toBeNull();
    expect(w.bal(TREASURY_ADDRESS)).toBe(10_025n);
    expect(accrueToTreasury(w.ledger, B, 0n)).toMatchObject({ reason: 'bad_amount' });
    expect(accrueToTreasury(w.ledger, B, 16n)).toMatchObject({ reason: 'insufficient_balance' });
    expect(w.bal(B)).toBe(15n);
  });
});

describe('param activation epoch', () => {
  it('a passed proposal that names a later epoch activates at that epoch, not at the next boundary', () => {
    const w = world();
    expect(w.tx(A, { op: 'param_propose', name: 'energy_slashing_rate_bps', value: 700n, epoch: 4 })).toEqual({ ok: true });
    w.to(121);
    expect(w.s.param_proposals[0]).toMatchObject({ status: 'Approved', activation_height: 480, scheduled_epoch: 4 });
    w.to(479);
    expect(getParam(w.s, 'energy_slashing_rate_bps')).toBe(500n);
    w.to(480);
    expect(getParam(w.s, 'energy_slashing_rate_bps')).toBe(700n);
    // an epoch already passed changes nothing: the first boundary after the vote
    expect(w.tx(A, { op: 'param_propose', name: 'energy_min_stake', value: 7n, epoch: 1 })).toEqual({ ok: true });
    w.to(601);
    expect(w.s.param_proposals[1]).toMatchObject({ status: 'Approved', activation_height: 720 });
  });
  it('the tx body carries the epoch only when set, and refuses epoch 0', () => {
    const k = kindByOp('param_propose');
    expect(k.encode({ op: 'param_propose', name: 'x', value: 1n, epoch: null })).toEqual(['x', 1n]);
    expect(k.decode(['x', 1n, 3])).toEqual({ op: 'param_propose', name: 'x', value: 1n, epoch: 3 });
    expect(() => k.decode(['x', 1n, 0])).toThrow(/at least 1/);
    expect(() => k.decode(['x'])).toThrow(/2 or 3/);
  });
});

describe('every state, every call (the transition table)', () => {
  /** A world with disbursement 1 driven to `target` (A holds the lease from height 1 on). */
  function at(target: string): World {
    const w = world();
    w.tx(A, { op: 'lease', ttl: 1000 });
    w.tx(STRANGER, create(payload()));
    if (target === 'Draft') return w;
    w.tx(STRANGER, { op: 'advance', id: 1 });
    if (target === 'Voting') return w;
    if (target === 'Expired') {
      w.to(w.d().vote_deadline_height!);
      return w;
    }
    w.tx(A, { op: 'vote', id: 1, choice: 'yes' });
    w.to(w.d().vote_deadline_height!);
    if (target === 'Queued') return w;
    w.to(120);
    if (target === 'Timelocked') return w;
    expect(w.tx(A, { op: 'execute', id: 1 })).toEqual({ ok: true });
    if (target === 'Executed') return w;
    if (target === 'RolledBack') {
      expect(w.tx(B, { op: 'rollback', id: 1, reason: 'r' })).toEqual({ ok: true });
      return w;
    }
    w.to(w.d().finalize_height!);
    return w;
  }
  const STATES = ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized', 'RolledBack', 'Expired'];
  // expected outcome of each call per state: a new status, or the refusal reason
  const TABLE: Record<string, Record<string, string>> = {
    advance: { Draft: 'Voting', Voting: 'bad_transition', Queued: 'bad_transition', Timelocked: 'bad_transition', Executed: 'bad_transition', Finalized: 'bad_transition', RolledBack: 'bad_transition', Expired: 'bad_transition' },
    vote: { Draft: 'vote_closed', Voting: 'Voting', Queued: 'vote_closed', Timelocked: 'vote_closed', Executed: 'vote_closed', Finalized: 'vote_closed', RolledBack: 'vote_closed', Expired: 'vote_closed' },
    execute: { Draft: 'bad_transition', Voting: 'bad_transition', Queued: 'timelocked', Timelocked: 'Executed', Executed: 'bad_transition', Finalized: 'bad_transition', RolledBack: 'bad_transition', Expired: 'bad_transition' },
    rollback: { Draft: 'RolledBack', Voting: 'RolledBack', Queued: 'RolledBack', Timelocked: 'RolledBack', Executed: 'RolledBack', Finalized: 'rollback_window_closed', RolledBack: 'bad_transition', Expired: 'bad_transition' },
  };
  for (const [op, row] of Object.entries(TABLE))
    for (const st of STATES)
      it(`${op} from ${st} → ${row[st]}`, () => {
        const w = at(st);
        expect(w.d().status).toBe(st);
        const treasury = w.bal(TREASURY_ADDRESS);
        const out = w.bal(OUT);
        const call: TreasuryCall = op === 'vote' ? { op: 'vote', id: 1, choice: 'no' } : op === 'rollback' ? { op: 'rollback', id: 1, reason: 'x' } : { op: op as 'advance' | 'execute', id: 1 };
        const r = w.tx(op === 'execute' ? A : B, call);
        const want = row[st]!;
        if (STATES.includes(want)) {
          expect(r).toEqual({ ok: true });
          expect(w.d().status).toBe(want);
        } else {
          expect(r).toMatchObject({ ok: false, reason: want });
          expect(w.d().status).toBe(st);
          expect(w.bal(TREASURY_ADDRESS)).toBe(treasury); // a refused call moves nothing
          expect(w.bal(OUT)).toBe(out);
        }
      });
});
