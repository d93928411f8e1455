/**
 * Module lifecycle for the node (modules/types.ts): what the node derives from its module list
 * (chain modules, declared methods, data paths), and the ordered start / reverse close of the
 * module services with their handler slices merged into one map.
 */
import type { Registry } from 'prom-client';
import type { MethodDecl } from '../../shared/api/index.js';
import type { ChainModule } from '../chain/module.js';
import { withSliceDefaults, type BaseConfig } from '../config/index.js';
import type { HandlerMap } from '../rpc/types.js';
import type { AnyNodeModule, DataPaths, Deadline, GateSources, ModuleService, ModuleStartContext } from './types.js';

/** The chain modules of a module list, in list order. */
export function chainModulesOf(list: readonly AnyNodeModule[]): ChainModule[] {
  return list.flatMap((m) => (m.chain ? [m.chain] : []));
}

/** Methods declared by the modules (for the dispatcher; the contract's METHODS already holds the built-in modules' slices). */
export function moduleMethodsOf(list: readonly AnyNodeModule[]): MethodDecl[] {
  return list.flatMap((m) => [...m.methods]);
}

/** Data paths declared by the modules or their metadata (snapshots/subsystems.ts, the data-dir table). */
export function dataPathsOf(list: readonly Pick<AnyNodeModule, 'dataPaths'>[]): DataPaths[] {
  return list.flatMap((m) => [...(m.dataPaths ?? [])]);
}

type StartBase = Omit<ModuleStartContext, 'metrics' | 'sources'>;

/** The started services of a module list. */
export class ModuleHost {
  private readonly started: { id: string; svc: ModuleService<readonly MethodDecl[]> }[] = [];
  /** Gate inputs of every module, filled as they start (the governor reads it lazily). */
  readonly sources: GateSources = {};

  constructor(
    private readonly list: readonly AnyNodeModule[],
    private readonly registry: Registry,
  ) {
    const ids = new Set<string>();
    for (const m of list) {
      if (ids.has(m.id)) throw new Error(`module ${m.id} is listed twice`);
      ids.add(m.id);
    }
  }

  /**
   * Starts every module in list order. A failure leaves the ones already started to `close()`.
   * @throws whatever a module's `start` throws (ConfigError for bad settings, store errors).
   */
  async start(base: StartBase): Promise<void> {
    for (const m of this.list) {
      const metrics = m.metrics?.(this.registry);
      const config = withSliceDefaults<BaseConfig>(base.config, m.config);
      const svc = await m.start({ ...base, config, metrics, sources: this.sources });
      this.started.push({ id: m.id, svc });
      Object.assign(this.sources, svc.sources ?? {});
      base.logger.debug({ module: m.id }, 'module started');
    }
  }

  /** Every started module's handlers in one map (a method served twice is a programming error). */
  handlers(): HandlerMap {
    const out: Record<string, unknown> = {};
    for (const { id, svc } of this.started)
      for (const [name, h] of Object.entries(svc.handlers)) {
        if (name in out) throw new Error(`method ${name} is served by two modules (the second is ${id})`);
        out[name] = h;
      }
    return out as HandlerMap;
  }

  /** Upcoming events of every module, soonest first (by height, then epoch). */
  deadlines(): Deadline[] {
    const all = this.started.flatMap(({ svc }) => svc.deadlines?.() ?? []);
    const key = (d: Deadline) => d.height ?? (d.epoch ?? Number.MAX_SAFE_INTEGER) * 120;
    return all.sort((a, b) => key(a) - key(b));
  }

  /** Closes the started modules in reverse order; keeps going past failures and reports them. */
  async close(onError?: (id: string, err: unknown) => void): Promise<void> {
    while (this.started.length > 0) {
      const { id, svc } = this.started.pop()!;
      try {
        await svc.close();
      } catch (err) {
        onError?.(id, err);
      }
    }
  }
}
