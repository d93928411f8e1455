/**
 * The energy market as a node module (modules/types.ts): its chain module (always on, so every
 * node folds the same market state), the `energy.*` methods with role tokens and per-method rate
 * limits (access.ts), the provider key registry (hot reload on SIGHUP, `energy.reload_keys`
 * and a watch on the key file), the `energy_market` data path (TB_ENERGY_MARKET_DIR), metrics,
 * its monitoring contribution, and the governor's energy gate input.
 */
import path from 'node:path';
import { ENERGY_METHODS } from '../../shared/api/energy.js';
import { serialHeadWork } from '../events.js';
import { defineModule } from '../modules/index.js';
import { ENERGY_META } from './meta.js';
import { EnergyAccess } from './access.js';
import { energyChainModule } from './chain-module.js';
import type { EnergyConfig } from './config.js';
import { ProviderKeys } from './keys.js';
import { energyMetrics, type EnergyMetrics } from './metrics.js';
import { energyMonitoring } from './monitoring.js';
import { EnergyService, refusal, toReading } from './service.js';
import { meterHash, signingDigest } from './reading.js';
import { page } from './views.js';

export const ENERGY = defineModule<typeof ENERGY_METHODS, EnergyMetrics, EnergyConfig>({
  ...ENERGY_META,
  chain: energyChainModule,
  methods: ENERGY_METHODS,
  metrics: energyMetrics,
  monitoring: energyMonitoring,
  async start(ctx) {
    const file = path.resolve(ctx.root, ctx.config.energy_provider_keys_file ?? path.join('energy', 'provider_keys.json'));
    const keys = new ProviderKeys(file, ctx.config.energy?.provider_keys ?? [], (k) => {
      for (const e of k.errors) ctx.logger.warn({ error: e }, 'energy_provider_key_config_failed');
      ctx.logger.info({ source: k.source, keys: k.list().length, generation: k.generation }, 'energy provider keys loaded');
    });
    await keys.reload();
    keys.watch();
    const onHup = () => void keys.reload();
    process.on('SIGHUP', onHup);
    const svc = await EnergyService.open({ chain: ctx.chain, events: ctx.events, root: ctx.root, dir: ctx.config.energy_market_dir, keys, metrics: ctx.metrics, logger: ctx.logger, self: ctx.nodeKey.address });
    const access = new EnergyAccess(ctx.root, ctx.config.rpc_auth_token);
    // One mirror refresh per run of heads (events.ts serialHeadWork): onHead reads the tip.
    const heads = serialHeadWork(ctx.events, () => svc.onHead(), (err) => ctx.logger.warn({ err }, 'energy market mirror not written'));
    if (ctx.config.energy_dev_trade) svc.voteDevTrade(ctx.config.network);
    const paged = <T>(items: T[], p: { page: number; page_size: number }, key: string) => {
      const { items: xs, ...rest } = page(items, p);
      return { ...rest, [key]: xs } as never;
    };
    return {
      handlers: {
        'energy.register_provider': (p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.register_provider');
          const r = svc.submit({ op: 'register', capacity: BigInt(p.capacity_kwh), price: BigInt(p.price_per_kwh), stake: BigInt(p.stake), meter: p.meter_address, jurisdiction: p.jurisdiction, owner: p.owner ?? '' });
          return { ...r, provider_id: svc.nextProviderId() };
        },
        'energy.update_provider': (p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.update_provider');
          if (!svc.state().providers.has(p.provider_id)) throw refusal('unknown_provider', `provider ${p.provider_id} is not registered`);
          return svc.submit({ op: 'update', provider: p.provider_id, capacity: p.capacity_kwh === undefined ? null : BigInt(p.capacity_kwh), price: p.price_per_kwh === undefined ? null : BigInt(p.price_per_kwh), jurisdiction: p.jurisdiction ?? null });
        },
        'energy.market_state': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.market_state');
          return svc.market(p.provider_id);
        },
        'energy.submit_reading': (p, c) => {
          access.check(c, 'oracle', 'submit', 'energy.submit_reading');
          return svc.submitReading(p);
        },
        'energy.reading_status': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.reading_status');
          return svc.readingStatus(p.meter_hash);
        },
        'energy.verify_reading': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.verify_reading');
          const r = toReading(p);
          const v = svc.check(r, p.public_key ? Uint8Array.from(Buffer.from(p.public_key, 'hex')) : undefined);
          return {
            valid: v === null, reason: v?.reason ?? 'ok', message: v?.message ?? 'signature verifies and the reading passes the market checks',
            meter_hash: meterHash(r), digest: Buffer.from(signingDigest(r)).toString('hex'), key_source: p.public_key ? ('flag' as const) : keys.has(p.provider_id) ? ('registry' as const) : ('none' as const),
          };
        },
        'energy.settle': (p, c) => {
          access.check(c, 'admin', 'settle', 'energy.settle');
          return svc.submit({ op: 'settle', provider: p.provider_id, kwh: BigInt(p.kwh_consumed), hash: p.meter_hash });
        },
        'energy.receipts': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.receipts');
          return paged(svc.receipts().filter((r) => !p.provider_id || r.seller === p.provider_id), p, 'receipts');
        },
        'energy.credits': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.credits');
          return paged(svc.market(p.provider_id).credits, p, 'credits');
        },
        'energy.slashes': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.slashes');
          return paged(svc.slashes().filter((x) => !p.provider_id || x.provider_id === p.provider_id), p, 'slashes');
        },
        'energy.disputes': (p, c) => {
          access.check(c, 'provider', 'read', 'energy.disputes');
          return paged(svc.disputes().filter((d) => (!p.provider_id || d.provider_id === p.provider_id) && (!p.status || d.status === p.status) && (!p.meter_hash || d.meter_hash === p.meter_hash)), p, 'disputes');
        },
        'energy.flag_dispute': (p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.flag_dispute');
          return svc.submit({ op: 'flag', hash: p.meter_hash, reason: p.reason, reporter: p.reporter });
        },
        'energy.resolve_dispute': (p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.resolve_dispute');
          return svc.submit({ op: 'vote', id: p.dispute_id, choice: p.outcome, note: p.resolution_note });
        },
        'energy.provider_keys': (_p, c) => {
          access.check(c, 'provider', 'read', 'energy.provider_keys');
          return keys.view();
        },
        'energy.reload_keys': async (_p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.reload_keys');
          await keys.reload();
          return keys.view();
        },
        'energy.set_provider_key': async (p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.set_provider_key');
          await keys.set(p.provider_id, p.public_key_hex);
          return keys.view();
        },
        'energy.revoke_provider_key': async (p, c) => {
          access.check(c, 'admin', 'dispute', 'energy.revoke_provider_key');
          await keys.revoke(p.provider_id);
          return keys.view();
        },
      },
      sources: { energy: () => svc.gate() },
      async close() {
        heads.off();
        process.off('SIGHUP', onHup);
        keys.close();
        await heads.idle();
        await svc.close();
      },
    };
  },
});
