/**
 * The launch governor as a node module (modules/types.ts): its chain module (intents on chain),
 * its `governor.*` methods, its data paths, and its service — started only with
 * TB_GOVERNOR_ENABLED, while the chain module always runs (every node must fold the same
 * governance state, whatever its local settings).
 */
import { GOVERNOR_METHODS } from '../../shared/api/governor.js';
import { defineModule } from '../modules/index.js';
import { GOVERNOR_META } from './meta.js';
import { governorChainModule } from './chain-module.js';
import { governorMetrics } from './metrics.js';
import { governorMonitoring } from './monitoring.js';
import { governorHandlers, governorSettings } from './settings.js';
import { Governor } from './service.js';

export const GOVERNOR = defineModule({
  ...GOVERNOR_META,
  chain: governorChainModule,
  methods: GOVERNOR_METHODS,
  metrics: governorMetrics,
  monitoring: governorMonitoring,
  async start(ctx) {
    let governor: Governor | undefined;
    if (ctx.config.governor_enabled) {
      // Before any listener: a bad signing setup is a startup error (ConfigError → exit 2).
      const gs = governorSettings(ctx.config, ctx.root, ctx.chain.genesis.block_time_ms);
      governor = await Governor.start({ ...gs, dataDir: ctx.root, chain: ctx.chain, events: ctx.events, metrics: ctx.metrics, logger: ctx.logger, peers: ctx.peers, sources: ctx.sources });
    }
    return {
      handlers: governorHandlers(governor),
      deadlines: () => governor?.deadlines() ?? [],
      close: () => governor?.stop(),
    };
  },
});
