/**
 * The node's modules: one NodeModule (modules/types.ts) per subsystem, in the order of the node's
 * module list (node-module-list.ts NODE_MODULE_META, the one place the order is written; a module
 * missing here or extra is a compile error). Everything the node takes from a module derives from
 * this list: chain module, handlers, config slice (node-config.ts, through the metadata), metrics,
 * data paths, monitoring, deadlines. Start order = list order; the node closes them in reverse.
 * Adding a subsystem: README "Adding a subsystem".
 */
import { replayFromGenesis, type ReplayResult } from './chain/replay.js';
import { AD_MARKET } from './ad_market/index.js';
import { DNS } from './dns/index.js';
import { ENERGY } from './energy/index.js';
import { GOVERNOR } from './governor/index.js';
import { TREASURY } from './treasury/index.js';
import { chainModulesOf, type AnyNodeModule } from './modules/index.js';
import { NODE_MODULE_META, type NodeModuleId } from './node-module-list.js';

const BY_ID = {
  governor: GOVERNOR,
  treasury: TREASURY,
  ad_market: AD_MARKET,
  dns: DNS,
  energy: ENERGY,
} as const satisfies { [K in NodeModuleId]: AnyNodeModule };

type NodeModuleOf = (typeof BY_ID)[NodeModuleId];

/**
 * The module of each metadata entry, in list order.
 * @throws Error when a module does not carry its list entry's metadata (its `module.ts` must spread its `meta.ts`).
 */
function modulesOf(list: typeof NODE_MODULE_META): readonly NodeModuleOf[] {
  return list.map((meta) => {
    const m: NodeModuleOf = BY_ID[meta.id];
    if (m.id !== meta.id || m.label !== meta.label || m.config !== ('config' in meta ? meta.config : undefined) || m.dataPaths !== meta.dataPaths)
      throw new Error(`module ${meta.id}: its NodeModule does not carry its meta.ts (spread ...${meta.id.toUpperCase()}_META in its module.ts)`);
    return m;
  });
}

export const NODE_MODULES: readonly NodeModuleOf[] = modulesOf(NODE_MODULE_META);

/** From-genesis replay of a chain directory with the node's chain modules (what `contract-cli chain replay` runs); see replayFromGenesis. */
export function replayChain(chainDir: string, o: Omit<NonNullable<Parameters<typeof replayFromGenesis>[1]>, 'modules'> = {}): Promise<ReplayResult> {
  return replayFromGenesis(chainDir, { ...o, modules: chainModulesOf(NODE_MODULES) });
}
