/** Node software version (from package.json), reported by node.status and the console. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const NODE_VERSION: string = (require('../../package.json') as { version: string }).version;
