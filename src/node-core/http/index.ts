/**
 * The HTTP edge shared by every server of the node and the host (JSON-RPC, /metrics, the console):
 * request guards (Host allow-list, Content-Type, Origin, bearer token, per-IP rate limit, plain
 * refusals) and listening with errors that name the port and how to change it. Depends on Node
 * only, so `rpc/`, `telemetry/` and `src/host/` all import it without importing each other.
 */
export * from './guard.js';
export * from './listen.js';
