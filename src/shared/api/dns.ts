/**
 * `.block` names (issue 16; spec/other_subsystems.md §1): auctions against locked stake, ownership
 * verified by signed TXT records. Declared once, spread into METHODS. Amounts are decimal strings
 * of base units; heights are block heights; times in ms. Mutating calls are signed by a local
 * wallet key named in `from` (like `wallet.transfer`) and return the pending tx.
 * Errors: −32060…−32074 with the spec's names as `data.reason` (DNS_ERRORS).
 */
import { z } from 'zod';
import { defineContract, defineMethod } from './define.js';
import { zAddress, zHash, zU64 } from './numbers.js';

/** Spec error names (DNS L740-754) → JSON-RPC code, in order −32060…−32074. */
export const DNS_ERRORS = {
  InvalidDomain: -32060,
  VerificationRequired: -32061,
  AlreadyListed: -32062,
  ListingActive: -32063,
  OwnershipMismatch: -32064,
  AuctionMissing: -32065,
  AuctionClosed: -32066,
  AuctionExpired: -32067,
  AuctionNotFinished: -32068,
  BidTooLow: -32069,
  BidInsufficientStake: -32070,
  InvalidBidder: -32071,
  InvalidSeller: -32072,
  InvalidStakeReference: -32073,
  StakeAmountZero: -32074,
} as const;
export type DnsErrorName = keyof typeof DNS_ERRORS;
export const DNS_REASONS = Object.keys(DNS_ERRORS) as DnsErrorName[];

/** A `.block` name: 1-63 of a-z 0-9 - (not starting or ending with -), then `.block`. */
export const DOMAIN_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.block$/;
export const zDomain = z.string().regex(DOMAIN_RE, 'must be a .block name like "alice.block" (1-63 of a-z 0-9 -)');
/** A name param: checked by the handler so a bad name answers −32060 InvalidDomain. */
const zName = z.string().min(1).max(253);
export const zStakeRef = z.string().regex(/^[a-z0-9_-]{1,64}$/, 'must be 1-64 of a-z 0-9 _ -');
const zFrom = z.string().min(1).max(64).describe('local wallet key name ("faucet" on dev)');

export const DnsMode = z.enum(['inactive', 'rehearsal', 'trade']);
export type DnsMode = z.infer<typeof DnsMode>;

export const DnsBid = z.object({ bidder: zAddress, amount: z.string(), placed_at: z.number().int(), stake_ref: z.string(), stake_locked: z.boolean() });
export const DnsAuction = z.object({
  domain: z.string(),
  seller_account: zAddress,
  protocol_fee_bps: z.number().int(),
  royalty_bps: z.number().int(),
  min_bid: z.string(),
  stake_requirement: z.string(),
  /** Listing height and block time (ms). */
  start_height: z.number().int(),
  start_ts: z.number().int(),
  /** First height at which the sale may complete (bids are refused from it on). */
  end_height: z.number().int(),
  /** Expected wall-clock end (ms) from the block time. */
  end_ts: z.number().int(),
  status: z.enum(['open', 'completed', 'cancelled']),
  /** `ended` = open and past end_height (waiting for complete/cancel). */
  phase: z.enum(['bidding', 'ended', 'completed', 'cancelled']),
  /** Whether value moves in this auction (trade mode when listed). */
  trade: z.boolean(),
  highest_bid: DnsBid.nullable(),
  bids: z.array(DnsBid),
});
export type DnsAuction = z.infer<typeof DnsAuction>;
export const DnsStake = z.object({ reference: z.string(), owner: zAddress, amount: z.string(), escrowed: z.boolean(), locked_on: z.string().nullable() });
export type DnsStake = z.infer<typeof DnsStake>;
export const DnsOwnership = z.object({
  domain: z.string(), owner_account: zAddress, acquired_at: z.number().int(), royalty_bps: z.number().int(), last_sale_price: z.string(),
  /** Ed25519 public key (64 hex) of the last verified record; null = not verified since acquisition. */
  pubkey: z.string().nullable(),
  /** The TXT record text (`tb-domain=<d>;pubkey=<64 hex>;sig=<128 hex>`); null = none. */
  txt: z.string().nullable(),
});
export type DnsOwnership = z.infer<typeof DnsOwnership>;
export const DnsLedgerEvent = z.object({ kind: z.enum(['debit_buyer', 'credit_seller', 'credit_royalty', 'treasury_accrual']), account: zAddress, amount: z.string() });
export const DnsSale = z.object({
  domain: z.string(), sold_at: z.number().int(), seller_account: zAddress, buyer_account: zAddress, price: z.string(), protocol_fee: z.string(), royalty_fee: z.string(),
  ledger_events: z.array(DnsLedgerEvent), trade: z.boolean(), duration_blocks: z.number().int(),
});
export const DnsCounters = z.object({ listings: z.number().int(), bids: z.number().int(), completions: z.number().int(), cancels: z.number().int(), stake_unlocks: z.number().int(), records: z.number().int() });

const pending = z.object({ hash: zHash, status: z.literal('pending') });

export const dnsAuctions = defineMethod({
  name: 'dns.auctions',
  summary: 'Registry view: mode, auctions (every phase), stakes, ownership records, recent sales and counters; `domain` narrows auctions and ownership to one name.',
  params: z.object({ domain: zName.optional() }),
  order: ['domain'],
  result: z.object({
    mode: DnsMode, height: z.number().int(), block_time_ms: z.number().int(), escrow: zAddress,
    auctions: z.array(DnsAuction), stakes: z.array(DnsStake), ownership: z.array(DnsOwnership), sales: z.array(DnsSale), counters: DnsCounters,
  }),
  mutating: false,
});

export const dnsPublishRecord = defineMethod({
  name: 'dns.publish_record',
  summary: 'Publish a TXT ownership record: the key `from` signs `tb-domain=<d>;pubkey=<hex>` (Ed25519); the chain verifies it and makes the signer the verified owner of an unowned name (or re-verifies its own). Returns the record and the pending tx.',
  params: z.object({ from: zFrom, domain: zName }),
  order: ['from', 'domain'],
  result: pending.extend({ txt: z.string(), pubkey: z.string(), sig: z.string() }),
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const dnsListForSale = defineMethod({
  name: 'dns.list_for_sale',
  summary: 'List a verified name for auction: min_bid and stake_requirement (base units), royalty_bps ≤ 10000, duration in blocks.',
  params: z.object({
    from: zFrom, domain: zName, min_bid: zU64, stake_requirement: zU64.optional(),
    royalty_bps: z.number().int().min(0).max(10_000).optional(), duration_blocks: z.number().int().min(1).max(1_000_000).optional(),
  }),
  order: ['from', 'domain', 'min_bid', 'stake_requirement', 'royalty_bps', 'duration_blocks'],
  result: pending,
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const dnsRegisterStake = defineMethod({
  name: 'dns.register_stake',
  summary: 'Register stake under a reference (locked into the registry escrow in trade mode; recorded only in rehearsal).',
  params: z.object({ from: zFrom, reference: zStakeRef, amount: zU64 }),
  order: ['from', 'reference', 'amount'],
  result: pending,
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const dnsWithdrawStake = defineMethod({
  name: 'dns.withdraw_stake',
  summary: 'Withdraw an unlocked stake (its escrowed value returns to the owner).',
  params: z.object({ from: zFrom, reference: zStakeRef }),
  order: ['from', 'reference'],
  result: pending,
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const dnsStakeStatus = defineMethod({
  name: 'dns.stake_status',
  summary: 'One stake by reference. Missing → −32073 InvalidStakeReference.',
  params: z.object({ reference: zStakeRef }),
  order: ['reference'],
  result: DnsStake,
  mutating: false,
  reasons: ['InvalidStakeReference'],
});

export const dnsPlaceBid = defineMethod({
  name: 'dns.place_bid',
  summary: 'Bid on an open auction: amount > min_bid and > the highest bid, backed by a stake ≥ the stake requirement (escrowed in trade mode; an outbid bid is refunded).',
  params: z.object({ from: zFrom, domain: zName, amount: zU64, stake_ref: zStakeRef }),
  order: ['from', 'domain', 'amount', 'stake_ref'],
  result: pending,
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const dnsCompleteSale = defineMethod({
  name: 'dns.complete_sale',
  summary: 'Settle an auction after its end height: pays seller, royalty and treasury accrual from the winning bid, transfers ownership, unlocks the stakes.',
  params: z.object({ from: zFrom, domain: zName }),
  order: ['from', 'domain'],
  result: pending,
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const dnsCancelSale = defineMethod({
  name: 'dns.cancel_sale',
  summary: 'Cancel a listing that has no bids (seller only).',
  params: z.object({ from: zFrom, domain: zName }),
  order: ['from', 'domain'],
  result: pending,
  mutating: true,
  reasons: [...DNS_REASONS],
});

export const netDnsVerify = defineMethod({
  name: 'net.dns_verify',
  summary: 'Verify a TXT record text `tb-domain=<d>;pubkey=<64 hex>;sig=<128 hex>` (Ed25519), and whether its key is the name’s on-chain owner. Cached VERIFY_TTL = 3600 s.',
  params: z.object({ txt: z.string().min(1).max(512) }),
  order: ['txt'],
  result: z.object({ domain: z.string().nullable(), valid: z.boolean(), owner_match: z.boolean(), owner_account: zAddress.nullable(), reason: z.string(), cached: z.boolean() }),
  mutating: false,
});

export const DNS_METHODS = [dnsAuctions, dnsPublishRecord, dnsListForSale, dnsRegisterStake, dnsWithdrawStake, dnsStakeStatus, dnsPlaceBid, dnsCompleteSale, dnsCancelSale, netDnsVerify] as const;

/** `.block` names' contract slice (the contract's module list, modules.ts). */
export const DNS_CONTRACT = defineContract({ id: 'dns', methods: DNS_METHODS, dashboard: 'tb-names' });
