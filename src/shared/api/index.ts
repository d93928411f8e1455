/** The one API contract: methods, topics, errors, shapes. Pure TypeScript (no Node/DOM). */
export * from './define.js';
export * from './errors.js';
export * from './events.js';
export * from './methods.js';
export * from './modules.js';
export * from './governor.js';
export * from './snapshots.js';
export * from './numbers.js';
export * from './types.js';
export * from './openrpc.js';
export * from './jsonrpc.js';
export * from './net.js';
export * from './deadlines.js';
export * from './desktop.js';
export * from './wallet.js';
