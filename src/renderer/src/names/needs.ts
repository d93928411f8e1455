/**
 * What each of my bids, names and stakes still needs (pure; the Names page and its tests use it).
 * "Mine" = the addresses of this node's local wallet keys.
 */
import type { DnsAuction, DnsOwnership, DnsStake } from '../../../shared/api/dns';

export type Action = 'complete' | 'publish' | 'withdraw' | 'rebid' | null;
export interface Need {
  domain: string;
  /** Who should act (wallet key name). */
  key: string | undefined;
  text: string;
  action: Action;
  tone: 'ok' | 'warn' | 'bad';
  stakeRef?: string;
}

export function blocksLeft(a: DnsAuction, height: number): number {
  return Math.max(0, a.end_height - height);
}

/** "2m 05s" style countdown from ms (0 → "now"). */
export function countdown(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m ${String(r).padStart(2, '0')}s` : `${r}s`;
}

export function bidNeeds(auctions: DnsAuction[], mine: Map<string, string>, height: number, owners: DnsOwnership[] = []): Need[] {
  const out: Need[] = [];
  for (const a of auctions) {
    const my = a.bids.filter((b) => mine.has(b.bidder));
    if (my.length === 0) continue;
    const last = my[my.length - 1];
    const key = mine.get(last.bidder);
    const leading = a.highest_bid?.bidder === last.bidder;
    if (a.phase === 'bidding')
      out.push(
        leading
          ? { domain: a.domain, key, text: `leading with ${a.highest_bid!.amount}; nothing to do until height ${a.end_height} (${blocksLeft(a, height)} block(s))`, action: null, tone: 'ok' }
          : { domain: a.domain, key, text: `outbid: ${a.highest_bid!.amount} leads — bid more than that, or withdraw stake ${last.stake_ref}`, action: 'rebid', tone: 'warn', stakeRef: last.stake_ref },
      );
    else if (a.phase === 'ended')
      out.push(leading ? { domain: a.domain, key, text: `won at ${a.highest_bid!.amount}: complete the sale to take the name`, action: 'complete', tone: 'bad' } : { domain: a.domain, key, text: 'lost: withdraw your stake', action: 'withdraw', tone: 'warn', stakeRef: last.stake_ref });
    else if (a.phase === 'completed')
      out.push(
        !leading
          ? { domain: a.domain, key, text: 'lost: stake unlocked', action: null, tone: 'ok' }
          : owners.find((o) => o.domain === a.domain && o.owner_account === last.bidder)?.txt
            ? { domain: a.domain, key, text: 'bought and verified: nothing left to do', action: null, tone: 'ok' }
            : { domain: a.domain, key, text: 'bought: publish a TXT record to verify ownership (needed before reselling)', action: 'publish', tone: 'warn' },
      );
  }
  return out;
}

export function nameNeeds(owners: DnsOwnership[], mine: Map<string, string>): Need[] {
  return owners
    .filter((o) => mine.has(o.owner_account))
    .map((o) => ({ domain: o.domain, key: mine.get(o.owner_account), text: o.txt ? 'verified' : 'not verified: publish its TXT record', action: o.txt ? null : ('publish' as const), tone: o.txt ? ('ok' as const) : ('warn' as const) }));
}

export function stakeNeeds(stakes: DnsStake[], mine: Map<string, string>): Need[] {
  return stakes
    .filter((s) => mine.has(s.owner))
    .map((s) => ({ domain: s.locked_on ?? '', key: mine.get(s.owner), text: s.locked_on ? `locked on ${s.locked_on}` : 'unlocked: withdraw or reuse', action: s.locked_on ? null : ('withdraw' as const), tone: s.locked_on ? ('ok' as const) : ('warn' as const), stakeRef: s.reference }));
}
