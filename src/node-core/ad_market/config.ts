/**
 * The ad market's configuration keys (its config slice, merged into the node's key table by
 * src/node-core/node-config.ts) and its data path, declared once.
 */
import { defineConfigSlice, num, zInt } from '../config/index.js';
import type { DataPaths } from '../storage/datadir.js';

/** Signed policy snapshots: `<root>/ad_policy/<epoch>.json` + `.sig` (policy.ts). */
export const POLICY_DIR = 'ad_policy';

/** The ad market's settings in the node configuration. */
export interface AdMarketConfig {
  /** Signed ad policy snapshots kept in `<data_dir>/ad_policy/` (the newest epochs). */
  ad_policy_snapshot_keep: number;
}

export const AD_MARKET_CONFIG = defineConfigSlice<AdMarketConfig>({
  ad_policy_snapshot_keep: {
    env: 'TB_AD_POLICY_SNAPSHOT_KEEP',
    schema: zInt(1, 1_000_000, 'snapshots'),
    fromString: num,
    default: 336,
    doc: 'signed ad policy snapshots kept in ad_policy/ (the newest epochs; older ones are deleted)',
  },
});

export const AD_MARKET_DATA: DataPaths = {
  id: 'ad_market',
  label: 'Ad market',
  paths: [POLICY_DIR],
  note: `${POLICY_DIR}/<epoch>.json + .sig — signed policy snapshots (the market state itself is in the chain DB)`,
  default_included: true,
};
