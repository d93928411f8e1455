/**
 * Node configuration, module-agnostic: key building blocks and slices (keys.ts), the node's own
 * keys (schema.ts), the loader and flags over a key table. The node's full table (base + every
 * module's slice) and the loader bound to it are src/node-core/node-config.ts.
 */
export * from './keys.js';
export * from './schema.js';
export * from './load.js';
export * from './flags.js';
