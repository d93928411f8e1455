/**
 * The energy market's configuration keys (its config slice, merged into the node's key table by
 * src/node-core/node-config.ts) and its data path, declared once.
 */
import { z } from 'zod';
import { defineConfigSlice, parseBool, str, zPath, zSwitch } from '../config/index.js';
import type { DataPaths } from '../storage/datadir.js';

/** The energy market's settings in the node configuration. */
export interface EnergyConfig {
  /** Energy market store directory (SimpleDb `energy_market`); undefined = `<data_dir>/energy_market`; relative = under the data dir. */
  energy_market_dir?: string;
  /** `[energy]` table: `provider_keys = [{ provider_id, public_key_hex }]` (the initial verifier registry while no key file exists). */
  energy?: { provider_keys: { provider_id: string; public_key_hex: string }[] };
  /** Provider key file (JSON); undefined = `<data_dir>/energy/provider_keys.json`; reloaded on SIGHUP, `energy reload-keys` and file change. */
  energy_provider_keys_file?: string;
  /** Dev network only: at start, vote the energy gate's intent so the market moves value from the next epoch. */
  energy_dev_trade: boolean;
}

const zKeyEntry = z
  .object({
    provider_id: z.string().regex(/^energy-0x[0-9a-f]{8,16}$/, 'must be a provider id like energy-0x00000000'),
    public_key_hex: z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits (32-byte Ed25519 key)'),
  })
  .strict();

export const ENERGY_CONFIG = defineConfigSlice<EnergyConfig>({
  energy_market_dir: {
    env: 'TB_ENERGY_MARKET_DIR',
    schema: zPath(),
    fromString: str,
    doc: 'energy market store directory (default energy_market/ in the data dir; relative paths are under the data dir)',
  },
  energy: {
    env: 'TB_ENERGY',
    schema: z.object({ provider_keys: z.array(zKeyEntry).default([]) }).strict(),
    fromString: (s) => {
      try {
        return JSON.parse(s);
      } catch {
        return s;
      }
    },
    doc: '[energy] table: provider_keys = [{ provider_id, public_key_hex }] — the initial energy verifier registry (TB_ENERGY takes the same as JSON)',
  },
  energy_provider_keys_file: {
    env: 'TB_ENERGY_PROVIDER_KEYS_FILE',
    schema: zPath(),
    fromString: str,
    doc: 'energy provider key file (default energy/provider_keys.json in the data dir); hot-reloaded on SIGHUP, `contract-cli energy reload-keys` and file change',
  },
  energy_dev_trade: {
    env: 'TB_ENERGY_DEV_TRADE',
    schema: zSwitch(),
    fromString: parseBool,
    default: false,
    doc: 'dev network only: start the energy market in trade mode (the node votes the energy gate intent; value moves from the next epoch)',
  },
});

export const ENERGY_DATA: DataPaths = {
  id: 'energy_market',
  label: 'Energy market',
  paths: ['energy_market', 'energy'],
  note: 'energy_market/ (TB_ENERGY_MARKET_DIR) — market mirror; energy/provider_keys.json (TB_ENERGY_PROVIDER_KEYS_FILE) — provider key registry',
  default_included: true,
};
