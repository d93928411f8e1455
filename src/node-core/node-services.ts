/**
 * The node's code past its genesis: chain DB and engine, modules, handlers, RPC/IPC, snapshots,
 * stats and the metrics server — most of the node's code. node.ts loads this file (`import()`)
 * once the genesis is written, not at process start (issue 17, first live height: on a fresh data
 * dir block 1 is due one block time after the genesis, and the node's whole bundle took ~0.4 s of
 * CPU to load before it could write one; it now loads during that block time).
 */
export { Chain } from './chain/chain.js';
export { ConsensusEngine } from './chain/engine.js';
export { ModuleHost } from './modules/index.js';
export { NODE_MODULES } from './node-modules.js';
export { declaredMethods, forwardingHandlers, nodeHandlers } from './node-handlers.js';
export { recoverInterruptedRestore } from './snapshots/restore.js';
export { SnapshotService } from './snapshots/service.js';
export { subsystemsOf } from './snapshots/subsystems.js';
export { configureSimpleDb } from './storage/simpledb.js';
export { Dispatcher } from './rpc/dispatcher.js';
export { serveIpc } from './rpc/ipc.js';
export { startRpcServer } from './rpc/server.js';
export { nodeInfoHandlers, StatsSampler } from './stats.js';
export { checkFinalizedMark, trackFinalizedMark } from './storage/finalized-mark.js';
export { startMetricsServer } from './telemetry/server.js';
