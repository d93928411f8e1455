/**
 * The module contract's public index (modules/types.ts: NodeModule; host.ts: what the node derives
 * from its module list and the ordered start/close). The node's list itself is node-modules.ts.
 */
export * from './types.js';
export * from './host.js';
