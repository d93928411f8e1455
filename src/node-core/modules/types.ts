/**
 * The service side of a subsystem: `NodeModule` (cf. Cosmos SDK's module manager, VS Code's
 * contributions). A module is its own folder `src/node-core/<module>/` whose public index exports
 * one `NodeModule`; the node's module list (node-modules.ts) names it once, and the node
 * assembles everything from that list:
 *   chain       its ChainModule (tx kinds, state, hooks; chain/module.ts) → `Chain.open`
 *   methods     its contract slice (src/shared/api/<module>.ts) → dispatcher, `rpc.discover`
 *   handlers    `start()` returns a handler for EVERY declared method (a missing one is a compile error)
 *   metrics     registered by the module on the node's prom-client registry
 *   dataPaths   declared once → data-dir layout, `snapshots.subsystems`, backup wizard, README table
 *   config      its config slice (config/keys.ts defineConfigSlice: zod-checked keys, env vars, defaults);
 *               node-config.ts merges every slice into the node's key table (unknown keys stay errors)
 *   sources     inputs of governor gates; `deadlines()` upcoming events for the console's inbox
 *   monitoring  its dashboard (panel specs) and alert rules with their promtool cases
 *               (src/shared/monitoring.ts; `npm run monitor` generates Grafana JSON and alerts.yml)
 * Start order = list order; close runs in reverse (the node's ordered stop).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { GateName, GateVerdict, MethodDecl, ParamsOf, ResultOf } from '../../shared/api/index.js';
import type { MonitoringContribution } from '../../shared/monitoring.js';
import type { Chain } from '../chain/chain.js';
import type { ChainModule } from '../chain/module.js';
import type { BaseConfig, ConfigSlice } from '../config/index.js';
import type { NodeEvents } from '../events.js';
import type { CallContext } from '../rpc/types.js';
import type { DataPaths } from '../storage/datadir.js';
import type { Metrics } from '../telemetry/metrics.js';
import type { KeyPair } from '../wallet/keystore.js';

/** A handler for one declared method (params parsed by the dispatcher). */
export type HandlerFor<D extends MethodDecl> = (params: ParamsOf<D>, ctx: CallContext) => Promise<ResultOf<D>> | ResultOf<D>;

/** A handler for every method of `M`: leaving one out does not compile. */
export type CompleteHandlers<M extends readonly MethodDecl[]> = { [D in M[number] as D['name']]: HandlerFor<D> };

export type { DataPaths } from '../storage/datadir.js';

/** An upcoming event of a module (the console's deadline inbox). */
export interface Deadline {
  module: string;
  /** Stable kind, e.g. `intent_apply`, `governor_window`. */
  kind: string;
  label: string;
  /** Block height or epoch at which it happens (at least one). */
  height?: number;
  epoch?: number;
  /** Expected wall-clock time (ms) when known. */
  at_ms?: number;
  /** Stable across calls, so the console notifies once per deadline (default `<module>:<kind>:<height>`). */
  id?: string;
  /** Comes back on a fixed period (an evaluation window): the console lists it without notifying each time. */
  recurring?: boolean;
}

/** Inputs of governor gates provided by a module (the governor's `sources` hook). */
export type GateSources = Partial<Record<GateName, () => GateVerdict | Promise<GateVerdict>>>;

/** What `start` receives. */
export interface ModuleStartContext<Mx = unknown, C extends object = object> {
  /** The node's own settings and this module's slice (with its defaults). */
  config: BaseConfig & C;
  /** Absolute data root. */
  root: string;
  chain: Chain;
  nodeKey: KeyPair;
  events: NodeEvents;
  logger: Logger;
  /** What `metrics()` returned (the module's own metric handles). */
  metrics: Mx;
  /** The node's shared metrics (telemetry/metrics.ts). */
  nodeMetrics: Metrics;
  /** Connected peers (count, liveness) from the network, once it runs. */
  peers: () => { count: number; liveness: number | null };
  /** Gate inputs of every module (filled with each module's `sources` as it starts; the governor reads it at each window, so order does not matter). */
  sources: GateSources;
}

/** A started module. */
export interface ModuleService<M extends readonly MethodDecl[]> {
  handlers: CompleteHandlers<M>;
  /** Gate inputs this module contributes. */
  sources?: GateSources;
  /** Upcoming events (cheap; called on demand). */
  deadlines?(): Deadline[];
  /** Closes what `start` opened. Called in reverse start order. */
  close(): Promise<void> | void;
}

export interface NodeModule<M extends readonly MethodDecl[] = readonly MethodDecl[], Mx = unknown, C extends object = object> {
  id: string;
  label: string;
  chain?: ChainModule;
  /** Its contract slice: the methods it serves (declared in src/shared/api/<module>.ts). */
  methods: M;
  dataPaths?: readonly DataPaths[];
  /** Its configuration keys (merged into the node's key table by node-config.ts). */
  config?: ConfigSlice<C>;
  /** Registers its metrics on the node registry and returns their handles. */
  metrics?(registry: Registry): Mx;
  start(ctx: ModuleStartContext<Mx, C>): Promise<ModuleService<M>>;
  /** Its dashboard and alert group (`id` = the module id); absent until the module has metrics worth watching. */
  monitoring?: MonitoringContribution;
}

/**
 * What the node knows of a module without loading its code: id, label, config slice and data
 * paths. Declared in the module's `meta.ts` (which imports only its `config.ts`), spread into its
 * NodeModule by `module.ts`, and listed by node-module-list.ts: the console and the CLI read the
 * node's flags and config keys from that list without loading any module's code (issue 17).
 */
export type ModuleMeta<Id extends string = string, C extends object = object> = Pick<NodeModule<readonly MethodDecl[], unknown, C>, 'label' | 'config' | 'dataPaths'> & { id: Id };

/** Identity function that keeps the literal `id` of a module's metadata (node-modules.ts matches modules to it by id). */
export function defineModuleMeta<const Id extends string, C extends object = object>(m: ModuleMeta<Id, C>): ModuleMeta<Id, C> {
  return m;
}

/** Identity function that infers `M` so the handler slice is checked for completeness. */
export function defineModule<const M extends readonly MethodDecl[], Mx = unknown, C extends object = object>(m: NodeModule<M, Mx, C>): NodeModule<M, Mx, C> {
  return m;
}

/** A module of any method list (what lists hold). */
export type AnyNodeModule = NodeModule<readonly MethodDecl[], any, any>;

/** The config fields a module adds (`{}` without a slice). */
export type ConfigOfModule<T> = T extends { config?: ConfigSlice<infer C> } ? (object extends C ? NoConfig : C) : NoConfig;
/** What a module without config slice adds. */
export type NoConfig = Record<never, never>;
