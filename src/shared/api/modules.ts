/**
 * The contract's module list — the one place a module's contract slice is switched on (one import
 * and one entry per module). METHODS (methods.ts), the subscription topics (events.ts) and the
 * dashboard uids (shared/monitoring.ts DASHBOARD_UIDS) derive from it; the node's handlers for
 * these methods come from the module of the same id (src/node-core/node-modules.ts). Order = order
 * in `rpc.discover`, after the node's own methods.
 */
import { AD_MARKET_CONTRACT } from './ad_market.js';
import { DNS_CONTRACT } from './dns.js';
import { ENERGY_CONTRACT } from './energy.js';
import { GOVERNOR_CONTRACT } from './governor.js';
import { TREASURY_CONTRACT } from './treasury.js';

export const MODULE_CONTRACTS = [
  GOVERNOR_CONTRACT,
  TREASURY_CONTRACT,
  AD_MARKET_CONTRACT,
  DNS_CONTRACT,
  ENERGY_CONTRACT,
] as const;

type Contract = (typeof MODULE_CONTRACTS)[number];
type Intersect<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** A module id of the contract. */
export type ModuleId = Contract['id'];
/** Every method of the modules (a union of their declarations). */
export type ModuleMethod = Contract['methods'][number];
/** Every topic of the modules with its payload schema. */
export type ModuleTopics = Intersect<Contract['topics']>;

export const MODULE_METHODS: readonly ModuleMethod[] = MODULE_CONTRACTS.flatMap<ModuleMethod>((c) => [...c.methods]);

/**
 * The modules' topics in one record.
 * @throws Error at load when two modules declare one topic (a programming error).
 */
export const MODULE_TOPICS: ModuleTopics = (() => {
  const out: Record<string, unknown> = {};
  for (const c of MODULE_CONTRACTS)
    for (const [t, schema] of Object.entries(c.topics)) {
      if (t in out) throw new Error(`topic ${t} is declared twice (the second by ${c.id})`);
      out[t] = schema;
    }
  return out as ModuleTopics;
})();

/** Dashboard uid of each module that has one, by module id. */
export const MODULE_DASHBOARDS = Object.fromEntries(MODULE_CONTRACTS.flatMap((c) => (c.dashboard ? [[c.id, c.dashboard]] : []))) as {
  [C in Contract as C['dashboard'] extends string ? C['id'] : never]: C['dashboard'];
};
