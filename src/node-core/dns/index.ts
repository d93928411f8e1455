/** Public index of the `.block` names module (other modules and the node import only from here). */
export { DNS } from './module.js';
export { dnsState, DNS_ID, modeOf } from './chain-module.js';
export { DNS_ESCROW, PROTOCOL_FEE_BPS } from './rules.js';
export { formatRecord, parseRecord, signRecord, verifyRecord } from './record.js';
export type { DnsState } from './state.js';
