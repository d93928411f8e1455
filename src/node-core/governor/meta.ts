/** The launch governor's metadata (modules/types.ts ModuleMeta): read by the node's key table without loading the module. */
import { defineModuleMeta } from '../modules/index.js';
import { GOVERNOR_CONFIG, GOVERNOR_DATA } from './config.js';

export const GOVERNOR_META = defineModuleMeta({ id: 'governor', label: 'Launch governor', config: GOVERNOR_CONFIG, dataPaths: [GOVERNOR_DATA] });
