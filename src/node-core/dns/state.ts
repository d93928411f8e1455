/**
 * Registry state of the `.block` names module (chain state of module `dns`), canonical CBOR:
 *   [auctions [[domain, seller, protocol_fee_bps, royalty_bps, min_bid, stake_req, start_h, start_ts, end_h, status, trade 0|1,
 *               bids [[bidder, amount, placed_at, stake_ref, stake_locked 0|1]…]]…] sorted by domain,
 *    stakes [[ref, owner, amount, escrowed 0|1, locked_on ("" = none)]…] sorted by ref,
 *    owners [[domain, owner, acquired_at, royalty_bps, royalty_to, last_sale_price, pubkey hex ("" = unverified), sig hex]…] sorted by domain,
 *    sales [[domain, sold_at, seller, buyer, price, protocol_fee, royalty_fee, trade 0|1, duration_blocks, events [[kind, account, amount]…]]…] last SALES_MAX,
 *    counters [listings, bids, completions, cancels, stake_unlocks, records]]
 * Addresses are `tb1…` text, amounts u64 base units, heights integers, `start_ts` ms.
 * A closed auction stays (status completed/cancelled) until the name is listed again.
 */
import { asArray, asSafeInt, asU64, CodecError } from '../codec/canonical.js';

export const SALES_MAX = 64;
export type AuctionStatus = 'open' | 'completed' | 'cancelled';
const STATUS: readonly AuctionStatus[] = ['open', 'completed', 'cancelled'];

export interface Bid {
  bidder: string;
  amount: bigint;
  placedAt: number;
  stakeRef: string;
  /** The stake is still locked on this auction (false once outbid or settled). */
  stakeLocked: boolean;
}
export interface Auction {
  domain: string;
  seller: string;
  protocolFeeBps: number;
  royaltyBps: number;
  minBid: bigint;
  stakeRequirement: bigint;
  startH: number;
  startTs: number;
  endH: number;
  status: AuctionStatus;
  /** Listed in trade mode: bids are escrowed and the sale moves value. */
  trade: boolean;
  /** In placement order; the last is the highest. */
  bids: Bid[];
}
export interface Stake {
  ref: string;
  owner: string;
  amount: bigint;
  /** Its value sits in the escrow account (trade mode at registration). */
  escrowed: boolean;
  /** Domain of the auction it backs a bid on; "" = unlocked. */
  lockedOn: string;
}
export interface Ownership {
  domain: string;
  owner: string;
  acquiredAt: number;
  royaltyBps: number;
  /** Who receives royalties on resales (the first verified owner). */
  royaltyTo: string;
  lastSalePrice: bigint;
  /** Verified record key (64 hex) and signature (128 hex); "" = not verified since acquisition. */
  pubkey: string;
  sig: string;
}
export type LedgerKind = 'debit_buyer' | 'credit_seller' | 'credit_royalty' | 'treasury_accrual';
const LEDGER_KINDS: readonly LedgerKind[] = ['debit_buyer', 'credit_seller', 'credit_royalty', 'treasury_accrual'];
export interface Sale {
  domain: string;
  soldAt: number;
  seller: string;
  buyer: string;
  price: bigint;
  protocolFee: bigint;
  royaltyFee: bigint;
  trade: boolean;
  durationBlocks: number;
  events: { kind: LedgerKind; account: string; amount: bigint }[];
}
export interface Counters {
  listings: number;
  bids: number;
  completions: number;
  cancels: number;
  stakeUnlocks: number;
  records: number;
}
export interface DnsState {
  auctions: Map<string, Auction>;
  stakes: Map<string, Stake>;
  owners: Map<string, Ownership>;
  sales: Sale[];
  counters: Counters;
}

export const ZERO_COUNTERS: Counters = { listings: 0, bids: 0, completions: 0, cancels: 0, stakeUnlocks: 0, records: 0 };
export const EMPTY_DNS: DnsState = { auctions: new Map(), stakes: new Map(), owners: new Map(), sales: [], counters: ZERO_COUNTERS };

const byKey = <T>(m: Map<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);
const flag = (b: boolean): number => (b ? 1 : 0);
function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.length > 128) throw new CodecError(`${field} must be text of at most 128 characters`);
  return v;
}
function bool(v: unknown, field: string): boolean {
  const n = asSafeInt(v, field, 1);
  return n === 1;
}

export function encodeDns(s: DnsState): unknown {
  const c = s.counters;
  return [
    byKey(s.auctions).map((a) => [a.domain, a.seller, a.protocolFeeBps, a.royaltyBps, a.minBid, a.stakeRequirement, a.startH, a.startTs, a.endH, a.status, flag(a.trade),
      a.bids.map((b) => [b.bidder, b.amount, b.placedAt, b.stakeRef, flag(b.stakeLocked)])]),
    byKey(s.stakes).map((k) => [k.ref, k.owner, k.amount, flag(k.escrowed), k.lockedOn]),
    byKey(s.owners).map((o) => [o.domain, o.owner, o.acquiredAt, o.royaltyBps, o.royaltyTo, o.lastSalePrice, o.pubkey, o.sig]),
    s.sales.map((x) => [x.domain, x.soldAt, x.seller, x.buyer, x.price, x.protocolFee, x.royaltyFee, flag(x.trade), x.durationBlocks, x.events.map((e) => [e.kind, e.account, e.amount])]),
    [c.listings, c.bids, c.completions, c.cancels, c.stakeUnlocks, c.records],
  ];
}

export function decodeDns(v: unknown): DnsState {
  const a = asArray(v, 'dns state', 5);
  const auctions = new Map<string, Auction>();
  for (const e of asArray(a[0], 'dns.auctions')) {
    const r = asArray(e, 'dns auction', 12);
    const status = text(r[9], 'auction.status') as AuctionStatus;
    if (!STATUS.includes(status)) throw new CodecError(`auction.status "${status}" is unknown`);
    const domain = text(r[0], 'auction.domain');
    auctions.set(domain, {
      domain, seller: text(r[1], 'auction.seller'), protocolFeeBps: asSafeInt(r[2], 'auction.protocol_fee_bps', 10_000), royaltyBps: asSafeInt(r[3], 'auction.royalty_bps', 10_000),
      minBid: asU64(r[4], 'auction.min_bid'), stakeRequirement: asU64(r[5], 'auction.stake_requirement'), startH: asSafeInt(r[6], 'auction.start_h'), startTs: asSafeInt(r[7], 'auction.start_ts'),
      endH: asSafeInt(r[8], 'auction.end_h'), status, trade: bool(r[10], 'auction.trade'),
      bids: asArray(r[11], 'auction.bids').map((b) => {
        const x = asArray(b, 'bid', 5);
        return { bidder: text(x[0], 'bid.bidder'), amount: asU64(x[1], 'bid.amount'), placedAt: asSafeInt(x[2], 'bid.placed_at'), stakeRef: text(x[3], 'bid.stake_ref'), stakeLocked: bool(x[4], 'bid.stake_locked') };
      }),
    });
  }
  const stakes = new Map<string, Stake>();
  for (const e of asArray(a[1], 'dns.stakes')) {
    const r = asArray(e, 'dns stake', 5);
    const ref = text(r[0], 'stake.ref');
    stakes.set(ref, { ref, owner: text(r[1], 'stake.owner'), amount: asU64(r[2], 'stake.amount'), escrowed: bool(r[3], 'stake.escrowed'), lockedOn: text(r[4], 'stake.locked_on') });
  }
  const owners = new Map<string, Ownership>();
  for (const e of asArray(a[2], 'dns.owners')) {
    const r = asArray(e, 'dns ownership', 8);
    const domain = text(r[0], 'owner.domain');
    owners.set(domain, {
      domain, owner: text(r[1], 'owner.owner'), acquiredAt: asSafeInt(r[2], 'owner.acquired_at'), royaltyBps: asSafeInt(r[3], 'owner.royalty_bps', 10_000), royaltyTo: text(r[4], 'owner.royalty_to'),
      lastSalePrice: asU64(r[5], 'owner.last_sale_price'), pubkey: text(r[6], 'owner.pubkey'), sig: text(r[7], 'owner.sig'),
    });
  }
  const sales = asArray(a[3], 'dns.sales').map((e): Sale => {
    const r = asArray(e, 'dns sale', 10);
    return {
      domain: text(r[0], 'sale.domain'), soldAt: asSafeInt(r[1], 'sale.sold_at'), seller: text(r[2], 'sale.seller'), buyer: text(r[3], 'sale.buyer'), price: asU64(r[4], 'sale.price'),
      protocolFee: asU64(r[5], 'sale.protocol_fee'), royaltyFee: asU64(r[6], 'sale.royalty_fee'), trade: bool(r[7], 'sale.trade'), durationBlocks: asSafeInt(r[8], 'sale.duration_blocks'),
      events: asArray(r[9], 'sale.events').map((x) => {
        const ev = asArray(x, 'ledger event', 3);
        const kind = text(ev[0], 'event.kind') as LedgerKind;
        if (!LEDGER_KINDS.includes(kind)) throw new CodecError(`ledger event kind "${kind}" is unknown`);
        return { kind, account: text(ev[1], 'event.account'), amount: asU64(ev[2], 'event.amount') };
      }),
    };
  });
  const c = asArray(a[4], 'dns.counters', 6).map((x, i) => asSafeInt(x, `dns.counters[${i}]`));
  return { auctions, stakes, owners, sales, counters: { listings: c[0], bids: c[1], completions: c[2], cancels: c[3], stakeUnlocks: c[4], records: c[5] } };
}
