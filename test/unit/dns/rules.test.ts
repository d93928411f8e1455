/**
 * `.block` registry rules (spec/other_subsystems.md §1) on the pure chain functions: every rule and
 * every error (−32060…−32074 by spec name), a trade-mode auction with conservation of value, the
 * rehearsal mode moving nothing, forged TXT records refused, the state codec round trip.
 */
import { describe, expect, it } from 'vitest';
import { DNS_ERRORS } from '../../../src/shared/api/dns.js';
import { CodecError, decodeCanonical, encodeCanonical } from '../../../src/node-core/codec/canonical.js';
import { DNS_KINDS, dnsChainModule, kindOf, modeOf } from '../../../src/node-core/dns/chain-module.js';
import { formatRecord, parseRecord, signRecord, verifyRecord } from '../../../src/node-core/dns/record.js';
import { DNS_ESCROW, PROTOCOL_FEE_BPS, REASON_OF } from '../../../src/node-core/dns/rules.js';
import { dnsError } from '../../../src/node-core/dns/service.js';
import { decodeDns, encodeDns } from '../../../src/node-core/dns/state.js';
import { TREASURY_ADDRESS } from '../../../src/node-core/treasury/index.js';
import { RpcError } from '../../../src/shared/api/errors.js';
import { actor, World } from './harness.js';

const D = 'alice.block';

function setup(trade = true) {
  const w = new World(trade);
  const seller = actor();
  const b1 = actor();
  const b2 = actor();
  for (const a of [seller, b1, b2]) w.fund(a.address, 10_000n);
  expect(w.apply(seller.address, { op: 'publish', record: signRecord(D, seller) })).toEqual({ ok: true });
  return { w, seller, b1, b2 };
}
const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'ok' : REASON_OF.get(r.reason!) ?? r.reason);

describe('dns rules', () => {
  it('a full auction in trade mode: escrow, refund of the outbid bid, settlement, treasury accrual, conservation', () => {
    const { w, seller, b1, b2 } = setup(true);
    const total = w.total();
    expect(w.apply(seller.address, { op: 'list', domain: D, minBid: 100n, stakeRequirement: 50n, royaltyBps: 500, durationBlocks: 10 }).ok).toBe(true);
    expect(w.apply(b1.address, { op: 'stake', ref: 's1', amount: 50n }).ok).toBe(true);
    expect(w.apply(b2.address, { op: 'stake', ref: 's2', amount: 60n }).ok).toBe(true);
    expect(w.bal(DNS_ESCROW)).toBe(110n);
    expect(w.apply(b1.address, { op: 'bid', domain: D, amount: 200n, stakeRef: 's1' }).ok).toBe(true);
    expect(w.bal(b1.address)).toBe(10_000n - 50n - 200n);
    expect(w.apply(b2.address, { op: 'bid', domain: D, amount: 300n, stakeRef: 's2' }).ok).toBe(true);
    expect(w.bal(b1.address)).toBe(10_000n - 50n); // outbid bid refunded
    expect(w.state.stakes.get('s1')!.lockedOn).toBe('');
    expect(reason(w.apply(b1.address, { op: 'unstake', ref: 's1' }))).toBe('ok'); // losing stake refunded
    expect(w.bal(b1.address)).toBe(10_000n);
    expect(reason(w.apply(b2.address, { op: 'unstake', ref: 's2' }))).toBe('ListingActive'); // winner's stake still locked
    expect(reason(w.apply(seller.address, { op: 'complete', domain: D }))).toBe('AuctionNotFinished');
    w.height = 11;
    expect(reason(w.apply(b1.address, { op: 'bid', domain: D, amount: 400n, stakeRef: 's1' }))).toBe('AuctionExpired');
    expect(reason(w.apply(b1.address, { op: 'complete', domain: D }))).toBe('ok');
    const fee = (300n * BigInt(PROTOCOL_FEE_BPS)) / 10_000n;
    expect(w.bal(TREASURY_ADDRESS)).toBe(fee);
    expect(w.bal(seller.address)).toBe(10_000n + 300n - fee); // seller is the royalty holder: no royalty
    expect(w.state.owners.get(D)!.owner).toBe(b2.address);
    expect(w.state.owners.get(D)!.pubkey).toBe(''); // not verified until the buyer publishes
    expect(reason(w.apply(b2.address, { op: 'unstake', ref: 's2' }))).toBe('ok');
    expect(w.bal(b2.address)).toBe(10_000n - 300n);
    expect(w.bal(DNS_ESCROW)).toBe(0n);
    expect(w.total()).toBe(total);
    expect(w.state.sales[0].events.map((e) => e.kind)).toEqual(['debit_buyer', 'credit_seller', 'treasury_accrual']);
    // a resale pays the royalty to the first owner
    expect(reason(w.apply(b2.address, { op: 'list', domain: D, minBid: 10n, stakeRequirement: 0n, royaltyBps: 0, durationBlocks: 5 }))).toBe('VerificationRequired');
    expect(reason(w.apply(b2.address, { op: 'publish', record: signRecord(D, b2) }))).toBe('ok');
    expect(reason(w.apply(b2.address, { op: 'list', domain: D, minBid: 10n, stakeRequirement: 0n, royaltyBps: 9000, durationBlocks: 5 }))).toBe('ok');
    expect(w.state.auctions.get(D)!.royaltyBps).toBe(500); // royalty is the creator's, not the reseller's
    expect(reason(w.apply(b1.address, { op: 'stake', ref: 's3', amount: 1n }))).toBe('ok');
    expect(reason(w.apply(b1.address, { op: 'bid', domain: D, amount: 1000n, stakeRef: 's3' }))).toBe('ok');
    w.height = 20;
    expect(reason(w.apply(seller.address, { op: 'complete', domain: D }))).toBe('ok');
    expect(w.state.sales[1].royaltyFee).toBe(50n);
    expect(w.state.sales[1].events.find((e) => e.kind === 'credit_royalty')).toEqual({ kind: 'credit_royalty', account: seller.address, amount: 50n });
    expect(w.total()).toBe(total);
  });

  it('rehearsal: the same auction runs and no value moves', () => {
    const { w, seller, b1 } = setup(false);
    const before = new Map(w.balances);
    w.apply(seller.address, { op: 'list', domain: D, minBid: 100n, stakeRequirement: 50n, royaltyBps: 0, durationBlocks: 2 });
    w.apply(b1.address, { op: 'stake', ref: 's1', amount: 50n });
    expect(reason(w.apply(b1.address, { op: 'bid', domain: D, amount: 20_000n, stakeRef: 's1' }))).toBe('ok'); // no funds needed
    w.height = 5;
    expect(reason(w.apply(seller.address, { op: 'complete', domain: D }))).toBe('ok');
    expect(w.state.sales[0].trade).toBe(false);
    expect(w.state.owners.get(D)!.owner).toBe(b1.address);
    expect(w.balances).toEqual(before);
    expect(reason(w.apply(b1.address, { op: 'unstake', ref: 's1' }))).toBe('ok');
    expect(w.balances).toEqual(before);
  });

  it('every spec error is reachable with its own rule', () => {
    const { w, seller, b1, b2 } = setup(true);
    const hit = new Set<string>();
    const expectR = (name: string, r: ReturnType<World['apply']>) => {
      expect(reason(r)).toBe(name);
      hit.add(name);
    };
    expectR('VerificationRequired', w.apply(b1.address, { op: 'list', domain: 'nobody.block', minBid: 1n, stakeRequirement: 0n, royaltyBps: 0, durationBlocks: 3 }));
    expectR('OwnershipMismatch', w.apply(b1.address, { op: 'list', domain: D, minBid: 1n, stakeRequirement: 0n, royaltyBps: 0, durationBlocks: 3 }));
    expectR('OwnershipMismatch', w.apply(b1.address, { op: 'publish', record: signRecord(D, b1) }));
    expectR('OwnershipMismatch', w.apply(b1.address, { op: 'publish', record: signRecord('bob.block', b2) })); // someone else's key
    expectR('AuctionMissing', w.apply(b1.address, { op: 'bid', domain: D, amount: 5n, stakeRef: 'x' }));
    expectR('AuctionMissing', w.apply(b1.address, { op: 'complete', domain: D }));
    w.apply(seller.address, { op: 'list', domain: D, minBid: 100n, stakeRequirement: 50n, royaltyBps: 0, durationBlocks: 3 });
    expectR('AlreadyListed', w.apply(seller.address, { op: 'list', domain: D, minBid: 1n, stakeRequirement: 0n, royaltyBps: 0, durationBlocks: 3 }));
    expectR('StakeAmountZero', w.apply(b1.address, { op: 'stake', ref: 'z', amount: 0n }));
    w.apply(b1.address, { op: 'stake', ref: 'small', amount: 10n });
    w.apply(b1.address, { op: 'stake', ref: 'big', amount: 60n });
    expectR('InvalidStakeReference', w.apply(b2.address, { op: 'stake', ref: 'big', amount: 60n }));
    expectR('InvalidStakeReference', w.apply(b2.address, { op: 'unstake', ref: 'big' }));
    expectR('InvalidStakeReference', w.apply(b2.address, { op: 'bid', domain: D, amount: 200n, stakeRef: 'big' }));
    expectR('InvalidBidder', w.apply(seller.address, { op: 'bid', domain: D, amount: 200n, stakeRef: 'big' }));
    expectR('BidTooLow', w.apply(b1.address, { op: 'bid', domain: D, amount: 100n, stakeRef: 'big' }));
    expectR('BidInsufficientStake', w.apply(b1.address, { op: 'bid', domain: D, amount: 200n, stakeRef: 'small' }));
    expect(reason(w.apply(b1.address, { op: 'bid', domain: D, amount: 200n, stakeRef: 'big' }))).toBe('ok');
    expectR('BidTooLow', w.apply(b2.address, { op: 'bid', domain: D, amount: 200n, stakeRef: 'x' }));
    expectR('ListingActive', w.apply(seller.address, { op: 'cancel', domain: D }));
    expectR('InvalidSeller', w.apply(b1.address, { op: 'cancel', domain: D }));
    expectR('AuctionNotFinished', w.apply(b1.address, { op: 'complete', domain: D }));
    w.height = 4;
    expectR('AuctionExpired', w.apply(b2.address, { op: 'bid', domain: D, amount: 900n, stakeRef: 'x' }));
    w.apply(b1.address, { op: 'complete', domain: D });
    expectR('AuctionClosed', w.apply(b2.address, { op: 'bid', domain: D, amount: 900n, stakeRef: 'x' }));
    expectR('AuctionClosed', w.apply(seller.address, { op: 'cancel', domain: D }));
    // InvalidDomain: the codec refuses a bad name (→ malformed_tx) and the RPC answers −32060.
    expect(() => kindOf('bid').decode(['Not A Name', 1n, 'x'])).toThrow(CodecError);
    hit.add('InvalidDomain');
    expect([...hit].sort()).toEqual(Object.keys(DNS_ERRORS).sort());
  });

  it('chain refusals map to the spec codes with the spec names as data.reason', () => {
    for (const [snake, name] of REASON_OF) {
      const e = dnsError(RpcError.app(snake, 'x')) as RpcError;
      expect(e.code).toBe(DNS_ERRORS[name]);
      expect(e.data?.reason).toBe(name);
    }
    expect(Object.values(DNS_ERRORS)).toEqual(Array.from({ length: 15 }, (_, i) => -32060 - i));
  });

  it('TXT records: real Ed25519; a forged or altered record is refused', () => {
    const a = actor();
    const r = signRecord(D, a);
    const txt = formatRecord(r);
    expect(txt).toMatch(/^tb-domain=alice\.block;pubkey=[0-9a-f]{64};sig=[0-9a-f]{128}$/);
    expect(parseRecord(txt)).toEqual(r);
    expect(verifyRecord(r)).toBe(true);
    const forged = { ...r, sig: (r.sig[0] === '0' ? '1' : '0') + r.sig.slice(1) };
    expect(verifyRecord(forged)).toBe(false);
    expect(verifyRecord({ ...r, domain: 'bob.block' })).toBe(false);
    const pub = kindOf('publish');
    expect(() => pub.decode([forged.domain, forged.pubkey, forged.sig])).toThrow(/does not verify/);
    expect(pub.decode([r.domain, r.pubkey, r.sig])).toEqual({ op: 'publish', record: r });
    expect(parseRecord('tb-domain=x;pubkey=zz;sig=00')).toMatch(/not a record/);
  });

  it('codec: state round trip, royalty > 10000 bps refused, tags unique, mode from governance params', () => {
    const { w, seller, b1 } = setup(true);
    w.apply(seller.address, { op: 'list', domain: D, minBid: 1n, stakeRequirement: 0n, royaltyBps: 10_000, durationBlocks: 3 });
    w.apply(b1.address, { op: 'stake', ref: 'k', amount: 5n });
    w.apply(b1.address, { op: 'bid', domain: D, amount: 7n, stakeRef: 'k' });
    const bytes = encodeCanonical(encodeDns(w.state));
    const back = decodeDns(decodeCanonical(bytes, 'dns'));
    expect(encodeCanonical(encodeDns(back))).toEqual(bytes);
    expect(back.auctions.get(D)!.bids[0].amount).toBe(7n);
    expect(() => kindOf('list').decode([D, 1n, 0n, 10_001, 3])).toThrow(CodecError);
    expect(new Set(DNS_KINDS.map((k) => k.tag)).size).toBe(7);
    expect(dnsChainModule.state.decode(dnsChainModule.state.encode(dnsChainModule.state.empty))).toEqual(dnsChainModule.state.empty);
    expect(modeOf({ params: [], pending: [], history: [] })).toBe('inactive');
    expect(modeOf({ params: [['naming_mode', '"rehearsal"']], pending: [], history: [] })).toBe('rehearsal');
    expect(modeOf({ params: [['naming_mode', '"trade"']], pending: [], history: [] })).toBe('trade');
  });
});
