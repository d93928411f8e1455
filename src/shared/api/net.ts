/**
 * Network and consensus methods and topics (issue 6), declared once and spread into METHODS and
 * Topics: peers (list, connect, disconnect, ban), sync status with named phases, gossip
 * counters, the finality view (spec/chain_core.md §6 `telemetry.summary.finality` fields), the
 * peer-store reseed of the recovery runbook, and the test-only chaos hook.
 * Stakes are decimal strings of base units; times in ms.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';
import { zAddress, zDecimal, zHash } from './numbers.js';

/** Sync phases as the console shows them, in order: connecting → downloading → verifying → following (idle: no peers configured). */
export const SyncPhase = z.enum(['idle', 'connecting', 'downloading', 'verifying', 'following']);
export type SyncPhase = z.infer<typeof SyncPhase>;

export const SyncStatus = z.object({
  phase: SyncPhase,
  /** Head height of this node. */
  local_height: z.number().int(),
  /** Best head height announced by a peer (≥ local_height). */
  target_height: z.number().int(),
  finalized_height: z.number().int(),
  /** Height when this sync run started (for the progress bar). */
  start_height: z.number().int(),
  /** 0..1 of (local − start) / (target − start); 1 when following. */
  progress: z.number(),
  /** Blocks imported per second over the last few seconds. */
  blocks_per_s: z.number(),
  /** Estimated ms to reach the target at the current rate; null when unknown. */
  eta_ms: z.number().nullable(),
  peers: z.number().int(),
  /** Peer id the node syncs from, when downloading. */
  best_peer: z.string().optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const PeerView = z.object({
  peer_id: z.string(),
  /** Remote multiaddr of the connection. */
  address: z.string(),
  transport: z.enum(['quic', 'tcp']),
  direction: z.enum(['inbound', 'outbound']),
  /** Ping round trip in ms; null before the first ping. */
  latency_ms: z.number().nullable(),
  /** Gossipsub peer score (includes this node's application score). */
  score: z.number(),
  /** This node's application score of the peer (penalties for invalid messages). */
  app_score: z.number(),
  /** `tb1…` node address of the peer (from its key). */
  node_address: z.string().optional(),
  validator: z.boolean(),
  head_height: z.number().int().nullable(),
  finalized_height: z.number().int().nullable(),
  connected_ms: z.number().int(),
  /** Penalty counts by reason. */
  penalties: z.record(z.string(), z.number()),
});
export type PeerView = z.infer<typeof PeerView>;

export const PeersSummary = z.object({ count: z.number().int(), quic: z.number().int(), tcp: z.number().int() });
export type PeersSummary = z.infer<typeof PeersSummary>;

const zPeerId = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,128}$/, 'must be a libp2p peer id (base58, e.g. 12D3KooW…)');
const zMultiaddr = z.string().regex(/^\/(ip4|ip6|dns4|dns6)\/\S+$/, 'must be a multiaddr like /ip4/127.0.0.1/tcp/30333/p2p/12D3KooW…').max(512);

export const netInfo = defineMethod({
  name: 'net.info',
  summary: 'This node on the network: peer id, listen addresses (QUIC and TCP), network name, chain id, genesis hash, bootstrap and static peers, peer store path.',
  params: z.object({}),
  order: [],
  result: z.object({
    enabled: z.boolean(),
    peer_id: z.string().nullable(),
    listen: z.array(z.string()),
    network: z.string(),
    chain_id: z.number().int(),
    genesis_hash: zHash,
    network_file: z.string().nullable(),
    bootstrap: z.array(z.string()),
    static_peers: z.array(z.string()),
    peer_store: z.string(),
    known_peers: z.number().int(),
    banned: z.array(z.object({ peer_id: z.string(), until_ms: z.number() })),
    test_hooks: z.boolean(),
  }),
  mutating: false,
});

export const netPeers = defineMethod({
  name: 'net.peers',
  summary: 'Connected peers: id, address, transport (quic/tcp), direction, latency (ms), score, head and finalized height.',
  params: z.object({}),
  order: [],
  result: z.array(PeerView),
  mutating: false,
});

export const netConnect = defineMethod({
  name: 'net.connect',
  summary: 'Dial a peer by multiaddr; returns its peer id and the transport used.',
  params: z.object({ addr: zMultiaddr }),
  order: ['addr'],
  result: z.object({ peer_id: z.string(), transport: z.enum(['quic', 'tcp']) }),
  mutating: true,
  reasons: ['p2p_disabled', 'dial_failed', 'banned'],
});

export const netDisconnect = defineMethod({
  name: 'net.disconnect',
  summary: 'Close the connections to a peer; returns whether it was connected.',
  params: z.object({ peer_id: zPeerId }),
  order: ['peer_id'],
  result: z.object({ disconnected: z.boolean() }),
  mutating: true,
  reasons: ['p2p_disabled'],
});

export const netBan = defineMethod({
  name: 'net.ban',
  summary: 'Ban a peer for `secs` seconds (default TB_P2P_BAN_SECS) and disconnect it; `secs: 0` lifts a ban.',
  params: z.object({ peer_id: zPeerId, secs: z.number().int().min(0).max(7 * 86_400).optional() }),
  order: ['peer_id', 'secs'],
  result: z.object({ banned: z.boolean(), until_ms: z.number().nullable() }),
  mutating: true,
  reasons: ['p2p_disabled'],
});

export const netSyncStatus = defineMethod({
  name: 'net.sync_status',
  summary: 'Sync phase (connecting → downloading → verifying → following), local and target height, blocks/s, ETA (ms), progress.',
  params: z.object({}),
  order: [],
  result: SyncStatus,
  mutating: false,
});

export const netGossipStatus = defineMethod({
  name: 'net.gossip_status',
  summary: 'Gossip topics with mesh and subscribed peers and message counters (received by result, published).',
  params: z.object({}),
  order: [],
  result: z.object({
    enabled: z.boolean(),
    topics: z.array(
      z.object({
        kind: z.enum(['blocks', 'txs', 'votes']),
        topic: z.string(),
        mesh_peers: z.number().int(),
        subscribers: z.number().int(),
        received: z.object({ accept: z.number(), reject: z.number(), ignore: z.number() }),
        published: z.number(),
      }),
    ),
    chaos: z.object({ loss_percent: z.number(), jitter_ms: z.number(), partition: z.array(z.string()) }).nullable(),
  }),
  mutating: false,
});

export const netReseed = defineMethod({
  name: 'net.reseed',
  summary: 'DHT/gossip recovery: purge the peer store (overlay_peers.json) and redial the bootstrap and static peers.',
  params: z.object({}),
  order: [],
  result: z.object({ purged: z.number().int(), dialed: z.number().int() }),
  mutating: true,
  reasons: ['p2p_disabled'],
});

export const netChaos = defineMethod({
  name: 'net.chaos',
  summary: 'TEST ONLY (TB_P2P_TEST_HOOKS=1): inject message loss (percent), jitter (ms) and a partition (peer ids cut off); clear resets.',
  params: z.object({
    loss_percent: z.number().int().min(0).max(100).optional(),
    jitter_ms: z.number().int().min(0).max(10_000).optional(),
    partition: z.array(zPeerId).max(64).optional(),
    clear: z.boolean().optional(),
  }),
  order: ['loss_percent', 'jitter_ms', 'partition', 'clear'],
  result: z.object({ loss_percent: z.number(), jitter_ms: z.number(), partition: z.array(z.string()) }),
  mutating: true,
  reasons: ['test_hooks_disabled', 'p2p_disabled'],
});

/** Two conflicting signed Tendermint messages of one validator (each re-verifiable from `signed_message`). */
export const EquivocationView = z.object({
  validator: zAddress,
  kind: z.enum(['proposal', 'prevote', 'precommit']),
  height: z.number().int(),
  round: z.number().int(),
  votes: z.array(
    z.object({
      height: z.number().int(),
      round: z.number().int(),
      type: z.string(),
      /** null = a vote for nil. */
      block_hash: zHash.nullable(),
      validator: zAddress,
      /** The signed wire message (hex, chain/tendermint/wire.ts). */
      signed_message: z.string(),
    }),
  ),
  detected_at_ms: z.number(),
});

/** The Tendermint state machine of this node (null before it starts and on single-validator chains). */
export const ConsensusStateView = z.object({
  protocol: z.literal('tendermint'),
  height: z.number().int(),
  round: z.number().int(),
  step: z.enum(['newHeight', 'propose', 'prevote', 'precommit']),
  /** Proposer of (height, round). */
  proposer: z.string(),
  /** The last round timeout at this height (ago_ms: milliseconds since it fired). */
  last_timeout: z.object({ round: z.number().int(), step: z.enum(['commit', 'propose', 'prevote', 'precommit']), ago_ms: z.number() }).nullable(),
  /** Why the current round was entered (null in round 0). */
  round_reason: z.string().nullable(),
});

export const consensusFinality = defineMethod({
  name: 'consensus.finality',
  summary: 'Finality (Tendermint): finalized height/hash, stake counted and needed (> 2/3), equivocated stake, validators, precommit support of the height being decided, equivocation proofs, consensus height/round/step/proposer/last timeout.',
  params: z.object({}),
  order: [],
  result: z.object({
    finalized_height: z.number().int(),
    finalized_hash: z.string(),
    head_height: z.number().int(),
    effective_total_stake: zDecimal,
    equivocated_stake: zDecimal,
    /** Stake excluded from quorums by evidence committed in blocks (issue 10). */
    excluded_stake: zDecimal,
    finality_threshold: zDecimal,
    total_stake: zDecimal,
    validators: z.array(z.object({ address: zAddress, stake: zDecimal, equivocated: z.boolean(), excluded_from_height: z.number().int().nullable(), self: z.boolean() })),
    /** Validators excluded by committed evidence and the first height their stake no longer counts. */
    excluded_validators: z.array(z.object({ address: zAddress, from_height: z.number().int() })),
    vote_support: z.array(z.object({ height: z.number().int(), stake: zDecimal })),
    equivocated_validators: z.array(zAddress),
    equivocations: z.array(EquivocationView),
    is_validator: z.boolean(),
    syncing: z.boolean(),
    consensus: ConsensusStateView.nullable(),
  }),
  mutating: false,
});

/** The network's methods, spread into METHODS. */
export const NET_METHODS = [netInfo, netPeers, netConnect, netDisconnect, netBan, netSyncStatus, netGossipStatus, netReseed, netChaos, consensusFinality] as const;

/** The network's topics, spread into Topics. */
export const NetTopics = {
  /** Sync status: on every phase change and every second while not following. */
  'net.sync': SyncStatus,
  /** Connected peer counts, on every connect and disconnect. */
  'net.peers': PeersSummary,
} as const;
