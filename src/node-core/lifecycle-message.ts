import type { PhaseInfo } from '../shared/api/index.js';

/**
 * Lifecycle messages the node posts on its IPC channel (besides JSON-RPC responses and
 * `subscription` notifications, which carry `jsonrpc`). Consumed by the console's supervisor.
 */
export type LifecycleMessage =
  /** Every phase change, the same payload as the `node.phase` topic. */
  | ({ type: 'phase' } & PhaseInfo)
  /**
   * Once, right before the phase becomes `ready` (posted first, so whoever sees the `ready` phase
   * already has the endpoints). `rpc_addr` and `metrics_addr` are the listen addresses as
   * configured (`host:port`, the port possibly 0); `rpc_port` and `metrics_port` the bound ports.
   * `metrics_addr` and `metrics_port` are null with telemetry off.
   */
  | {
      type: 'ready';
      pid: number;
      version: string;
      network: string;
      chain_id: number;
      data_dir: string;
      node_address: string;
      rpc_addr: string;
      rpc_port: number;
      metrics_addr: string | null;
      metrics_port: number | null;
    }
  /**
   * Posted by main.ts right before the process exits: 0 after a clean stop, 2 config error, 1 other
   * failure; `reason` is the error's stable reason when it has one (e.g. `data_dir_locked_elsewhere`),
   * `data_dir` the data directory it concerns (so the console can act on a node that never got ready).
   */
  | { type: 'exit'; code: number; message?: string; reason?: string; data_dir?: string };
