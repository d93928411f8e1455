/**
 * Governor inputs read from our chain (I/O side of the gates): block timestamps of the window
 * (from `newHeads`, backfilled from the chain DB at start), finality lag, a re-validation of
 * sampled blocks (the replay success ratio), peer liveness, and the economics activity of the
 * last complete epoch. Pure rules live in gates.ts.
 */
import type { BlockHeader } from '../../shared/api/index.js';
import { EPOCH_BLOCKS, headerHash, txRoot, type Block } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import { signingMessage } from '../chain/tx.js';
import { verify } from '../crypto/ed25519.js';
import { bytesEqual, fromHex, toHex } from '../crypto/hash.js';
import type { OperationalSample } from './gates.js';

/** Most block timestamps kept (bounds memory for long windows on fast chains). */
const RING_MAX = 20_000;
/** Blocks re-validated per window. */
export const REPLAY_SAMPLES = 4;

/** Recent (height, timestamp) pairs of the canonical chain, oldest first. */
export class BlockRing {
  private readonly heights: number[] = [];
  private readonly times: number[] = [];

  add(height: number, timestampMs: number): void {
    const last = this.heights.at(-1);
    if (last !== undefined && height <= last) return;
    this.heights.push(height);
    this.times.push(timestampMs);
    if (this.heights.length > RING_MAX) {
      this.heights.splice(0, this.heights.length - RING_MAX);
      this.times.splice(0, this.times.length - RING_MAX);
    }
  }

  onHead = (h: BlockHeader): void => this.add(h.height, h.timestamp_ms);

  /** Loads the last `count` blocks (or fewer) from the chain, so the first window is full after a restart. */
  async backfill(chain: Chain, count: number): Promise<void> {
    const tip = chain.tip().height;
    const from = Math.max(1, tip - Math.min(count, RING_MAX) + 1);
    for (let h = from; h <= tip; h++) {
      const b = await chain.blockAt(h);
      if (b) this.add(h, b.header.timestampMs);
    }
  }

  /** Heights and timestamps of blocks with timestamp ≥ `sinceMs`. */
  since(sinceMs: number): { heights: number[]; times: number[] } {
    let i = this.times.length;
    while (i > 0 && this.times[i - 1] >= sinceMs) i--;
    return { heights: this.heights.slice(i), times: this.times.slice(i) };
  }
}

/**
 * Re-validates one stored block without state: proposer signature by a genesis validator,
 * every tx signature, tx root, header hash, parent link and epoch.
 * @returns null when valid, else what failed.
 */
export async function revalidate(chain: Chain, height: number): Promise<string | null> {
  let b: Block | undefined;
  let parent: Block | undefined;
  try {
    b = await chain.blockAt(height);
    parent = await chain.blockAt(height - 1);
  } catch (err) {
    return `block ${height} does not decode: ${(err as Error).message}`;
  }
  if (!b || !parent) return `block ${height} is missing`;
  const g = chain.genesis;
  const h = b.header;
  const proposer = g.validators.find((v) => v.address === `tb1${toHex(h.proposer)}`);
  if (!proposer) return `block ${height}: proposer is not a validator`;
  if (!bytesEqual(headerHash(h), b.hash)) return `block ${height}: header hash mismatch`;
  if (!verify(b.signature, b.hash, fromHex(proposer.public_key, 32))) return `block ${height}: proposer signature does not verify`;
  if (!bytesEqual(h.parentHash, parent.hash)) return `block ${height}: parent link broken`;
  if (h.epoch !== Math.floor(h.height / EPOCH_BLOCKS)) return `block ${height}: wrong epoch`;
  for (const tx of b.txs) {
    if (!verify(tx.signature, signingMessage(g.chain_id, tx.payloadBytes), tx.publicKey)) return `block ${height}: tx ${tx.hash} signature does not verify`;
  }
  if (!bytesEqual(txRoot(b.txs.map((t) => fromHex(t.hash, 32))), h.txRoot)) return `block ${height}: tx root mismatch`;
  return null;
}

/** Evenly spread sample of `n` heights from a list (always including the newest). */
export function sampleHeights(heights: readonly number[], n: number): number[] {
  if (heights.length <= n) return [...heights];
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(heights[Math.round(((heights.length - 1) * (i + 1)) / n)]);
  return [...new Set(out)];
}

/**
 * Operational sample over the last `windowSecs` seconds.
 * @param peers connected peers and their measured liveness (null = not measured) — a chain with one
 *   validator and no peers counts as live.
 */
export async function sampleOperational(
  chain: Chain,
  ring: BlockRing,
  windowSecs: number,
  nowMs: number,
  peers: { count: number; liveness: number | null } = { count: 0, liveness: null },
): Promise<{ sample: OperationalSample; failures: string[] }> {
  const { heights, times } = ring.since(nowMs - windowSecs * 1000);
  const spacingsMs: number[] = [];
  for (let i = 1; i < times.length; i++) spacingsMs.push(times[i] - times[i - 1]);
  const tip = chain.tip();
  const failures: string[] = [];
  const sampled = sampleHeights(heights.filter((h) => h >= 1), REPLAY_SAMPLES);
  let ok = 0;
  for (const h of sampled) {
    const f = await revalidate(chain, h);
    if (f === null) ok++;
    else failures.push(f);
  }
  return {
    sample: {
      windowSecs,
      blocks: heights.length,
      spacingsMs,
      finalityLagBlocks: tip.height - tip.finalized_height,
      replayChecked: sampled.length,
      replayOk: ok,
      peers: peers.count,
      peerLiveness: peers.liveness,
      devSolo: peers.count === 0 && chain.genesis.validators.length === 1,
    },
    failures,
  };
}

/** Transfers and transferred volume (base units) of a complete epoch (module calls such as governor intents are not counted). */
export async function epochActivity(chain: Chain, epoch: number): Promise<{ txCount: number; volume: bigint }> {
  let txCount = 0;
  let volume = 0n;
  for (let h = Math.max(1, epoch * EPOCH_BLOCKS); h < (epoch + 1) * EPOCH_BLOCKS; h++) {
    const b = await chain.blockAt(h);
    if (!b) break;
    for (const tx of b.txs) {
      if (tx.payload.call) continue;
      txCount++;
      volume += tx.payload.amount;
    }
  }
  return { txCount, volume };
}
