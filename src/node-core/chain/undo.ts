/**
 * Undo records: what a block changed, as it was before, so a block that is not yet final can be
 * reverted when fork choice switches to another branch (multi-validator chains only; a dev chain
 * finalizes every block at once and never reverts).
 *
 * Stored form (canonical CBOR array): `[accounts, gov]` where `accounts` is a byte string of
 * n × (address (20) ‖ balance u64 BE ‖ nonce u64 BE) — the touched accounts before the block, an
 * empty account meaning "did not exist" — and `gov` is the governance state bytes before the block,
 * `0` when there was none, or `1` when the block did not change it.
 */
import { asArray, asBytes, CodecError, decodeCanonical, encodeCanonical } from './codec.js';
import type { AccountState } from './state.js';

export interface Undo {
  accounts: Map<string, AccountState>;
  /** Governance bytes before the block; null = none existed; undefined = unchanged by the block. */
  gov: Uint8Array | null | undefined;
}

/** Encodes the prior values of the accounts a block touches. */
export function encodeUndo(before: Map<string, AccountState>, gov: Uint8Array | null | undefined): Uint8Array {
  const packed = Buffer.allocUnsafe(36 * before.size);
  let i = 0;
  for (const [addr, a] of before) {
    packed.write(addr, 36 * i, 20, 'hex');
    packed.writeBigUInt64BE(a.balance, 36 * i + 20);
    packed.writeBigUInt64BE(a.nonce, 36 * i + 28);
    i++;
  }
  return encodeCanonical([new Uint8Array(packed.buffer, packed.byteOffset, packed.length), gov === undefined ? 1 : gov === null ? 0 : gov]);
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
  const g = a[1];
  const gov = g === 1 ? undefined : g === 0 ? null : asBytes(g, 'undo.gov');
  return { accounts, gov };
}
