/** Treasury live data: `treasury.disbursementChanged` and new heads (at most once a second) refresh the treasury queries. */
import { useRefreshOn } from '../api/refresh';

const KEYS = ['gov.treasury.disbursements', 'gov.treasury.disbursement', 'gov.treasury.balance', 'gov.treasury.executor_status', 'gov.param.history', 'gov.param.show'];
const TOPICS = ['treasury.disbursementChanged'] as const;

/** Mount once at the app root. */
export const useTreasuryLive = (): void => useRefreshOn(KEYS, TOPICS);
