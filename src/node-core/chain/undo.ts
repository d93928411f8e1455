/**
 * Undo records: what a block changed, as it was before, so a block that is not yet final can be
 * reverted when fork choice switches to another branch (multi-validator chains only; a dev chain
 * finalizes every block at once and never reverts).
 *
 * Stored form (canonical CBOR array): `[accounts, modules]` where `accounts` is a byte string of
 * n × (address (20) ‖ balance u64 BE ‖ nonce u64 BE) — the touched accounts before the block, an
 * empty account meaning "did not exist" — and `modules` is `[[module id, state bytes | 0]…]` for
 * every module whose state the block changed: its state before the block, `0` when it was empty.
 */
import { asArray, asBytes, CodecError, decodeCanonical, encodeCanonical } from './codec.js';
import type { AccountState } from './state.js';

export interface Undo {
  accounts: Map<string, AccountState>;
  /** Module states before the block, for the modules it changed: id → bytes, null = was empty. */
  modules: Map<string, Uint8Array | null>;
}

/** Encodes the prior values of the accounts and module states a block touches. */
export function encodeUndo(before: Map<string, AccountState>, modules: Map<string, Uint8Array | null>): Uint8Array {
  const packed = Buffer.allocUnsafe(36 * before.size);
  let i = 0;
  for (const [addr, a] of before) {
    packed.write(addr, 36 * i, 20, 'hex');
    packed.writeBigUInt64BE(a.balance, 36 * i + 20);
    packed.writeBigUInt64BE(a.nonce, 36 * i + 28);
    i++;
  }
  const mods = [...modules].map(([id, b]) => [id, b === null ? 0 : b]);
  return encodeCanonical([new Uint8Array(packed.buffer, packed.byteOffset, packed.length), mods]);
}

/** @throws CodecError on a malformed record. */
export function decodeUndo(bytes: Uint8Array): Undo {
  const a = asArray(decodeCanonical(bytes, 'undo record'), 'undo record', 2);
  const packed = asBytes(a[0], 'undo.accounts');
  if (packed.length % 36 !== 0) throw new CodecError('undo.accounts is not a whole number of records');
  const buf = Buffer.from(packed.buffer, packed.byteOffset, packed.length);
  const accounts = new Map<string, AccountState>();
  for (let off = 0; off < buf.length; off += 36)
    accounts.set(buf.toString('hex', off, off + 20), { balance: buf.readBigUInt64BE(off + 20), nonce: buf.readBigUInt64BE(off + 28) });
  const modules = new Map<string, Uint8Array | null>();
  for (const e of asArray(a[1], 'undo.modules')) {
    const [id, b] = asArray(e, 'undo.modules[]', 2);
    if (typeof id !== 'string') throw new CodecError('undo module id must be text');
    modules.set(id, b === 0 ? null : asBytes(b, `undo state of ${id}`));
  }
  return { accounts, modules };
}
