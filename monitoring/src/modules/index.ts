/**
 * Per-module monitoring contributions, one line per chain module (the governor first). Each module
 * contributes a dashboard (`tb-module-<id>` or its own uid) and its alert group. When a module has
 * no metrics yet (treasury, energy, ad market, names), it has no entry: its dashboard and alerts
 * (e.g. treasury backlog age > 2 h) come with its metrics.
 */
import type { MonitoringContribution } from '../../../src/shared/monitoring.js';
import { governorMonitoring } from '../../../src/node-core/governor/index.js';

export const MODULE_MONITORING: MonitoringContribution[] = [governorMonitoring];
