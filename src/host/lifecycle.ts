/**
 * Lifecycle messages the node posts on its channel beside JSON-RPC (declared by the node in
 * src/node-core/node.ts as `LifecycleMessage`; re-exported here so src/host reads one type).
 * The parent may send `{type:'stop'}` for an ordered stop.
 */
import type { LifecycleMessage } from '../node-core/node.js';

export type { LifecycleMessage };
export type NodeReady = Extract<LifecycleMessage, { type: 'ready' }>;
