/**
 * Per-module monitoring contributions: what each module of the node's list (NODE_MODULES,
 * src/node-core/node-modules.ts) declares as `monitoring` on its NodeModule — a dashboard (its uid
 * from the module's contract slice, DASHBOARD_UIDS[<id>]) and an alert group. A module without
 * metrics worth watching declares none. Nothing here names a module.
 */
import type { MonitoringContribution } from '../../../src/shared/monitoring.js';
import type { AnyNodeModule } from '../../../src/node-core/modules/index.js';
import { NODE_MODULES } from '../../../src/node-core/node-modules.js';

/** The contributions of a module list (default: the node's), in list order. */
export function moduleMonitoring(modules: readonly AnyNodeModule[] = NODE_MODULES): MonitoringContribution[] {
  return modules.flatMap((m) => {
    if (!m.monitoring) return [];
    if (m.monitoring.id !== m.id) throw new Error(`module ${m.id}: its monitoring contribution is named ${m.monitoring.id}`);
    return [m.monitoring];
  });
}

export const MODULE_MONITORING: MonitoringContribution[] = moduleMonitoring();
