/** Energy live data: `energy.marketChanged`, `energy.readingsIncluded` and new heads (at most once a second) refresh the energy queries. */
import { useRefreshOn } from '../api/refresh';

const KEYS = ['energy.market_state', 'energy.provider_keys', 'energy.reading_status'];
const TOPICS = ['energy.marketChanged', 'energy.readingsIncluded'] as const;

export const useEnergyLive = (): void => useRefreshOn(KEYS, TOPICS);
