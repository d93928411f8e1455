/**
 * From-genesis replay of a data directory's chain with the node's module list (what
 * `contract-cli chain replay` runs): chain/replay.ts with every chain module of modules/index.ts.
 */
import { replayFromGenesis, type ReplayResult } from '../chain/replay.js';
import { chainModulesOf } from './host.js';
import { NODE_MODULES } from './index.js';

export type { ReplayResult };

/** @see replayFromGenesis (same errors). */
export function replayChain(chainDir: string, o: Omit<NonNullable<Parameters<typeof replayFromGenesis>[1]>, 'modules'> = {}): Promise<ReplayResult> {
  return replayFromGenesis(chainDir, { ...o, modules: chainModulesOf(NODE_MODULES) });
}
