/**
 * The node's module list as metadata (modules/types.ts ModuleMeta: id, label, config slice, data
 * paths; each from the module's `meta.ts`, which loads no module code). The ONE place the list's
 * order is written: node-modules.ts builds NODE_MODULES (start order = this order) from it, and
 * node-config.ts builds the node's key table from it — so `contract-cli` and console server mode
 * know the node's flags without loading every module's code and RPC schemas (issue 17: ~0.3 s of
 * CPU before the console could hand the node its flags).
 */
import { AD_MARKET_META } from './ad_market/meta.js';
import { DNS_META } from './dns/meta.js';
import { ENERGY_META } from './energy/meta.js';
import { GOVERNOR_META } from './governor/meta.js';
import { TREASURY_META } from './treasury/meta.js';

export const NODE_MODULE_META = [GOVERNOR_META, TREASURY_META, AD_MARKET_META, DNS_META, ENERGY_META] as const;

/** The id of a module of the node's list. */
export type NodeModuleId = (typeof NODE_MODULE_META)[number]['id'];
