/**
 * The launch governor's public index: other modules and the node import the governor only
 * through this file (its NodeModule, its chain state handle and types, its wiring).
 */
export { GOVERNOR } from './module.js';
export { Governor } from './service.js';
export { governorState, GOVERNOR_ID, intentKind } from './chain-module.js';
export { applyEpochFor } from './intents.js';
export { governorHandlers, governorSettings, type GovernorSettings } from './settings.js';
export { blake3Hex, checkAttestation } from './snapshots.js';
export type { GovState, GovIntent } from './gov-intent.js';
