/**
 * A misbehaving peer for integration tests: a real libp2p host (the node's own host module, a
 * fresh key) that joins the gossip topics of a chain and sends malformed messages, malformed sync
 * requests, and answers sync requests with garbage after announcing a better chain.
 */
import { peerIdFromString } from '@libp2p/peer-id';
import { lpStream } from '@libp2p/utils';
import { multiaddr } from '@multiformats/multiaddr';
import { addressOf } from '../../../src/node-core/chain/address.js';
import { encodeCanonical } from '../../../src/node-core/chain/codec.js';
import { generateKeys } from '../../../src/node-core/crypto/ed25519.js';
import { startHost, type Host } from '../../../src/node-core/net/host.js';
import { encodeStatus, PROTO_BLOCKS, PROTO_STATUS, topicName, type TopicKind } from '../../../src/node-core/net/protocol.js';

export interface TestPeer {
  id: string;
  host: Host;
  connect(addr: string): Promise<void>;
  waitSubscribed(peerId: string): Promise<void>;
  publishGarbage(): Promise<void>;
  sendMalformedSync(peerId: string): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestPeer(o: { chainId: number; genesisHash: string }): Promise<TestPeer> {
  const k = generateKeys();
  const host = await startHost({ nodeKey: { ...k, address: addressOf(k.publicKey) }, quicAddr: '127.0.0.1:0', tcpAddr: '127.0.0.1:0', deny: () => false, appScore: () => 0 });
  const topic = (kind: TopicKind) => topicName(o.chainId, o.genesisHash, kind);
  for (const kind of ['blocks', 'txs', 'votes'] as const) host.services.pubsub.subscribe(topic(kind));
  const id = host.peerId.toString();
  return {
    id,
    host,
    async connect(addr) {
      await host.dial(multiaddr(addr), { signal: AbortSignal.timeout(10_000) });
    },
    async waitSubscribed(peerId) {
      for (let i = 0; i < 200; i++) {
        if (host.services.pubsub.getSubscribers(topic('blocks')).some((p) => p.toString() === peerId)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('the node never subscribed to the block topic');
    },
    async publishGarbage() {
      await host.services.pubsub.publish(topic('blocks'), encodeCanonical([1, 2, 3]));
      await host.services.pubsub.publish(topic('votes'), encodeCanonical([o.chainId, 0, new Uint8Array(32), new Uint8Array(20), new Uint8Array(64)]));
      await host.services.pubsub.publish(topic('txs'), new TextEncoder().encode('{"not":"cbor"}'));
    },
    async sendMalformedSync(peerId) {
      // Announce a far better chain (unknown finalized block) so the node asks us for blocks — and
      // answer garbage. Served only from here on: before, the node's status requests to this peer
      // fail unpenalized (protocol not supported).
      await host.handle(PROTO_STATUS, async (stream) => {
        const lp = lpStream(stream);
        await lp.read();
        await lp.write(encodeStatus({ chainId: o.chainId, genesisHash: o.genesisHash, headHeight: 1_000_000, headHash: 'ab'.repeat(32), finalizedHeight: 999_000, finalizedHash: 'cd'.repeat(32), agent: 'test-peer' }));
        await stream.close();
      });
      await host.handle(PROTO_BLOCKS, async (stream) => {
        const lp = lpStream(stream);
        await lp.read();
        await lp.write(new Uint8Array([0xff, 0x00, 0x13, 0x37]));
        await stream.close();
      });
      for (const proto of [PROTO_BLOCKS, PROTO_STATUS]) {
        try {
          const s = await host.dialProtocol(peerIdFromString(peerId), proto, { signal: AbortSignal.timeout(5000) });
          const lp = lpStream(s);
          await lp.write(new Uint8Array([0x9f, 0xff, 0xff, 0x00]));
          await lp.read({ signal: AbortSignal.timeout(3000) }).catch(() => {});
          s.abort(new Error('done'));
        } catch {
          /* the node resets the stream: expected */
        }
      }
    },
    async stop() {
      await host.stop();
    },
  };
}
