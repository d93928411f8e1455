/**
 * `.block` names as a node module (modules/types.ts): the registry chain module (always on, so
 * every node folds the same state), the `dns.*` / `net.dns_verify` methods, the `dns_db` data
 * path (TB_DNS_DB_PATH), metrics, the naming gate's source and deadlines.
 */
import { dnsMonitoring } from './monitoring.js';
import { DNS_METHODS } from '../../shared/api/dns.js';
import { serialHeadWork } from '../events.js';
import { defineModule } from '../modules/index.js';
import { DNS_META } from './meta.js';
import { DEFAULT_DURATION_BLOCKS, dnsChainModule } from './chain-module.js';
import type { DnsConfig } from './config.js';
import { dnsMetrics, DnsService, invalidDomain, stakeView, type DnsMetrics } from './service.js';
import { RpcError } from '../../shared/api/errors.js';
import { DNS_ERRORS } from '../../shared/api/dns.js';

export const DNS = defineModule<typeof DNS_METHODS, DnsMetrics, DnsConfig>({
  ...DNS_META,
  chain: dnsChainModule,
  methods: DNS_METHODS,
  metrics: dnsMetrics,
  monitoring: dnsMonitoring,
  async start(ctx) {
    const svc = await DnsService.open(ctx.chain, ctx.root, ctx.config.network, ctx.config.dns_db, ctx.metrics);
    // One mirror refresh per run of heads (events.ts serialHeadWork): onHead reads the tip.
    const heads = serialHeadWork(ctx.events, () => svc.onHead(), (err) => ctx.logger.warn({ err }, 'dns registry mirror not written'));
    if (ctx.config.dns_dev_trade) svc.voteDevTrade(ctx.config.network, ctx.logger);
    const name = (d: string) => svc.domain(d);
    return {
      handlers: {
        'dns.auctions': (p) => {
          if (p.domain !== undefined && !/\.block$/.test(p.domain)) throw invalidDomain(p.domain);
          return svc.view(p.domain);
        },
        'dns.publish_record': (p) => svc.publish(p.from, p.domain),
        'dns.list_for_sale': (p) =>
          svc.submit(p.from, { op: 'list', domain: name(p.domain), minBid: p.min_bid, stakeRequirement: p.stake_requirement ?? 0n, royaltyBps: p.royalty_bps ?? 0, durationBlocks: p.duration_blocks ?? DEFAULT_DURATION_BLOCKS }),
        'dns.register_stake': (p) => {
          if (p.amount === 0n) throw new RpcError(DNS_ERRORS.StakeAmountZero, `stake ${p.reference}: amount must be > 0`, { reason: 'StakeAmountZero' });
          return svc.submit(p.from, { op: 'stake', ref: p.reference, amount: p.amount });
        },
        'dns.withdraw_stake': (p) => svc.submit(p.from, { op: 'unstake', ref: p.reference }),
        'dns.stake_status': (p) => {
          const k = svc.state().stakes.get(p.reference);
          if (!k) throw new RpcError(DNS_ERRORS.InvalidStakeReference, `no stake ${p.reference}`, { reason: 'InvalidStakeReference' });
          return stakeView(k);
        },
        'dns.place_bid': (p) => svc.submit(p.from, { op: 'bid', domain: name(p.domain), amount: p.amount, stakeRef: p.stake_ref }),
        'dns.complete_sale': (p) => svc.submit(p.from, { op: 'complete', domain: name(p.domain) }),
        'dns.cancel_sale': (p) => svc.submit(p.from, { op: 'cancel', domain: name(p.domain) }),
        'net.dns_verify': (p) => svc.verify(p.txt),
      },
      sources: { naming: () => svc.gate() },
      deadlines: () => svc.deadlines(),
      async close() {
        heads.off();
        await heads.idle();
        await svc.close();
      },
    };
  },
});
