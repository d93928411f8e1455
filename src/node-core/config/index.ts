/** Node configuration: key table, loader, flags. */
export * from './schema.js';
export * from './load.js';
export * from './flags.js';
