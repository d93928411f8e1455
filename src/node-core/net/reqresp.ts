/**
 * The request/response protocols of the network (net/protocol.ts): the status handshake
 * (`/tb/status/1`; a peer of another chain id or genesis is refused with one log line and
 * banned) and block sync (`/tb/blocks/1`), client and server side. Every request and response is
 * bounded in size and time; a malformed one costs the sender its score (net/peers.ts).
 */
import { peerIdFromString } from '@libp2p/peer-id';
import type { Connection, Stream } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import type pino from 'pino';
import type { Chain } from '../chain/chain.js';
import { NODE_VERSION } from '../version.js';
import type { Chaos } from './chaos.js';
import type { Host } from './host.js';
import type { PeerLiveness } from './liveness.js';
import type { PeerBook } from './peers.js';
import {
  decodeBlocksRequest, decodeBlocksResponse, decodeStatus, encodeBlocksRequest, encodeBlocksResponse, encodeStatus,
  MAX_REQUEST_BYTES, MAX_STATUS_BYTES, MAX_SYNC_BYTES, PROTO_BLOCKS, PROTO_STATUS, type Status,
} from './protocol.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** Blocks read from the chain DB at once when serving a range (one LevelDB getMany). */
const READ_CHUNK = 32;

export interface ReqRespOptions {
  host: Host;
  chain: Chain;
  book: PeerBook;
  chaos: Chaos;
  banSecs: number;
  logger?: pino.Logger;
  /** Counts each request as answered or dropped (peer liveness). */
  liveness?: PeerLiveness;
}

export class ReqResp {
  /** Last status of each peer seen (a reconnecting peer keeps it). */
  readonly lastStatus = new Map<string, { status: Status; at: number }>();

  constructor(private readonly o: ReqRespOptions) {}

  /** Registers the protocol handlers on the host. */
  async register(): Promise<void> {
    await this.o.host.handle(PROTO_STATUS, (s, c) => this.serveStatus(s, c), { maxInboundStreams: 32 });
    await this.o.host.handle(PROTO_BLOCKS, (s, c) => this.serveBlocks(s, c), { maxInboundStreams: 16 });
  }

  ourStatus(): Status {
    const c = this.o.chain;
    const head = c.headBlock();
    const fin = c.finalized();
    return { chainId: c.genesis.chain_id, genesisHash: c.genesis.hash, headHeight: head.header.height, headHash: head.hashHex, finalizedHeight: fin.height, finalizedHash: fin.hashHex || head.hashHex, agent: `the-block/${NODE_VERSION}` };
  }

  /** Records a peer's status; a peer of another chain is refused (logged once per connection) and banned. */
  onPeerStatus(id: string, s: Status): boolean {
    const g = this.o.chain.genesis;
    if (s.chainId !== g.chain_id || s.genesisHash !== g.hash) {
      // One line per peer: the handshake runs in both directions and may repeat until the hang-up.
      if (this.o.book.isBanned(id)) return false;
      this.o.logger?.error(
        { peer: id, their_chain_id: s.chainId, their_genesis: s.genesisHash, our_chain_id: g.chain_id, our_genesis: g.hash },
        `refusing peer ${id}: it runs chain id ${s.chainId} with genesis ${s.genesisHash.slice(0, 16)}…, this node runs chain id ${g.chain_id} with genesis ${g.hash.slice(0, 16)}… (another network)`,
      );
      this.o.book.ban(id, this.o.banSecs, 'another chain id or genesis');
      return false;
    }
    const p = this.o.book.connected.get(id);
    if (p) {
      p.status = s;
      p.statusAtMs = Date.now();
    }
    this.lastStatus.set(id, { status: s, at: Date.now() });
    if (this.lastStatus.size > 512) this.lastStatus.delete(this.lastStatus.keys().next().value!);
    return true;
  }

  private async request(id: string, proto: string, body: Uint8Array, maxResponse: number): Promise<Uint8Array> {
    try {
      const res = await this.requestOnce(id, proto, body, maxResponse);
      this.o.liveness?.record(id, true);
      return res;
    } catch (err) {
      this.o.liveness?.record(id, false);
      throw err;
    }
  }

  private async requestOnce(id: string, proto: string, body: Uint8Array, maxResponse: number): Promise<Uint8Array> {
    if (this.o.chaos.isCut(id) || this.o.chaos.drop()) throw new Error('dropped by the chaos hook');
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const stream = await this.o.host.dialProtocol(peerIdFromString(id), proto, { signal });
    try {
      const lp = lpStream(stream, { maxDataLength: maxResponse });
      await lp.write(body, { signal });
      const res = await lp.read({ signal });
      await stream.close().catch(() => {});
      return res.subarray();
    } catch (err) {
      stream.abort(err as Error);
      throw err;
    }
  }

  /** Asks a peer for its status (the handshake). @throws when the peer fails to answer or is of another chain. */
  async requestStatus(id: string): Promise<Status> {
    const res = await this.request(id, PROTO_STATUS, encodeStatus(this.ourStatus()), MAX_STATUS_BYTES);
    let s: Status;
    try {
      s = decodeStatus(res);
    } catch (err) {
      this.o.book.penalize(id, 'malformed_sync', (err as Error).message);
      throw err;
    }
    if (!this.onPeerStatus(id, s)) throw new Error('peer of another chain');
    return s;
  }

  /** Fetches blocks [from, from+count) from a peer. @throws on a malformed response (peer penalized) or a failed request. */
  async requestBlocks(id: string, from: number, count: number): Promise<{ blocks: Uint8Array[]; proof: Uint8Array[] }> {
    const res = await this.request(id, PROTO_BLOCKS, encodeBlocksRequest(from, count), MAX_SYNC_BYTES + 64 * 1024);
    try {
      const r = decodeBlocksResponse(res);
      if (r.blocks.length > count) throw new Error(`asked for ${count} blocks, got ${r.blocks.length}`);
      return r;
    } catch (err) {
      this.o.book.penalize(id, 'malformed_sync', (err as Error).message);
      throw err;
    }
  }

  async serveStatus(stream: Stream, c: Connection): Promise<void> {
    const id = c.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: MAX_STATUS_BYTES });
    try {
      const req = await lp.read({ signal: AbortSignal.timeout(5000) });
      let theirs: Status;
      try {
        theirs = decodeStatus(req.subarray());
      } catch (err) {
        this.o.book.penalize(id, 'malformed_sync', `status: ${(err as Error).message}`);
        stream.abort(err as Error);
        return;
      }
      // Recorded (or refused, with its log line) before answering: the peer may hang up as soon
      // as it has our status, and a refusal must not depend on that race.
      this.onPeerStatus(id, theirs);
      await lp.write(encodeStatus(this.ourStatus()));
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  }

  async serveBlocks(stream: Stream, c: Connection): Promise<void> {
    const id = c.remotePeer.toString();
    const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
    try {
      const raw = await lp.read({ signal: AbortSignal.timeout(5000) });
      let req: { from: number; count: number };
      try {
        req = decodeBlocksRequest(raw.subarray());
      } catch (err) {
        this.o.book.penalize(id, 'malformed_sync', `blocks request: ${(err as Error).message}`);
        stream.abort(err as Error);
        return;
      }
      if (this.o.chaos.isCut(id)) throw new Error('partitioned');
      const chain = this.o.chain;
      const head = chain.headBlock().header.height;
      const blocks: Uint8Array[] = [];
      let bytes = 0;
      // READ_CHUNK blocks per DB read (not a read per block); the response stops at MAX_SYNC_BYTES.
      const last = Math.min(head, req.from + req.count - 1);
      fill: for (let h = req.from; h <= last; h += READ_CHUNK) {
        const chunk = await chain.blocksBytesFrom(h, Math.min(READ_CHUNK, last - h + 1));
        for (const b of chunk) {
          if (blocks.length > 0 && bytes + b.length > MAX_SYNC_BYTES) break fill;
          blocks.push(b);
          bytes += b.length;
        }
        if (chunk.length < Math.min(READ_CHUNK, last - h + 1)) break;
      }
      // The commit certificate of each block (Tendermint), aligned with the blocks; empty when none
      // (always on a single-validator chain: its blocks are final as made, nothing to read).
      const none = new Uint8Array(0);
      const certs = chain.set.multi ? await Promise.all(blocks.map(async (_, i) => (await chain.certificateAt(req.from + i)) ?? none)) : blocks.map(() => none);
      await lp.write(encodeBlocksResponse(blocks, certs));
      await stream.close();
    } catch (err) {
      stream.abort(err as Error);
    }
  }
}
