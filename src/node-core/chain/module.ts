/**
 * The chain side of a subsystem: `ChainModule` (cf. Cosmos SDK `types/module/module.go` AppModule,
 * Substrate FRAME pallets). The chain dispatches module transactions through a registry `Map`
 * (chain/modules.ts) and never names a module; the node's module list (src/node-core/modules/)
 * hands the modules to `Chain.open`.
 *
 * A module transaction is the transfer payload with a 7th element `[tag, ...body]` (chain/tx.ts):
 * `to` = `from`, `amount` = 0; the sender pays the fee and advances its nonce like any transfer.
 * Value moves inside the module through `ctx.ledger` (debit/credit/transfer return a refusal,
 * never throw), so a refused call leaves every balance unchanged.
 *
 * Order inside one block (production, import, mempool admission and replay all run it, chain/run.ts):
 *   1. `beginBlock` of every module, in list order;
 *   2. each tx in block order: nonce + fee (core), then the transfer or the module's `applyTx`;
 *   3. `endBlock` of every module, in list order (ctx.fees = the block's fees, already paid to the proposer);
 *   4. the state root (chain/root.ts) over the accounts and every module's encoded state.
 * Every hook is a pure function of (state, input, ctx): no clock, no I/O, no randomness.
 */

/** `tb1…` address (tb1 + 40 lowercase hex). */
export type Address = string;

/** Why a call cannot apply: a stable `reason` (snake_case) and a message saying what and where. */
export interface Refusal {
  reason: string;
  message: string;
}

/** Result of a module's `applyTx`: the new state, or a refusal (the state is then unchanged). */
export type ApplyResult<S> = { ok: true; state: S } | ({ ok: false } & Refusal);

export const ok = <S>(state: S): ApplyResult<S> => ({ ok: true, state });
export const refuse = <S = never>(reason: string, message: string): ApplyResult<S> => ({ ok: false, reason, message });

/**
 * Balance moves available to modules (base units of BLOCK, bigint). Each returns null when done
 * or a refusal (`insufficient_balance`, `balance_overflow`, `bad_amount`) with nothing moved.
 * Moves of a refused tx are rolled back by the chain.
 */
export interface Ledger {
  balance(addr: Address): bigint;
  transfer(from: Address, to: Address, amount: bigint): Refusal | null;
  /** Adds to a balance (mints: the module owns the supply rule that allows it). */
  credit(addr: Address, amount: bigint): Refusal | null;
  /** Takes from a balance (burns unless credited elsewhere). */
  debit(addr: Address, amount: bigint): Refusal | null;
}

/**
 * A typed handle on a module's state, exported from that module's public index so other modules
 * read it with `ctx.read(ref)` without importing its implementation.
 */
export interface ModuleRef<S> {
  readonly id: string;
  /** Type carrier only (never set). */
  readonly _state?: S;
}

export function moduleRef<S>(id: string): ModuleRef<S> {
  return { id };
}

/** What every hook sees about the block being built or applied. */
export interface BlockContext {
  height: number;
  /** floor(height / EPOCH_BLOCKS). */
  epoch: number;
  /** Block timestamp (ms since the Unix epoch, from the header). */
  timestampMs: number;
  proposer: Address;
  /** Validator stake (base units) by address, from genesis. */
  validators: ReadonlyMap<Address, bigint>;
  ledger: Ledger;
  /**
   * Fees (base units) paid by the block's txs applied before this point: 0 in `beginBlock`, the
   * block's total in `endBlock` (in `applyTx`, the txs before this one). The chain has already
   * credited every fee to `proposer`; a module that takes a share of the fees moves
   * it from `proposer` with `ledger.transfer` in its `endBlock`, so value is conserved.
   */
  fees: bigint;
  /** Another module's state as it stands at this point of the block (read-only). @throws Error for an unregistered id. */
  read<S>(ref: ModuleRef<S>): Readonly<S>;
}

/** What `applyTx` sees besides the block: the signed envelope. */
export interface TxContext extends BlockContext {
  sender: Address;
  /** Tx id, 64 hex. */
  txHash: string;
  /** Fee paid by the sender (already taken, base units). */
  fee: bigint;
  /** Index of the tx in its block (mempool admission: -1). */
  index: number;
}

/** How a module call reads in RPC, CLI and console (`TxView.call`). */
export interface CallView {
  /** Human label, e.g. "transfer of 5 into the pot". */
  summary: string;
  /** Flat fields, values as text/number/boolean (amounts as decimal strings). */
  fields: Record<string, string | number | boolean>;
}

/** One transaction kind of a module. */
export interface TxKind<C> {
  /** Tag of the call element (1-32 of a-z 0-9 _ .), unique over all modules. */
  tag: string;
  /**
   * Decodes and checks the body (elements after the tag) without state: types, sizes, formats.
   * @throws CodecError (→ `malformed_tx` / `malformed_block`) on a bad body.
   */
  decode(body: readonly unknown[]): C;
  /** The body elements of a call (inverse of `decode`). */
  encode(call: C): unknown[];
  view(call: C): CallView;
  /** Fee policy: `exempt` calls are admitted below the mempool fee floor (the module must then restrict who may send them in `applyTx`). */
  fee: 'standard' | 'exempt';
}

/** Canonical codec of a module's state (stored under its own key, hashed into the state root). */
export interface StateCodec<S> {
  empty: S;
  /** The CBOR value of a state (arrays, byte strings, text, integers; encoded canonically by the chain). */
  encode(s: S): unknown;
  /** @throws CodecError on a malformed record. */
  decode(v: unknown): S;
}

export interface ChainModule<S = any, C = any> {
  /** Module id: 1-32 of a-z 0-9 _ ; the state key and the root commit to it. */
  id: string;
  kinds: readonly TxKind<C>[];
  state: StateCodec<S>;
  /** Applies one call of this module. Pure. */
  applyTx(state: S, call: C, ctx: TxContext): ApplyResult<S>;
  /** First step of every block (epoch ticks, timelocks). Pure; must not refuse. */
  beginBlock?(state: S, ctx: BlockContext): S;
  /** Last step of every block (auction ends, settlements). Pure; must not refuse. */
  endBlock?(state: S, ctx: BlockContext): S;
}
