/** The energy market's metadata (modules/types.ts ModuleMeta): read by the node's key table without loading the module. */
import { defineModuleMeta } from '../modules/index.js';
import { ENERGY_CONFIG, ENERGY_DATA } from './config.js';

export const ENERGY_META = defineModuleMeta({ id: 'energy', label: 'Energy market', config: ENERGY_CONFIG, dataPaths: [ENERGY_DATA] });
