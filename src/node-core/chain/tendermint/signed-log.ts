/**
 * The signed wire bytes of the consensus messages a node has seen or sent, by message (the core
 * works on unsigned records): commit certificates, evidence and re-gossip bundles are built from
 * them. Bounded (a flooding equivocator cannot grow it without limit) and pruned per height.
 */
import type { Block } from '../block.js';
import type { ConsensusMessage } from './types.js';

/** Signed messages kept (oldest dropped first past this). */
export const SIGNED_LOG_CAP = 20_000;

const keyOf = (m: ConsensusMessage<Block>): string => `${m.height}|${m.round}|${m.type}|${m.from}|${m.type === 'proposal' ? `${m.value.hashHex}|${m.validRound}` : m.id}`;

export class SignedLog {
  private readonly bytes = new Map<string, Uint8Array>();

  put(m: ConsensusMessage<Block>, bytes: Uint8Array): void {
    if (this.bytes.size >= SIGNED_LOG_CAP) this.bytes.delete(this.bytes.keys().next().value!);
    this.bytes.set(keyOf(m), bytes);
  }

  get(m: ConsensusMessage<Block>): Uint8Array | undefined {
    return this.bytes.get(keyOf(m));
  }

  /** The signed bytes of each message that has them (in order). */
  all(ms: readonly ConsensusMessage<Block>[]): Uint8Array[] {
    return ms.map((m) => this.get(m)).filter((x): x is Uint8Array => x !== undefined);
  }

  /** Forgets the messages of heights up to `h`. */
  pruneTo(h: number): void {
    for (const k of this.bytes.keys()) if (Number(k.slice(0, k.indexOf('|'))) <= h) this.bytes.delete(k);
  }
}
