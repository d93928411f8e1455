/** Public index of the energy market module (other modules and the node import only from here). */
export { ENERGY } from './module.js';
export { energyState, ENERGY_ID, modeOf } from './chain-module.js';
export { ENERGY_ESCROW, TREASURY_FEE_BPS } from './rules.js';
export { meterHash, signingDigest, verifyReading, type MeterReading } from './reading.js';
export { parseKeyEntries } from './keys.js';
export type { EnergyState } from './state.js';
