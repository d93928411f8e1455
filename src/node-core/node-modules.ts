/**
 * The node's module list: one line (an import and an entry) per subsystem (modules/types.ts
 * NodeModule). Everything the node takes from a module derives from this list: chain module,
 * handlers, config slice (node-config.ts), metrics, data paths, monitoring, deadlines. Start order
 * = list order; the node closes them in reverse. Adding a subsystem: README "Adding a subsystem".
 */
import { replayFromGenesis, type ReplayResult } from './chain/replay.js';
import { AD_MARKET } from './ad_market/index.js';
import { DNS } from './dns/index.js';
import { ENERGY } from './energy/index.js';
import { GOVERNOR } from './governor/index.js';
import { TREASURY } from './treasury/index.js';
import { chainModulesOf, type AnyNodeModule } from './modules/index.js';

export const NODE_MODULES = [
  GOVERNOR,
  TREASURY,
  AD_MARKET,
  DNS,
  ENERGY,
] as const satisfies readonly AnyNodeModule[];

/** From-genesis replay of a chain directory with the node's chain modules (what `contract-cli chain replay` runs); see replayFromGenesis. */
export function replayChain(chainDir: string, o: Omit<NonNullable<Parameters<typeof replayFromGenesis>[1]>, 'modules'> = {}): Promise<ReplayResult> {
  return replayFromGenesis(chainDir, { ...o, modules: chainModulesOf(NODE_MODULES) });
}
