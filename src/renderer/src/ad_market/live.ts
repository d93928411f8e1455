/** Ad market live data: `adMarket.readinessChanged` and new heads (at most once a second) refresh the ad market queries. */
import { useRefreshOn } from '../api/refresh';

const KEYS = ['ad_market.readiness', 'ad_market.inventory', 'ad_market.list_campaigns', 'ad_market.list_presence_cohorts'];
const TOPICS = ['adMarket.readinessChanged'] as const;

/** Mount once at the app root. */
export const useAdMarketLive = (): void => useRefreshOn(KEYS, TOPICS);
