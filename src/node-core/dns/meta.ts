/** The `.block` names module's metadata (modules/types.ts ModuleMeta): read by the node's key table without loading the module. */
import { defineModuleMeta } from '../modules/index.js';
import { DNS_CONFIG, DNS_DATA } from './config.js';

export const DNS_META = defineModuleMeta({ id: 'dns', label: '.block names', config: DNS_CONFIG, dataPaths: [DNS_DATA] });
