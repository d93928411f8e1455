/**
 * The libp2p host (DESIGN.md "net/"): QUIC (@chainsafe/libp2p-quic) and TCP (noise + yamux) on
 * the configured addresses, identify, ping and gossipsub. The libp2p identity is the node key
 * (same Ed25519 seed), so a peer id names a node address. A connection gater refuses banned and
 * partitioned (test hook) peers.
 */
import { noise } from '@chainsafe/libp2p-noise';
import { quic } from '@chainsafe/libp2p-quic';
import { yamux } from '@chainsafe/libp2p-yamux';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { gossipsub, StrictNoSign, type GossipSub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { PeerId } from '@libp2p/interface';
import { ping, type Ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { createLibp2p, type Libp2p } from 'libp2p';
import type { KeyPair } from '../crypto/ed25519.js';
import { MAX_GOSSIP_BYTES, messageId } from './protocol.js';

export type Host = Libp2p<{ pubsub: GossipSub; ping: Ping; identify: unknown }>;

/** A listen address that cannot be bound; the message names the flag that changes it. */
export class P2pListenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'P2pListenError';
  }
}

/** `127.0.0.1:30333` → multiaddr for QUIC or TCP. @throws P2pListenError for a non-IP host. */
export function listenMultiaddr(hostPort: string, kind: 'quic' | 'tcp'): string {
  const m = /^(.*):(\d+)$/.exec(hostPort);
  if (!m) throw new P2pListenError(`${hostPort} is not host:port`);
  let host = m[1].replace(/^\[|\]$/g, '');
  if (host === 'localhost') host = '127.0.0.1';
  const fam = host.includes(':') ? 'ip6' : /^\d+\.\d+\.\d+\.\d+$/.test(host) ? 'ip4' : undefined;
  if (!fam) throw new P2pListenError(`${hostPort}: the p2p listen host must be an IP address`);
  return kind === 'quic' ? `/${fam}/${host}/udp/${m[2]}/quic-v1` : `/${fam}/${host}/tcp/${m[2]}`;
}

export interface HostOptions {
  nodeKey: KeyPair;
  quicAddr: string;
  tcpAddr: string;
  /** Refuse connections with these peers (banned, or cut by the chaos hook). */
  deny: (peerId: string) => boolean;
  /** Application score of a peer (added to gossipsub's peer score). */
  appScore: (peerId: string) => number;
}

/**
 * Creates and starts the host.
 * @throws P2pListenError when a listen address is in use or invalid (message names the flag).
 */
export async function startHost(o: HostOptions): Promise<Host> {
  const privateKey = await generateKeyPairFromSeed('Ed25519', o.nodeKey.secretKey.slice(0, 32));
  const listen = [listenMultiaddr(o.quicAddr, 'quic'), listenMultiaddr(o.tcpAddr, 'tcp')];
  const deny = (p: PeerId) => o.deny(p.toString());
  let node: Host;
  try {
    node = (await createLibp2p({
      privateKey,
      addresses: { listen },
      transports: [quic(), tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: deny,
        denyInboundEncryptedConnection: deny,
        denyOutboundEncryptedConnection: deny,
        // Loopback is all a local testnet has; libp2p's default filters are for the open internet.
        denyDialMultiaddr: () => false,
      },
      connectionManager: { maxConnections: 64 },
      services: {
        identify: identify(),
        ping: ping(),
        pubsub: gossipsub({
          globalSignaturePolicy: StrictNoSign,
          msgIdFn: (msg) => messageId(msg.data),
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          emitSelf: false,
          asyncValidation: false,
          heartbeatInterval: 700,
          maxInboundDataLength: MAX_GOSSIP_BYTES,
          maxOutboundBufferSize: 4 * MAX_GOSSIP_BYTES,
          scoreParams: {
            appSpecificScore: o.appScore,
            appSpecificWeight: 1,
            // Every peer of a local testnet shares 127.0.0.1: no IP colocation penalty.
            IPColocationFactorWeight: 0,
          },
        }),
      },
    })) as unknown as Host;
  } catch (err) {
    const msg = (err as Error).message;
    if (/EADDRINUSE|address already in use/i.test(msg))
      throw new P2pListenError(`a p2p port is already in use (QUIC ${o.quicAddr}, TCP ${o.tcpAddr}); change it with --p2p-quic-addr / TB_P2P_QUIC_ADDR or --p2p-tcp-addr / TB_P2P_TCP_ADDR`);
    throw err;
  }
  return node;
}

/** `quic` or `tcp` from a connection's remote multiaddr. */
export function transportOf(addr: string): 'quic' | 'tcp' {
  return addr.includes('/quic') ? 'quic' : 'tcp';
}
