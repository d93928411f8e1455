/**
 * The module registry of a chain: tag → (module, kind) and id → module, built once from the
 * node's module list. Dispatch is a `Map` lookup, never an `if` on names: this folder does not
 * know which modules exist.
 */
import { CodecError, decodeCanonical, encodeCanonical } from './codec.js';
import type { CallView, ChainModule, TxKind } from './module.js';
import { TAG_RE, type DescribeCall, type SignedTx } from './tx.js';
import { EXCLUSIONS_ID, exclusionsModule } from './exclusions.js';

const ID_RE = /^[a-z0-9_]{1,32}$/;

/** A call whose tag no registered module declares. */
export class UnknownKindError extends CodecError {
  readonly reason = 'unknown_tx_kind';
  constructor(tag: string, known: string[]) {
    super(`unknown transaction kind "${tag}"; this node knows transfer${known.length ? ', ' + known.join(', ') : ''}`);
    this.name = 'UnknownKindError';
  }
}

/** A module call decoded by its module. */
export interface DecodedCall {
  module: ChainModule;
  kind: TxKind<unknown>;
  value: unknown;
}

export class ModuleSet {
  readonly list: readonly ChainModule[];
  private readonly byTag = new Map<string, { module: ChainModule; kind: TxKind<unknown> }>();
  private readonly byId = new Map<string, ChainModule>();
  /** Decoded calls by tx object (a tx is decoded once, whichever path sees it first). */
  private readonly decoded = new WeakMap<SignedTx, DecodedCall>();
  private readonly emptyBytes = new Map<string, Uint8Array>();

  /**
   * The chain's own consensus state (chain/exclusions.ts) comes first, then `modules`.
   * @throws Error for a bad, reserved or duplicate module id or tag (a programming error in the module list).
   */
  constructor(modules: readonly ChainModule[] = []) {
    this.list = [exclusionsModule, ...modules];
    for (const m of this.list) {
      if (!ID_RE.test(m.id) || (m.id === EXCLUSIONS_ID && m !== exclusionsModule)) throw new Error(`module id "${m.id}" must be 1-32 of a-z 0-9 _ and not "${EXCLUSIONS_ID}"`);
      if (this.byId.has(m.id)) throw new Error(`module id "${m.id}" is registered twice`);
      this.byId.set(m.id, m);
      for (const kind of m.kinds) {
        if (!TAG_RE.test(kind.tag) || kind.tag === 'transfer') throw new Error(`module ${m.id}: tag "${kind.tag}" must be 1-32 of a-z 0-9 _ . and not "transfer"`);
        const other = this.byTag.get(kind.tag);
        if (other) throw new Error(`tag "${kind.tag}" is declared by modules ${other.module.id} and ${m.id}`);
        this.byTag.set(kind.tag, { module: m, kind });
      }
      this.emptyBytes.set(m.id, encodeCanonical(m.state.encode(m.state.empty)));
    }
  }

  get(id: string): ChainModule | undefined {
    return this.byId.get(id);
  }

  /**
   * The module call of a tx decoded by its module (cached on the tx), or undefined for a transfer.
   * @throws UnknownKindError for an unregistered tag; CodecError for a malformed body.
   */
  decode(tx: SignedTx): DecodedCall | undefined {
    const raw = tx.payload.call;
    if (!raw) return undefined;
    const hit = this.decoded.get(tx);
    if (hit) return hit;
    const entry = this.byTag.get(raw.tag);
    if (!entry) throw new UnknownKindError(raw.tag, [...this.byTag.keys()]);
    const d: DecodedCall = { module: entry.module, kind: entry.kind, value: entry.kind.decode(raw.body) };
    this.decoded.set(tx, d);
    return d;
  }

  /** Tx views of module calls (`TxView.call`); undefined for transfers and undecodable calls. */
  readonly describe: DescribeCall = (tx) => {
    try {
      const d = this.decode(tx);
      return d ? (d.kind.view(d.value) as CallView) : undefined;
    } catch {
      return undefined;
    }
  };

  /** Canonical bytes of a module state. */
  encodeState(m: ChainModule, s: unknown): Uint8Array {
    return encodeCanonical(m.state.encode(s));
  }

  /** Whether `bytes` are the module's empty state (stored as an absent key). */
  isEmpty(id: string, bytes: Uint8Array): boolean {
    const e = this.emptyBytes.get(id)!;
    return e.length === bytes.length && Buffer.compare(e, bytes) === 0;
  }

  /** @throws CodecError when the bytes are not a canonical state of the module. */
  decodeState(m: ChainModule, bytes: Uint8Array): unknown {
    return m.state.decode(decodeCanonical(bytes, `state of module ${m.id}`));
  }
}
