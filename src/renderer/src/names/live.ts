/** Names live data: the registry view is refreshed on new heads, at most once a second (event-driven). */
import { useRefreshOn } from '../api/refresh';

const KEYS = ['dns.auctions'];

export const useNamesLive = (): void => useRefreshOn(KEYS);
