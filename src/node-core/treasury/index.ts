/** Public index of the treasury module (other modules import only from here). */
export { TREASURY_ADDRESS } from './account.js';
