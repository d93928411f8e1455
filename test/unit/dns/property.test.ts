/**
 * fast-check property: random sequences of valid and invalid name transactions (any sender, any
 * name, any amount, any stake reference, blocks advancing) never break conservation of value in
 * trade mode (sum of balances incl. escrow and treasury unchanged; escrow = Σ escrowed stakes +
 * highest bids of open trade auctions), and move nothing in rehearsal.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DNS_ESCROW } from '../../../src/node-core/dns/rules.js';
import { signRecord } from '../../../src/node-core/dns/record.js';
import type { DnsCall } from '../../../src/node-core/dns/rules.js';
import { actor, World } from './harness.js';

const ACTORS = [actor(), actor(), actor(), actor()];
const DOMAINS = ['a.block', 'b.block', 'c.block'];
const REFS = ['r0', 'r1', 'r2', 'r3'];

const amount = fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 2_000n }), fc.constant(1_000_000n));
const who = fc.nat({ max: ACTORS.length - 1 });
const dom = fc.constantFrom(...DOMAINS);
const ref = fc.constantFrom(...REFS);
const step = fc.oneof(
  fc.record({ by: who, c: fc.record({ op: fc.constant('publish' as const), domain: dom, keyOf: who }) }),
  fc.record({ by: who, c: fc.record({ op: fc.constant('list' as const), domain: dom, minBid: amount, stakeRequirement: amount, royaltyBps: fc.nat({ max: 10_000 }), durationBlocks: fc.integer({ min: 1, max: 5 }) }) }),
  fc.record({ by: who, c: fc.record({ op: fc.constant('stake' as const), ref, amount }) }),
  fc.record({ by: who, c: fc.record({ op: fc.constant('unstake' as const), ref }) }),
  fc.record({ by: who, c: fc.record({ op: fc.constant('bid' as const), domain: dom, amount, stakeRef: ref }) }),
  fc.record({ by: who, c: fc.record({ op: fc.constant('complete' as const), domain: dom }) }),
  fc.record({ by: who, c: fc.record({ op: fc.constant('cancel' as const), domain: dom }) }),
  fc.record({ by: fc.constant(0), c: fc.record({ op: fc.constant('tick' as const), n: fc.integer({ min: 1, max: 4 }) }) }),
);

function run(trade: boolean, steps: { by: number; c: any }[]): void {
  const w = new World(trade);
  for (const a of ACTORS) w.fund(a.address, 5_000n);
  const total = w.total();
  const start = new Map(w.balances);
  for (const { by, c } of steps) {
    if (c.op === 'tick') {
      w.height += c.n;
      continue;
    }
    const call: DnsCall = c.op === 'publish' ? { op: 'publish', record: signRecord(c.domain, ACTORS[c.keyOf]) } : c;
    w.apply(ACTORS[by].address, call);
    expect(w.total()).toBe(total);
    for (const v of w.balances.values()) expect(v >= 0n).toBe(true);
    if (trade) {
      let owed = 0n;
      for (const k of w.state.stakes.values()) if (k.escrowed) owed += k.amount;
      for (const a of w.state.auctions.values()) if (a.trade && a.status === 'open' && a.bids.length) owed += a.bids.at(-1)!.amount;
      expect(w.bal(DNS_ESCROW)).toBe(owed);
    } else {
      expect(w.balances).toEqual(start);
    }
    // at most one locked stake per open auction, and only on an open auction
    for (const k of w.state.stakes.values()) if (k.lockedOn) expect(w.state.auctions.get(k.lockedOn)?.status).toBe('open');
  }
}

describe('dns conservation property', () => {
  it('trade mode: random valid and invalid name txs never create or destroy value', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => run(true, steps)), { numRuns: 150 });
  });
  it('rehearsal: random name txs never move value', () => {
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => run(false, steps)), { numRuns: 80 });
  });
});
