/** Energy live data: `energy.marketChanged` and new heads (at most once a second) refresh the energy queries. */
import { useRefreshOn } from '../api/refresh';

const KEYS = ['energy.market_state', 'energy.provider_keys'];
const TOPICS = ['energy.marketChanged'] as const;

export const useEnergyLive = (): void => useRefreshOn(KEYS, TOPICS);
