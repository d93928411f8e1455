/**
 * `.block` names' configuration keys (its config slice, merged into the node's key table by
 * src/node-core/node-config.ts) and its data path, declared once.
 */
import { defineConfigSlice, parseBool, str, zPath, zSwitch } from '../config/index.js';
import type { DataPaths } from '../storage/datadir.js';

/** The registry's settings in the node configuration. */
export interface DnsConfig {
  /** `.block` registry store directory (SimpleDb `gateway_dns`); undefined = `<data_dir>/dns_db`; relative = under the data dir. */
  dns_db?: string;
  /** Dev network only: at start, vote the naming gate's trade intent so the registry moves value from the next epoch. */
  dns_dev_trade: boolean;
}

export const DNS_CONFIG = defineConfigSlice<DnsConfig>({
  dns_db: {
    env: 'TB_DNS_DB_PATH',
    schema: zPath(),
    fromString: str,
    doc: '.block names registry store directory (default dns_db/ in the data dir; relative paths are under the data dir)',
  },
  dns_dev_trade: {
    env: 'TB_DNS_DEV_TRADE',
    schema: zSwitch(),
    fromString: parseBool,
    default: false,
    doc: 'dev network only: start the .block registry in trade mode (the node votes the naming gate trade intent; value moves from the next epoch)',
  },
});

/** Registry mirror directory under the data root (default of `dns_db`). */
export const DNS_DB_DIR = 'dns_db';

export const DNS_DATA: DataPaths = {
  id: 'dns',
  label: '.block names',
  paths: [DNS_DB_DIR],
  note: `${DNS_DB_DIR}/ (TB_DNS_DB_PATH) — registry mirror; the chain holds the state`,
  default_included: true,
};
