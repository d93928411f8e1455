/**
 * `.block` names from the command line (issue 16; spec/other_subsystems.md §1):
 *   contract-cli gateway domain list|bid|complete|cancel|stake-register|stake-withdraw|stake-status|status
 *   contract-cli net dns verify <txt>
 * Each asks the node (`dns.*`, `net.dns_verify`); mutating commands sign with the node's wallet
 * key named by `--from` (default "faucet" on dev). Exit codes: 0 ok; 1 node error (the spec
 * error name is printed, e.g. `BidTooLow`); 2 usage.
 */
import { Command, Option } from 'commander';
import type { DnsAuction } from '../../shared/api/dns.js';
import { clientFor, intFlag, output, SilentFailure, table, u64Flag, withCommon, type CommonOpts } from '../common.js';

type Opts = CommonOpts & { from: string };
const from = () => new Option('--from <key>', 'wallet key that signs ("faucet" on dev)').default('faucet');
const sent = (what: string) => (r: { hash: string }) => [`${what}: tx ${r.hash} pending (see contract-cli tx status ${r.hash})`];

function auctionLine(a: DnsAuction, height: number): string {
  const left = a.phase === 'bidding' ? `${a.end_height - height} block(s) left` : a.phase;
  const high = a.highest_bid ? `highest ${a.highest_bid.amount} by ${a.highest_bid.bidder}` : `no bids (min ${a.min_bid})`;
  return `${a.domain.padEnd(24)} ${a.phase.padEnd(10)} ${left.padEnd(20)} ${high}  stake ≥ ${a.stake_requirement}  ${a.trade ? 'trade' : 'rehearsal'}`;
}

export function gatewayCommand(): Command {
  const gw = new Command('gateway').description('gateway services: .block names');
  const dom = gw.command('domain').description('.block name auctions, stakes and ownership');

  withCommon(dom.command('status').description('registry mode, auctions by phase, stakes, names (dns.auctions)').argument('[domain]', 'one name')).action(async (domain: string | undefined, opts: CommonOpts) => {
    const { client } = clientFor(opts);
    const r = await client.call('dns.auctions', domain ? [domain] : []);
    output(opts.format, r, (v) => [
      ...table([['mode', v.mode], ['height', v.height], ['escrow', v.escrow], ['counters', JSON.stringify(v.counters)]]),
      '', 'auctions:', ...(v.auctions.length ? v.auctions.map((a) => '  ' + auctionLine(a, v.height)) : ['  none']),
      '', 'names:', ...(v.ownership.length ? v.ownership.map((o) => `  ${o.domain.padEnd(24)} ${o.owner_account} ${o.pubkey ? 'verified' : 'NOT VERIFIED (publish a record)'}`) : ['  none']),
      '', 'stakes:', ...(v.stakes.length ? v.stakes.map((s) => `  ${s.reference.padEnd(20)} ${s.amount.padStart(12)} ${s.owner} ${s.locked_on ? `locked on ${s.locked_on}` : 'unlocked'}`) : ['  none']),
    ]);
  });

  withCommon(
    dom.command('list').description('publish the TXT record if needed, then list a name for auction (dns.list_for_sale)').argument('<domain>')
      .requiredOption('--min-bid <n>', 'minimum bid (base units; bids must exceed it)')
      .addOption(new Option('--stake <n>', 'stake each bidder must lock (base units)').default('0'))
      .addOption(new Option('--royalty-bps <n>', 'royalty on resales, 0-10000 bps').default('0'))
      .addOption(new Option('--blocks <n>', 'auction duration in blocks').default('30'))
      .addOption(new Option('--publish', 'publish the TXT ownership record first (dns.publish_record)'))
      .addOption(from()),
  ).action(async (domain: string, opts: Opts & { minBid: string; stake: string; royaltyBps: string; blocks: string; publish?: boolean }) => {
    const { client } = clientFor(opts);
    const params = { from: opts.from, domain, min_bid: u64Flag('--min-bid', opts.minBid).toString(), stake_requirement: u64Flag('--stake', opts.stake).toString(), royalty_bps: intFlag('--royalty-bps', opts.royaltyBps), duration_blocks: intFlag('--blocks', opts.blocks) };
    if (opts.publish) {
      const p = await client.call('dns.publish_record', { from: opts.from, domain });
      if (opts.format === 'human') process.stdout.write(`record: ${p.txt}\nwaiting for the record to be included…\n`);
      // The listing is checked against chain state: wait until the record is in a block.
      const deadline = Date.now() + 120_000;
      while ((await client.call('tx.status', [p.hash])).status !== 'included') {
        if (Date.now() > deadline) throw new Error(`the TXT record tx ${p.hash} was not included within 120 s; list again once it is (contract-cli tx status ${p.hash})`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    output(opts.format, await client.call('dns.list_for_sale', params), sent(`listed ${domain}`));
  });

  withCommon(dom.command('bid').description('bid on an auction with a registered stake (dns.place_bid)').argument('<domain>').argument('<amount>').requiredOption('--stake-ref <ref>', 'stake reference backing the bid').addOption(from()))
    .action(async (domain: string, amount: string, opts: Opts & { stakeRef: string }) => {
      const { client } = clientFor(opts);
      output(opts.format, await client.call('dns.place_bid', { from: opts.from, domain, amount: u64Flag('<amount>', amount).toString(), stake_ref: opts.stakeRef }), sent(`bid ${amount} on ${domain}`));
    });
  withCommon(dom.command('complete').description('settle an ended auction (dns.complete_sale)').argument('<domain>').addOption(from())).action(async (domain: string, opts: Opts) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('dns.complete_sale', { from: opts.from, domain }), sent(`complete ${domain}`));
  });
  withCommon(dom.command('cancel').description('cancel a listing without bids (dns.cancel_sale)').argument('<domain>').addOption(from())).action(async (domain: string, opts: Opts) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('dns.cancel_sale', { from: opts.from, domain }), sent(`cancel ${domain}`));
  });
  withCommon(dom.command('stake-register').description('register stake under a reference (dns.register_stake)').argument('<reference>').argument('<amount>').addOption(from()))
    .action(async (reference: string, amount: string, opts: Opts) => {
      const { client } = clientFor(opts);
      output(opts.format, await client.call('dns.register_stake', { from: opts.from, reference, amount: u64Flag('<amount>', amount).toString() }), sent(`stake ${reference}`));
    });
  withCommon(dom.command('stake-withdraw').description('withdraw an unlocked stake (dns.withdraw_stake)').argument('<reference>').addOption(from())).action(async (reference: string, opts: Opts) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('dns.withdraw_stake', { from: opts.from, reference }), sent(`withdraw ${reference}`));
  });
  withCommon(dom.command('stake-status').description('one stake (dns.stake_status)').argument('<reference>')).action(async (reference: string, opts: CommonOpts) => {
    const { client } = clientFor(opts);
    output(opts.format, await client.call('dns.stake_status', [reference]), (s) =>
      table([['reference', s.reference], ['owner', s.owner], ['amount', s.amount], ['escrowed', s.escrowed ? 'yes (trade mode)' : 'no (rehearsal)'], ['locked on', s.locked_on ?? 'unlocked']]),
    );
  });
  return gw;
}

export function netCommand(): Command {
  const net = new Command('net').description('network checks');
  const dns = net.command('dns').description('.block name records');
  withCommon(dns.command('verify').description('verify a TXT record tb-domain=<d>;pubkey=<64 hex>;sig=<128 hex> (net.dns_verify); exit 1 unless valid and the owner’s').argument('<txt>'))
    .action(async (txt: string, opts: CommonOpts) => {
      const { client } = clientFor(opts);
      const r = await client.call('net.dns_verify', [txt]);
      output(opts.format, r, (v) => table([['domain', v.domain ?? '—'], ['signature', v.valid ? 'valid' : 'INVALID'], ['owner', v.owner_account ?? 'unowned'], ['owner match', v.owner_match ? 'yes' : 'no'], ['detail', v.reason]]));
      if (!r.valid || !r.owner_match) throw new SilentFailure(1);
    });
  return net;
}
