/**
 * Every metric name of the node in one place (prom-client, Prometheus text format 0.0.4).
 * Names follow spec/rpc_telemetry.md §9, the issues and the naming scheme of
 * monitoring/METRICS.md (no global prefix; subsystem first; base units in the name; counters end
 * in `_total`; a state is one 0/1 series per state). Labels are bounded: `method` only takes
 * declared method names (anything else is recorded as "unknown"), `code` the JSON-RPC code.
 */
import client from 'prom-client';
import { NodePhase } from '../../shared/api/types.js';
import { statfsBytes } from './disk.js';
import { RpcMeter } from './rpc-meter.js';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics() {
  const registry = new client.Registry();
  const reg = [registry];
  /** Data directory whose filesystem the `data_dir_filesystem_*` gauges measure (set once it is known). */
  const dataDir: { path?: string } = {};
  /** Hot-path recorder of the two per-call RPC metrics; their `collect()` flushes it before each read. */
  const rpc: { calls?: RpcMeter } = {};
  const metrics = {
    registry,
    blockHeight: new client.Gauge({ name: 'block_height', help: 'Height of the canonical head block.', registers: reg }),
    finalizedHeight: new client.Gauge({ name: 'finalized_height', help: 'Height of the highest finalized block.', registers: reg }),
    blockIntervalSeconds: new client.Histogram({
      name: 'block_interval_seconds',
      help: 'Seconds between consecutive block timestamps.',
      buckets: [0.25, 0.5, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 2, 3, 5, 10],
      registers: reg,
    }),
    txsAppliedTotal: new client.Counter({ name: 'txs_applied_total', help: 'Transactions applied in blocks.', registers: reg }),
    mempoolSize: new client.Gauge({ name: 'mempool_size', help: 'Transactions waiting in the mempool.', registers: reg }),
    mempoolRejectTotal: new client.Counter({
      name: 'mempool_reject_total',
      help: 'Transactions refused at admission, by reason.',
      labelNames: ['reason'] as const,
      registers: reg,
    }),
    rpcRequestsTotal: new client.Counter({
      name: 'rpc_requests_total',
      help: 'JSON-RPC requests by method and result code (0 = success).',
      labelNames: ['method', 'code'] as const,
      registers: reg,
      collect() {
        rpc.calls?.flushCounts();
      },
    }),
    rpcLatencySeconds: new client.Histogram({
      name: 'rpc_latency_seconds',
      help: 'JSON-RPC handling latency by method.',
      labelNames: ['method'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: reg,
      collect() {
        rpc.calls?.flushLatency();
      },
    }),
    rpcSubscriptions: new client.Gauge({ name: 'rpc_subscriptions', help: 'Open WebSocket subscriptions.', registers: reg }),
    nodeUp: new client.Gauge({ name: 'node_up', help: '1 while the node is in phase ready.', registers: reg }),
    nodePhase: new client.Gauge({
      name: 'node_phase',
      help: `Lifecycle phase: one series per phase (${NodePhase.options.join(', ')}), 1 for the current one.`,
      labelNames: ['phase'] as const,
      registers: reg,
    }),
    nodeInfo: new client.Gauge({
      name: 'node_info',
      help: 'Always 1; labels carry the software version, network name and chain id.',
      labelNames: ['version', 'network', 'chain_id'] as const,
      registers: reg,
    }),
    dataDir,
    dataDirFilesystemAvailBytes: new client.Gauge({
      name: 'data_dir_filesystem_avail_bytes',
      help: 'Bytes available to the node on the filesystem of its data directory (statfs bavail × bsize).',
      registers: reg,
      async collect() {
        const s = dataDir.path ? await statfsBytes(dataDir.path) : undefined;
        if (s) this.set(s.avail);
      },
    }),
    dataDirFilesystemSizeBytes: new client.Gauge({
      name: 'data_dir_filesystem_size_bytes',
      help: 'Size in bytes of the filesystem of the data directory (statfs blocks × bsize).',
      registers: reg,
      async collect() {
        const s = dataDir.path ? await statfsBytes(dataDir.path) : undefined;
        if (s) this.set(s.size);
      },
    }),
    // Consensus and network (issue 6; spec/chain_core.md §6 telemetry names).
    effectiveTotalStake: new client.Gauge({ name: 'effective_total_stake', help: 'Validator stake counted by Tendermint quorums after the head: genesis stake minus the stake excluded by evidence committed on chain.', registers: reg }),
    consensusExcludedStake: new client.Gauge({ name: 'consensus_excluded_stake', help: 'Stake of validators excluded from quorums by equivocation evidence committed in blocks.', registers: reg }),
    consensusValidatorsExcluded: new client.Gauge({ name: 'consensus_validators_excluded', help: 'Validators excluded from quorums by equivocation evidence committed in blocks.', registers: reg }),
    equivocatedStake: new client.Gauge({ name: 'equivocated_stake', help: 'Stake of validators caught signing two conflicting consensus messages (evidence kept and gossiped).', registers: reg }),
    finalityThreshold: new client.Gauge({ name: 'finality_threshold', help: 'Least precommit stake that commits a block: more than 2/3 of the counted stake.', registers: reg }),
    peers: new client.Gauge({ name: 'peers', help: 'Connected peers by transport.', labelNames: ['transport'] as const, registers: reg }),
    gossipMessagesTotal: new client.Counter({
      name: 'gossip_messages_total',
      help: 'Gossip messages received, by topic and validation result (accept, reject, ignore).',
      labelNames: ['topic', 'result'] as const,
      registers: reg,
    }),
    gossipPublishedTotal: new client.Counter({ name: 'gossip_published_total', help: 'Gossip messages published by this node, by topic.', labelNames: ['topic'] as const, registers: reg }),
    syncBlocksTotal: new client.Counter({ name: 'sync_blocks_total', help: 'Blocks imported through request/response sync.', registers: reg }),
    syncBlocksPerSecond: new client.Gauge({ name: 'sync_blocks_per_second', help: 'Sync import rate over the last few seconds (blocks/s).', registers: reg }),
    peerPenaltiesTotal: new client.Counter({ name: 'peer_penalties_total', help: 'Penalties given to peers for invalid messages, by reason.', labelNames: ['reason'] as const, registers: reg }),
    peerRequestsTotal: new client.Counter({ name: 'peer_requests_total', help: 'Requests to peers (status, block sync, ping) by result: answered or dropped (failed, timed out).', labelNames: ['result'] as const, registers: reg }),
    // Tendermint consensus (issue 10).
    consensusRound: new client.Gauge({ name: 'consensus_round', help: 'Current consensus round at the current height (0 = first round).', registers: reg }),
    consensusRoundTimeoutsTotal: new client.Counter({
      name: 'consensus_round_timeouts_total',
      help: 'Consensus timeouts that fired and moved the round state, by step (propose, prevote, precommit).',
      labelNames: ['step'] as const,
      registers: reg,
    }),
    finalityLagBlocks: new client.Gauge({ name: 'finality_lag_blocks', help: 'Highest height seen from peers minus the height this node is deciding (blocks; 0 when in step).', registers: reg }),
    consensusFallbackBlocksTotal: new client.Counter({
      name: 'consensus_fallback_blocks_total',
      help: 'Blocks committed in a Tendermint round above 0 (the round-0 proposer missed or its proposal did not gather +2/3).',
      registers: reg,
    }),
    consensusVoteLockReleasesTotal: new client.Counter({
      name: 'consensus_vote_lock_releases_total',
      help: 'Always 0 since Tendermint (issue 10): a lock is only released by a newer proof-of-lock; kept so dashboards keep their series.',
      registers: reg,
    }),
    equivocationsTotal: new client.Counter({ name: 'equivocations_total', help: 'Equivocations detected (two signed consensus messages of one validator for different values in one height/round/step).', registers: reg }),
    // Snapshots and restores (issue 5). Restores run while the node is stopped: the node loads their
    // outcomes from the data directory's restore_history at start (counts cover every recorded restore).
    snapshotDurationSeconds: new client.Histogram({
      name: 'snapshot_duration_seconds',
      help: 'Seconds to create a snapshot (successful ones).',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: reg,
    }),
    snapshotFailTotal: new client.Counter({ name: 'snapshot_fail_total', help: 'Snapshots that failed or were cancelled.', registers: reg }),
    snapshotBytes: new client.Gauge({ name: 'snapshot_bytes', help: 'Data bytes of the last completed snapshot.', registers: reg }),
    snapshotLastSuccessTimestampSeconds: new client.Gauge({
      name: 'snapshot_last_success_timestamp_seconds',
      help: 'Unix time (s) of the last snapshot that completed (manual or scheduled); absent until one has.',
      registers: reg,
    }),
    restoreDurationSeconds: new client.Histogram({
      name: 'restore_duration_seconds',
      help: 'Seconds to restore a snapshot into this data directory (completed restores).',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers: reg,
    }),
    restoreFailTotal: new client.Counter({ name: 'restore_fail_total', help: 'Restores into this data directory that failed or were rolled back after an interruption.', registers: reg }),
  };
  // Standard process_* / nodejs_* series after the chain's own (so `curl …/metrics | head` shows the
  // chain first). prom-client names three gauges `*_total`, which `promtool check metrics` rejects
  // (non-counters must not end in _total): drop those three.
  client.collectDefaultMetrics({ register: registry });
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);
  rpc.calls = new RpcMeter(metrics.rpcRequestsTotal, metrics.rpcLatencySeconds);
  /** Record `rpc_requests_total` / `rpc_latency_seconds` through `rpcCalls` on hot paths (see rpc-meter.ts). */
  return Object.assign(metrics, { rpcCalls: rpc.calls });
}
