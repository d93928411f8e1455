/**
 * The ad market's public index: the node and other modules import the ad market only through
 * this file (its NodeModule, its chain state handle, its pure views and rules for tests/CLI).
 */
export { AD_MARKET, contextualVerdict, presenceVerdict } from './module.js';
export { adMarketChain, adMarketState, AD_MARKET_ID, selectorId } from './chain-module.js';
export { adMarketMonitoring } from './monitoring.js';
export type { AdState } from './state.js';
export { checkPolicy, policyBytes, readPolicy } from './policy.js';
export { conversionTokenHash } from './module.js';
