/**
 * Service side of `.block` names: RPC handlers (sign with a local wallet key and submit the
 * module's tx), the `gateway_dns` SimpleDb mirror of the registry (keys `auction:<domain>`,
 * `stake:<ref>`, `ownership:<domain>`, rewritten on every new head), metrics, the naming gate's
 * source and the deadline inbox entries.
 */
import path from 'node:path';
import client from 'prom-client';
import { DNS_ERRORS, type DnsAuction, type DnsOwnership, type DnsStake } from '../../shared/api/dns.js';
import { RpcError } from '../../shared/api/errors.js';
import { signCall } from '../chain/tx.js';
import type { Chain } from '../chain/chain.js';
import type { Logger } from 'pino';
import { EPOCH_BLOCKS } from '../chain/block.js';
import { applyEpochFor, governorState, intentKind } from '../governor/index.js';
import type { Deadline } from '../modules/index.js';
import { names, SimpleDb } from '../storage/simpledb.js';
import { Keystore } from '../wallet/keystore.js';
import { dnsState, kindOf, modeOf } from './chain-module.js';
import { DNS_DB_DIR } from './config.js';
import { evaluateNaming } from './gate.js';
import { formatRecord, isDomain, parseRecord, recordOwner, signRecord, verifyRecord } from './record.js';
import { DNS_ESCROW, REASON_OF, type DnsCall } from './rules.js';
import type { Auction, DnsState, Ownership, Stake } from './state.js';

/** Seconds a verification result is cached (spec: VERIFY_TTL). */
export const VERIFY_TTL_S = 3600;

export function dnsMetrics(registry: client.Registry) {
  const registers = [registry];
  return {
    outcome: new client.Counter({ name: 'dns_auction_outcome_total', help: 'Auctions closed on the chain since start, by outcome (completed, cancelled).', labelNames: ['outcome'], registers }),
    duration: new client.Histogram({ name: 'dns_auction_duration_seconds', help: 'Listing-to-settlement duration of completed auctions (seconds, from blocks × block time).', buckets: [10, 60, 300, 900, 3600, 21_600, 86_400], registers }),
    settlement: new client.Histogram({ name: 'dns_auction_settlement', help: 'Settlement price of completed auctions (base units).', buckets: [10, 100, 1e3, 1e4, 1e5, 1e6, 1e7], registers }),
    txt: new client.Counter({ name: 'dns_txt_verify_total', help: 'TXT record verifications on this node (publish + net.dns_verify), by result (ok, fail).', labelNames: ['result'], registers }),
    registry: new client.Gauge({ name: 'dns_registry_events', help: 'Registry counters from chain state (listings, bids, completions, cancels, stake_unlocks, records).', labelNames: ['kind'], registers }),
    mode: new client.Gauge({ name: 'dns_trade_mode', help: '1 when the registry moves value (naming_mode = trade), 0 in rehearsal/inactive.', registers }),
  };
}
export type DnsMetrics = ReturnType<typeof dnsMetrics>;

const s = (n: bigint): string => n.toString();

export function auctionView(a: Auction, height: number, blockTimeMs: number): DnsAuction {
  const bid = (b: Auction['bids'][number]) => ({ bidder: b.bidder, amount: s(b.amount), placed_at: b.placedAt, stake_ref: b.stakeRef, stake_locked: b.stakeLocked });
  const high = a.bids.at(-1);
  return {
    domain: a.domain, seller_account: a.seller, protocol_fee_bps: a.protocolFeeBps, royalty_bps: a.royaltyBps, min_bid: s(a.minBid), stake_requirement: s(a.stakeRequirement),
    start_height: a.startH, start_ts: a.startTs, end_height: a.endH, end_ts: a.startTs + (a.endH - a.startH) * blockTimeMs, status: a.status,
    phase: a.status !== 'open' ? a.status : height >= a.endH ? 'ended' : 'bidding', trade: a.trade, highest_bid: high ? bid(high) : null, bids: a.bids.map(bid),
  };
}
export const stakeView = (k: Stake): DnsStake => ({ reference: k.ref, owner: k.owner, amount: s(k.amount), escrowed: k.escrowed, locked_on: k.lockedOn || null });
export const ownershipView = (o: Ownership): DnsOwnership => ({
  domain: o.domain, owner_account: o.owner, acquired_at: o.acquiredAt, royalty_bps: o.royaltyBps, last_sale_price: s(o.lastSalePrice),
  pubkey: o.pubkey || null, txt: o.pubkey ? formatRecord({ domain: o.domain, pubkey: o.pubkey, sig: o.sig }) : null,
});

/** A chain refusal of a dns tx as the spec's error (−32060…−32074, `data.reason` = spec name). */
export function dnsError(err: unknown): unknown {
  if (err instanceof RpcError && typeof err.data?.reason === 'string') {
    const name = REASON_OF.get(err.data.reason);
    if (name) return new RpcError(DNS_ERRORS[name], err.message, { reason: name });
  }
  return err;
}
export const invalidDomain = (d: string): RpcError => new RpcError(DNS_ERRORS.InvalidDomain, `"${d}" is not a .block name (1-63 of a-z 0-9 -, then .block)`, { reason: 'InvalidDomain' });

export class DnsService {
  private txtOk = 0;
  private txtAttempts = 0;
  private readonly cache = new Map<string, { at: number; result: { domain: string | null; valid: boolean; reason: string } }>();
  private seen = { completions: -1, cancels: -1, sales: 0 };

  constructor(
    readonly chain: Chain,
    readonly keystore: Keystore,
    readonly db: SimpleDb,
    readonly m: DnsMetrics,
  ) {}

  static async open(chain: Chain, root: string, network: string, dbPath: string | undefined, m: DnsMetrics): Promise<DnsService> {
    const db = await SimpleDb.openNamed(names.GATEWAY_DNS, path.resolve(root, dbPath ?? DNS_DB_DIR));
    const svc = new DnsService(chain, new Keystore(root, network), db, m);
    await svc.onHead();
    return svc;
  }

  state = (): Readonly<DnsState> => this.chain.moduleState(dnsState);
  mode = () => modeOf(this.chain.moduleState(governorState));

  /** Signs `call` with the wallet key `from` and submits it; chain refusals become the spec's errors. */
  async submit(from: string, call: DnsCall): Promise<{ hash: string; status: 'pending' }> {
    const key = await this.keystore.get(from);
    const kind = kindOf(call.op);
    const tx = signCall({
      chainId: this.chain.genesis.chain_id, publicKey: key.publicKey, secretKey: key.secretKey,
      nonce: this.chain.accountState(key.address).pendingNonce, fee: this.chain.mempool.minFee, call: { tag: kind.tag, body: kind.encode(call) },
    });
    try {
      this.chain.submit(tx.bytes);
    } catch (err) {
      throw dnsError(err);
    }
    return { hash: tx.hash, status: 'pending' };
  }

  domain(d: string): string {
    if (!isDomain(d)) throw invalidDomain(d);
    return d;
  }

  async publish(from: string, domain: string) {
    this.domain(domain);
    const key = await this.keystore.get(from);
    const r = signRecord(domain, key);
    this.countTxt(verifyRecord(r));
    return { ...(await this.submit(from, { op: 'publish', record: r })), txt: formatRecord(r), pubkey: r.pubkey, sig: r.sig };
  }

  private countTxt(ok: boolean): void {
    this.txtAttempts++;
    if (ok) this.txtOk++;
    this.m.txt.inc({ result: ok ? 'ok' : 'fail' });
  }

  /** Verifies a TXT record text (cached VERIFY_TTL_S) and compares its key with the on-chain owner. */
  verify(txt: string, nowMs = Date.now()) {
    const hit = this.cache.get(txt);
    let cached = false;
    let base: { domain: string | null; valid: boolean; reason: string };
    if (hit && nowMs - hit.at < VERIFY_TTL_S * 1000) {
      base = hit.result;
      cached = true;
    } else {
      const r = parseRecord(txt);
      base = typeof r === 'string' ? { domain: null, valid: false, reason: r } : verifyRecord(r) ? { domain: r.domain, valid: true, reason: 'signature verifies' } : { domain: r.domain, valid: false, reason: 'signature does not verify (forged or altered record)' };
      this.cache.set(txt, { at: nowMs, result: base });
      if (this.cache.size > 4096) this.cache.delete(this.cache.keys().next().value!);
      this.countTxt(base.valid);
    }
    const owner = base.domain ? this.state().owners.get(base.domain) : undefined;
    const r = parseRecord(txt);
    const ownerMatch = base.valid && !!owner && typeof r !== 'string' && recordOwner(r) === owner.owner;
    return { ...base, owner_match: ownerMatch, owner_account: owner?.owner ?? null, cached };
  }

  view(domain?: string) {
    const st = this.state();
    const tip = this.chain.tip();
    const bt = this.chain.genesis.block_time_ms;
    const only = <T extends { domain: string }>(xs: T[]) => (domain ? xs.filter((x) => x.domain === domain) : xs);
    const c = st.counters;
    return {
      mode: this.mode(), height: tip.height, block_time_ms: bt, escrow: DNS_ESCROW,
      auctions: only([...st.auctions.values()]).map((a) => auctionView(a, tip.height, bt)),
      stakes: [...st.stakes.values()].map(stakeView),
      ownership: only([...st.owners.values()]).map(ownershipView),
      sales: only(st.sales).map((x) => ({
        domain: x.domain, sold_at: x.soldAt, seller_account: x.seller, buyer_account: x.buyer, price: s(x.price), protocol_fee: s(x.protocolFee), royalty_fee: s(x.royaltyFee),
        ledger_events: x.events.map((e) => ({ kind: e.kind, account: e.account, amount: s(e.amount) })), trade: x.trade, duration_blocks: x.durationBlocks,
      })),
      counters: { listings: c.listings, bids: c.bids, completions: c.completions, cancels: c.cancels, stake_unlocks: c.stakeUnlocks, records: c.records },
    };
  }

  /** Follows the chain: metrics of new outcomes, and the SimpleDb mirror. */
  async onHead(): Promise<void> {
    const st = this.state();
    const c = st.counters;
    if (this.seen.completions >= 0) {
      if (c.completions > this.seen.completions) this.m.outcome.inc({ outcome: 'completed' }, c.completions - this.seen.completions);
      if (c.cancels > this.seen.cancels) this.m.outcome.inc({ outcome: 'cancelled' }, c.cancels - this.seen.cancels);
      const bt = this.chain.genesis.block_time_ms;
      for (const sale of st.sales.filter((x) => x.soldAt > this.seen.sales)) {
        this.m.duration.observe((sale.durationBlocks * bt) / 1000);
        this.m.settlement.observe(Number(sale.price));
      }
    }
    this.seen = { completions: c.completions, cancels: c.cancels, sales: st.sales.at(-1)?.soldAt ?? this.seen.sales };
    for (const [k, v] of Object.entries({ listings: c.listings, bids: c.bids, completions: c.completions, cancels: c.cancels, stake_unlocks: c.stakeUnlocks, records: c.records })) this.m.registry.set({ kind: k }, v);
    this.m.mode.set(this.mode() === 'trade' ? 1 : 0);
    const b = this.db.batch();
    const want = new Set<string>();
    const tip = this.chain.tip();
    const bt = this.chain.genesis.block_time_ms;
    const put = (key: string, value: unknown) => {
      want.add(key);
      b.insertJson(key, value);
    };
    for (const a of st.auctions.values()) put(`auction:${a.domain}`, auctionView(a, tip.height, bt));
    for (const k of st.stakes.values()) put(`stake:${k.ref}`, stakeView(k));
    for (const o of st.owners.values()) put(`ownership:${o.domain}`, ownershipView(o));
    for (const p of ['auction:', 'stake:', 'ownership:']) for (const k of await this.db.keysWithPrefix(p)) if (!want.has(k)) b.remove(k);
    await b.write();
  }

  /**
   * Dev chains (config `dns_dev_trade`): the node, as the dev chain's validator, votes the naming
   * gate's trade intent (the same on-chain path as the governor's decision), so trade mode is part
   * of the chain's history and replays. Not on other networks.
   */
  voteDevTrade(network: string, logger: Logger): void {
    if (network !== 'dev') {
      logger.warn({ network }, 'dns_dev_trade is ignored outside the dev network');
      return;
    }
    if (this.mode() === 'trade') return;
    const epochApply = applyEpochFor(this.chain.tip().height, EPOCH_BLOCKS);
    try {
      const hash = this.chain.submitCall(intentKind, { gate: 'naming', action: 'trade', epochApply, patch: '{"naming_mode":"trade"}' });
      logger.info({ epoch_apply: epochApply, tx: hash }, 'dns: dev trade mode voted (naming_mode = trade from that epoch)');
    } catch (err) {
      logger.warn({ err }, 'dns: dev trade intent not submitted');
    }
  }

  gate() {
    const st = this.state();
    const total = [...st.stakes.values()].reduce((a, k) => a + k.amount, 0n);
    return evaluateNaming({
      txtAttempts: this.txtAttempts, txtOk: this.txtOk, completions: st.counters.completions, cancels: st.counters.cancels, stakeUnlocks: st.counters.stakeUnlocks,
      salePrices: st.sales.map((x) => x.price), totalStake: total, mode: this.mode(),
    });
  }

  deadlines(): Deadline[] {
    const st = this.state();
    const tip = this.chain.tip();
    const bt = this.chain.genesis.block_time_ms;
    const at = (h: number) => tip.timestamp_ms + Math.max(0, h - tip.height) * bt;
    const out: Deadline[] = [];
    for (const a of st.auctions.values()) {
      if (a.status !== 'open') continue;
      if (tip.height < a.endH) out.push({ module: 'dns', kind: 'dns_auction_end', label: `auction of ${a.domain} ends`, height: a.endH, at_ms: at(a.endH) });
      else out.push({ module: 'dns', kind: a.bids.length > 0 ? 'dns_complete_sale' : 'dns_cancel_sale', label: a.bids.length > 0 ? `complete the sale of ${a.domain}` : `cancel the unsold listing of ${a.domain}`, height: a.endH, at_ms: at(a.endH) });
    }
    for (const k of st.stakes.values()) if (!k.lockedOn) out.push({ module: 'dns', kind: 'dns_withdraw_stake', label: `stake ${k.ref} is unlocked (withdraw or reuse)`, height: tip.height });
    return out.sort((x, y) => (x.height ?? 0) - (y.height ?? 0));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
