/** The ad market's metadata (modules/types.ts ModuleMeta): read by the node's key table without loading the module. */
import { defineModuleMeta } from '../modules/index.js';
import { AD_MARKET_CONFIG, AD_MARKET_DATA } from './config.js';

export const AD_MARKET_META = defineModuleMeta({ id: 'ad_market', label: 'Ad market', config: AD_MARKET_CONFIG, dataPaths: [AD_MARKET_DATA] });
