/**
 * Registry rules of `.block` names (spec/other_subsystems.md §1), pure functions of
 * (state, call, ctx) run by the chain at admission, production, import and replay.
 * Refusal reasons are the snake_case of the spec's error names (REASON_OF maps them back to
 * `InvalidDomain`… and codes −32060…−32074 at the RPC edge).
 *
 * Value moves only in auctions listed (and stakes registered) in trade mode — the naming gate's
 * `naming_mode` governance parameter is "trade" — so a mode change never strands value:
 *   stake    trade: sender → escrow (the stake amount)          rehearsal: recorded only
 *   bid      trade: bidder → escrow (the bid), the outbid bid escrow → its bidder
 *   complete trade: escrow → seller (price − fee − royalty), → royalty holder, → treasury (fee)
 *   withdraw escrowed stake: escrow → owner
 */
import { DNS_ERRORS, type DnsErrorName } from '../../shared/api/dns.js';
import { ok, refuse, type ApplyResult, type Ledger, type TxContext } from '../chain/module.js';
import { TREASURY_ADDRESS, accrueToTreasury } from '../treasury/index.js';
import { recordOwner, type TxtRecord } from './record.js';
import type { Auction, DnsState, Sale, Stake } from './state.js';

/** Account that holds escrowed stakes and bids (no key can sign for it). */
export const DNS_ESCROW = 'tb1' + '00'.repeat(19) + 'd5';
/** Protocol fee of every sale (bps of the price), accrued to the treasury. */
export const PROTOCOL_FEE_BPS = 200;
export const DEFAULT_DURATION_BLOCKS = 30;

export type DnsCall =
  | { op: 'publish'; record: TxtRecord }
  | { op: 'list'; domain: string; minBid: bigint; stakeRequirement: bigint; royaltyBps: number; durationBlocks: number }
  | { op: 'stake'; ref: string; amount: bigint }
  | { op: 'unstake'; ref: string }
  | { op: 'bid'; domain: string; amount: bigint; stakeRef: string }
  | { op: 'complete'; domain: string }
  | { op: 'cancel'; domain: string };

const snake = (n: string): string => n.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
/** Chain refusal reason → spec error name. */
export const REASON_OF: ReadonlyMap<string, DnsErrorName> = new Map((Object.keys(DNS_ERRORS) as DnsErrorName[]).map((n) => [snake(n), n]));
const no = (name: DnsErrorName, message: string): ApplyResult<DnsState> => refuse(snake(name), message);

/** Tx-local copy-on-write of the maps a call touches. */
function draft(s: DnsState): DnsState {
  return { auctions: new Map(s.auctions), stakes: new Map(s.stakes), owners: new Map(s.owners), sales: s.sales, counters: { ...s.counters } };
}

/** Accrues a sale's protocol fee from the escrow to the treasury (a zero fee moves nothing). */
function accrue(ledger: Ledger, fee: bigint): string | null {
  if (fee === 0n) return null;
  const r = accrueToTreasury(ledger, DNS_ESCROW, fee);
  return r ? `${r.reason}: ${r.message}` : null;
}

/** Moves value or reports the ledger refusal as a refusal of the call. */
function move(ledger: Ledger, from: string, to: string, amount: bigint): string | null {
  if (amount === 0n) return null;
  const r = ledger.transfer(from, to, amount);
  return r ? `${r.reason}: ${r.message}` : null;
}

export function applyDns(s0: DnsState, c: DnsCall, ctx: TxContext, trade: boolean): ApplyResult<DnsState> {
  const s = draft(s0);
  const me = ctx.sender;
  switch (c.op) {
    case 'publish': {
      const r = c.record;
      if (recordOwner(r) !== me) return no('OwnershipMismatch', `the record key ${r.pubkey.slice(0, 12)}… is not the sender's key (${me})`);
      const cur = s.owners.get(r.domain);
      if (cur && cur.owner !== me) return no('OwnershipMismatch', `${r.domain} is owned by ${cur.owner}`);
      s.owners.set(r.domain, cur ? { ...cur, pubkey: r.pubkey, sig: r.sig } : { domain: r.domain, owner: me, acquiredAt: ctx.height, royaltyBps: 0, royaltyTo: me, lastSalePrice: 0n, pubkey: r.pubkey, sig: r.sig });
      s.counters.records++;
      return ok(s);
    }
    case 'list': {
      const o = s.owners.get(c.domain);
      if (!o) return no('VerificationRequired', `${c.domain} has no verified owner: publish a TXT record first`);
      if (o.owner !== me) return no('OwnershipMismatch', `${c.domain} is owned by ${o.owner}, not ${me}`);
      if (!o.pubkey) return no('VerificationRequired', `${c.domain} changed hands: its owner must publish a TXT record before selling`);
      if (s.auctions.get(c.domain)?.status === 'open') return no('AlreadyListed', `${c.domain} is already listed`);
      const royaltyBps = o.royaltyTo === me ? c.royaltyBps : o.royaltyBps;
      if (o.royaltyTo === me) s.owners.set(c.domain, { ...o, royaltyBps });
      s.auctions.set(c.domain, {
        domain: c.domain, seller: me, protocolFeeBps: PROTOCOL_FEE_BPS, royaltyBps, minBid: c.minBid, stakeRequirement: c.stakeRequirement,
        startH: ctx.height, startTs: ctx.timestampMs, endH: ctx.height + c.durationBlocks, status: 'open', trade, bids: [],
      });
      s.counters.listings++;
      return ok(s);
    }
    case 'stake': {
      if (c.amount === 0n) return no('StakeAmountZero', `stake ${c.ref}: amount must be > 0`);
      if (s.stakes.has(c.ref)) return no('InvalidStakeReference', `stake reference ${c.ref} is taken`);
      if (trade) {
        const e = move(ctx.ledger, me, DNS_ESCROW, c.amount);
        if (e) return refuse('insufficient_balance', `stake ${c.ref} of ${c.amount}: ${e}`);
      }
      s.stakes.set(c.ref, { ref: c.ref, owner: me, amount: c.amount, escrowed: trade, lockedOn: '' });
      return ok(s);
    }
    case 'unstake': {
      const k = s.stakes.get(c.ref);
      if (!k || k.owner !== me) return no('InvalidStakeReference', `no stake ${c.ref} of ${me}`);
      if (k.lockedOn) return no('ListingActive', `stake ${c.ref} backs a bid on ${k.lockedOn} until it is settled or outbid`);
      if (k.escrowed) {
        const e = move(ctx.ledger, DNS_ESCROW, me, k.amount);
        if (e) throw new Error(`dns escrow cannot return stake ${c.ref}: ${e}`);
      }
      s.stakes.delete(c.ref);
      return ok(s);
    }
    case 'bid': {
      const a = s.auctions.get(c.domain);
      if (!a) return no('AuctionMissing', `${c.domain} is not listed`);
      if (a.status !== 'open') return no('AuctionClosed', `the auction of ${c.domain} is ${a.status}`);
      if (ctx.height >= a.endH) return no('AuctionExpired', `the auction of ${c.domain} ended at height ${a.endH}`);
      if (a.seller === me) return no('InvalidBidder', 'the seller cannot bid on its own listing');
      const high = a.bids.at(-1);
      if (c.amount <= a.minBid) return no('BidTooLow', `bid ${c.amount} must exceed the minimum bid ${a.minBid}`);
      if (high && c.amount <= high.amount) return no('BidTooLow', `bid ${c.amount} must exceed the highest bid ${high.amount}`);
      const k = s.stakes.get(c.stakeRef);
      if (!k || k.owner !== me) return no('InvalidStakeReference', `no stake ${c.stakeRef} of ${me}`);
      if (k.lockedOn && k.lockedOn !== c.domain) return no('InvalidStakeReference', `stake ${c.stakeRef} already backs a bid on ${k.lockedOn}`);
      if (k.amount < a.stakeRequirement) return no('BidInsufficientStake', `stake ${c.stakeRef} holds ${k.amount}, the auction requires ${a.stakeRequirement}`);
      if (a.trade) {
        const e = move(ctx.ledger, me, DNS_ESCROW, c.amount);
        if (e) return refuse('insufficient_balance', `bid of ${c.amount}: ${e}`);
        if (high) {
          const back = move(ctx.ledger, DNS_ESCROW, high.bidder, high.amount);
          if (back) throw new Error(`dns escrow cannot refund the outbid bid on ${c.domain}: ${back}`);
        }
      }
      const bids = a.bids.map((b) => ({ ...b, stakeLocked: false }));
      if (high && high.stakeRef !== c.stakeRef) unlock(s, high.stakeRef, true);
      bids.push({ bidder: me, amount: c.amount, placedAt: ctx.height, stakeRef: c.stakeRef, stakeLocked: true });
      s.stakes.set(c.stakeRef, { ...k, lockedOn: c.domain });
      s.auctions.set(c.domain, { ...a, bids });
      s.counters.bids++;
      return ok(s);
    }
    case 'complete': {
      const a = s.auctions.get(c.domain);
      if (!a) return no('AuctionMissing', `${c.domain} is not listed`);
      if (a.status !== 'open') return no('AuctionClosed', `the auction of ${c.domain} is ${a.status}`);
      if (ctx.height < a.endH) return no('AuctionNotFinished', `the auction of ${c.domain} ends at height ${a.endH} (now ${ctx.height})`);
      const win = a.bids.at(-1);
      if (!win) return no('InvalidBidder', `the auction of ${c.domain} has no bids: cancel it instead`);
      return ok(settle(s, a, win.bidder, win.amount, win.stakeRef, ctx));
    }
    case 'cancel': {
      const a = s.auctions.get(c.domain);
      if (!a) return no('AuctionMissing', `${c.domain} is not listed`);
      if (a.status !== 'open') return no('AuctionClosed', `the auction of ${c.domain} is ${a.status}`);
      if (a.seller !== me) return no('InvalidSeller', `only the seller ${a.seller} can cancel`);
      if (a.bids.length > 0) return no('ListingActive', `the auction of ${c.domain} has ${a.bids.length} bid(s): complete it after height ${a.endH}`);
      s.auctions.set(c.domain, { ...a, status: 'cancelled' });
      s.counters.cancels++;
      return ok(s);
    }
  }
}

/** Releases a stake; `outbid` counts it as a stake unlock (the naming gate's dispute input), settlement does not. */
function unlock(s: DnsState, ref: string, outbid: boolean): void {
  const k: Stake | undefined = s.stakes.get(ref);
  if (k && k.lockedOn) {
    s.stakes.set(ref, { ...k, lockedOn: '' });
    if (outbid) s.counters.stakeUnlocks++;
  }
}

/** Pays out the winning bid (trade), records the sale, moves ownership, unlocks the stake. */
function settle(s: DnsState, a: Auction, buyer: string, price: bigint, stakeRef: string, ctx: TxContext): DnsState {
  const o = s.owners.get(a.domain)!;
  const fee = (price * BigInt(a.protocolFeeBps)) / 10_000n;
  const royaltyTo = o.royaltyTo;
  const royalty = royaltyTo === a.seller ? 0n : (price * BigInt(a.royaltyBps)) / 10_000n;
  const toSeller = price - fee - royalty;
  const events: Sale['events'] = [
    { kind: 'debit_buyer', account: buyer, amount: price },
    { kind: 'credit_seller', account: a.seller, amount: toSeller },
    ...(royalty > 0n ? [{ kind: 'credit_royalty' as const, account: royaltyTo, amount: royalty }] : []),
    { kind: 'treasury_accrual', account: TREASURY_ADDRESS, amount: fee },
  ];
  if (a.trade) {
    for (const e of events.slice(1)) {
      // The protocol fee goes through the treasury's accrual API (the one way modules pay it).
      const r = e.kind === 'treasury_accrual' ? accrue(ctx.ledger, e.amount) : move(ctx.ledger, DNS_ESCROW, e.account, e.amount);
      if (r) throw new Error(`dns escrow cannot settle ${a.domain}: ${r}`);
    }
  }
  unlock(s, stakeRef, false);
  s.auctions.set(a.domain, { ...a, status: 'completed', bids: a.bids.map((b) => ({ ...b, stakeLocked: false })) });
  s.owners.set(a.domain, { ...o, owner: buyer, acquiredAt: ctx.height, lastSalePrice: price, pubkey: '', sig: '' });
  const sale: Sale = { domain: a.domain, soldAt: ctx.height, seller: a.seller, buyer, price, protocolFee: fee, royaltyFee: royalty, trade: a.trade, durationBlocks: ctx.height - a.startH, events };
  s.sales = [...s.sales, sale].slice(-64);
  s.counters.completions++;
  return s;
}
