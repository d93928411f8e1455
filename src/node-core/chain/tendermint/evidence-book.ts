/**
 * Equivocation evidence of the node (issue 10 "Evidence"): two signed consensus messages of one
 * validator in one (height, round, step) slot for different values. Kept per validator (the
 * first proof), persisted as chain DB metadata `equivocations` (canonical CBOR list of
 * `[message a bytes, message b bytes]`), re-verified on load so a tampered record cannot accuse an
 * honest validator, and shown by `consensus.finality` and the console's Finality card.
 *
 * The stake of an accused validator is reported as equivocated. Quorums still count it: under
 * Tendermint excluding it is only safe when every process excludes it at the same height (evidence
 * committed in a block; core.ts `CoreConfig.excluded`), and it is not needed for safety while
 * faulty stake is below 1/3.
 */
import type pino from 'pino';
import { formatAddress } from '../address.js';
import { asArray, asBytes, decodeCanonical, encodeCanonical } from '../codec.js';
import type { Block } from '../block.js';
import { fromHex, toHex } from '../../crypto/hash.js';
import type { ConsensusMessage } from './types.js';
import { conflict, decodeMessage, type Keyring, type SignedMessage } from './wire.js';

export interface Equivocation {
  /** 40-hex validator address. */
  from: string;
  kind: 'proposal' | 'prevote' | 'precommit';
  height: number;
  round: number;
  a: SignedMessage;
  b: SignedMessage;
  detectedAtMs: number;
}

export interface EvidenceStore {
  getMeta(name: string): Promise<Uint8Array | undefined>;
  putMeta(entries: [string, Uint8Array][]): Promise<void>;
}

const META = 'equivocations';

export class EvidenceBook {
  private readonly byValidator = new Map<string, Equivocation>();

  constructor(
    private readonly keys: Keyring,
    private readonly store: EvidenceStore,
    private readonly logger?: pino.Logger,
  ) {}

  /** Loads stored evidence (pairs that no longer verify are dropped with a warning). */
  async load(): Promise<void> {
    const rec = await this.store.getMeta(META);
    if (!rec) return;
    try {
      for (const pair of asArray(decodeCanonical(rec, META), META)) {
        const [a, b] = asArray(pair, 'equivocation', 2).map((x) => decodeMessage(asBytes(x, 'message'), this.keys));
        this.add(a, b, false);
      }
    } catch (err) {
      this.logger?.warn({ err: (err as Error).message }, 'stored equivocation evidence does not decode (an older format?); ignoring it');
    }
  }

  /**
   * Records a proof when it is one and the validator has none yet; persists it.
   * @returns the new record, or undefined (not a conflict, or already known).
   */
  add(a: SignedMessage, b: SignedMessage, persist = true, nowMs = Date.now()): Equivocation | undefined {
    if (!conflict(a.msg, b.msg) || this.byValidator.has(a.msg.from)) return undefined;
    const e: Equivocation = { from: a.msg.from, kind: a.msg.type, height: a.msg.height, round: a.msg.round, a, b, detectedAtMs: nowMs };
    this.byValidator.set(e.from, e);
    if (persist) {
      const body = encodeCanonical([...this.byValidator.values()].map((x) => [x.a.bytes, x.b.bytes]));
      void this.store.putMeta([[META, body]]).catch((err) => this.logger?.error({ err }, 'cannot persist equivocation evidence'));
    }
    return e;
  }

  has(addrHex: string): boolean {
    return this.byValidator.has(addrHex);
  }

  list(): Equivocation[] {
    return [...this.byValidator.values()];
  }

  /** Stake of the accused validators. */
  stake(stakes: ReadonlyMap<string, bigint>): bigint {
    let s = 0n;
    for (const id of this.byValidator.keys()) s += stakes.get(id) ?? 0n;
    return s;
  }

  /** JSON view (`consensus.finality` equivocations). */
  view() {
    return this.list().map((e) => ({
      validator: formatAddress(fromHex(e.from, 20)),
      kind: e.kind,
      height: e.height,
      round: e.round,
      votes: [e.a, e.b].map((m) => messageView(m)),
      detected_at_ms: e.detectedAtMs,
    }));
  }
}

/** One signed message as JSON: what it says and its signed wire bytes (hex) for anyone to re-verify. */
export function messageView(m: SignedMessage): { height: number; round: number; type: string; block_hash: string | null; validator: string; signed_message: string } {
  const x: ConsensusMessage<Block> = m.msg;
  return {
    height: x.height,
    round: x.round,
    type: x.type,
    block_hash: x.type === 'proposal' ? x.value.hashHex : x.id,
    validator: formatAddress(fromHex(x.from, 20)),
    signed_message: toHex(m.bytes),
  };
}
