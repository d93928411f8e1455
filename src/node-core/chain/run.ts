/**
 * One block's state transition, shared by block production, import, replay and (its `admit`
 * part) mempool admission, so the four cannot drift (chain/module.ts gives the order):
 *   begin() → apply(tx)… → end() → the prepared accounts, every module's state and the state root.
 * A refused tx leaves the run unchanged (its account and module changes are staged in a Journal).
 */
import { toHex } from '../crypto/hash.js';
import { formatAddress } from './address.js';
import { applyTx as applyTransfer, type ApplyFailure } from './apply.js';
import { EPOCH_BLOCKS } from './block.js';
import { CodecError } from './codec.js';
import { Journal, ledgerOver, type Accounts } from './ledger.js';
import type { Address, BlockContext, ModuleRef, Refusal, TxContext } from './module.js';
import type { ModuleSet } from './modules.js';
import { moduleHash, stateRoot } from './root.js';
import { EXCLUSIONS_ID, withExclusions, type Exclusions } from './exclusions.js';
import type { Overlay, Prepared, State } from './state.js';
import type { SignedTx } from './tx.js';

/** Committed module states after some block: decoded states and the hashes of the non-empty ones. */
export interface ModuleStates {
  states: ReadonlyMap<string, unknown>;
  hashes: ReadonlyMap<string, Uint8Array>;
}

/** A block's result: the staged accounts (install with `State.commit`) and the module states after it. */
export interface RunResult extends Prepared {
  modules: ModuleStates;
  /** Modules whose state the block changed: id → new state bytes, or null when it became empty. */
  changed: Map<string, Uint8Array | null>;
  /** The header state root (chain/root.ts). */
  stateRoot: Uint8Array;
}

export interface BlockInfo {
  height: number;
  timestampMs: number;
  /** 40-hex address of the proposer (fee recipient). */
  proposerHex: string;
  /** Validator stake by `tb1…` address. */
  validators: ReadonlyMap<Address, bigint>;
  /** Validators (40-hex) the block's committed evidence excludes from height + 1 (chain/exclusions.ts). */
  excludes?: readonly string[];
}

/** Module states of a chain with no module state yet (every module at its empty value). */
export function emptyModuleStates(set: ModuleSet): ModuleStates {
  return { states: new Map(set.list.map((m) => [m.id, m.state.empty])), hashes: new Map() };
}

export class BlockRun {
  private readonly ov: Overlay;
  private readonly states: Map<string, unknown>;
  private readonly ctx: BlockContext;
  /** Fees of the txs applied so far (BlockContext.fees). */
  private fees = 0n;

  constructor(
    private readonly state: State,
    private readonly set: ModuleSet,
    private readonly before: ModuleStates,
    private readonly b: BlockInfo,
  ) {
    this.ov = state.begin();
    this.states = new Map(before.states);
    this.ctx = this.context(this.ov);
  }

  private context(acc: Accounts): BlockContext {
    const states = this.states;
    return {
      height: this.b.height,
      epoch: Math.floor(this.b.height / EPOCH_BLOCKS),
      timestampMs: this.b.timestampMs,
      proposer: formatAddress(Buffer.from(this.b.proposerHex, 'hex')),
      validators: this.b.validators,
      ledger: ledgerOver(acc),
      fees: this.fees,
      read<S>(ref: ModuleRef<S>): S {
        if (!states.has(ref.id)) throw new Error(`module ${ref.id} is not registered on this chain`);
        return states.get(ref.id) as S;
      },
    };
  }

  /** Records the block's exclusions (chain/exclusions.ts), then runs every module's `beginBlock` (list order). */
  begin(): this {
    if (this.b.excludes?.length) this.states.set(EXCLUSIONS_ID, withExclusions(this.states.get(EXCLUSIONS_ID) as Exclusions, this.b.excludes, this.b.height));
    for (const m of this.set.list) if (m.beginBlock) this.states.set(m.id, m.beginBlock(this.states.get(m.id), this.ctx));
    return this;
  }

  /**
   * Applies one tx: nonce and fee, then the transfer or the module call.
   * @returns null when applied, else why not (the run is then unchanged).
   */
  apply(tx: SignedTx, index: number): ApplyFailure | Refusal | null {
    let call;
    try {
      call = this.set.decode(tx);
    } catch (err) {
      if (err instanceof CodecError) return { reason: (err as { reason?: string }).reason ?? 'malformed_tx', message: err.message };
      throw err;
    }
    if (!call) {
      const f = applyTransfer(this.ov, tx, this.b.proposerHex);
      if (!f) this.fees += tx.payload.fee;
      return f;
    }
    const j = new Journal(this.ov);
    const f = applyTransfer(j, tx, this.b.proposerHex);
    if (f) return f;
    const r = this.callModule(tx, call, j, index);
    if (r) return r;
    j.commit();
    this.fees += tx.payload.fee;
    return null;
  }

  /**
   * Mempool admission of a module call: the module's `applyTx` against this run (after `begin`),
   * without nonce or fee (the mempool checks those) and without keeping anything.
   * @returns null when the call would apply, else the module's refusal.
   */
  admit(tx: SignedTx): Refusal | null {
    const call = this.set.decode(tx);
    if (!call) return null;
    const before = this.states.get(call.module.id);
    const r = this.callModule(tx, call, new Journal(this.ov), -1);
    this.states.set(call.module.id, before);
    return r;
  }

  private callModule(tx: SignedTx, call: NonNullable<ReturnType<ModuleSet['decode']>>, acc: Accounts, index: number): Refusal | null {
    const ctx: TxContext = { ...this.context(acc), sender: tx.fromAddress, txHash: tx.hash, fee: tx.payload.fee, index };
    const r = call.module.applyTx(this.states.get(call.module.id), call.value, ctx);
    if (!r.ok) return { reason: r.reason, message: r.message };
    this.states.set(call.module.id, r.state);
    return null;
  }

  /** Runs every module's `endBlock`, hashes the accounts and the changed module states. */
  end(): RunResult {
    const ctx: BlockContext = { ...this.ctx, fees: this.fees };
    for (const m of this.set.list) if (m.endBlock) this.states.set(m.id, m.endBlock(this.states.get(m.id), ctx));
    const prepared = this.state.prepare(this.ov);
    const changed = new Map<string, Uint8Array | null>();
    const hashes = new Map(this.before.hashes);
    for (const m of this.set.list) {
      const s = this.states.get(m.id);
      if (s === this.before.states.get(m.id)) continue;
      const bytes = this.set.encodeState(m, s);
      const empty = this.set.isEmpty(m.id, bytes);
      const h = empty ? undefined : moduleHash(bytes);
      const old = this.before.hashes.get(m.id);
      if (h === undefined ? old === undefined : old !== undefined && toHex(h) === toHex(old)) continue;
      changed.set(m.id, empty ? null : bytes);
      if (h) hashes.set(m.id, h);
      else hashes.delete(m.id);
    }
    return { ...prepared, modules: { states: this.states, hashes }, changed, stateRoot: stateRoot(prepared.root, hashes) };
  }
}
