/**
 * The header's state root over the accounts and every module's state (STATE_ROOT_VERSION 3).
 *
 *   module_hash(m) = SHA-256(canonical CBOR of m's state)          (chain/modules.ts encodeState)
 *   state_root     = accounts_root                                  when every module state is empty
 *                  = SHA-256(0x05 ‖ accounts_root ‖ for each module whose state is not empty, in
 *                      ascending order of its id's UTF-8 bytes: u8 len(id) ‖ id ‖ module_hash)
 * accounts_root is chain/state.ts's three-level tree. An empty module state is stored as an absent
 * key and left out of the formula, so adding a module to a chain changes no root until the module
 * holds state, and two nodes agree on the root iff they agree on the accounts and on every
 * module's state bytes. Version history: 2 = accounts root with the one on-chain module state then folded in by
 * hand (tag 0x04); 3 = this formula (tag 0x05), one entry per module.
 */
import { hash as oneShot } from 'node:crypto';

export const STATE_ROOT_VERSION = 3;

/** SHA-256 of a module's state bytes. */
export function moduleHash(bytes: Uint8Array): Uint8Array {
  return oneShot('sha256', bytes, 'buffer');
}

/**
 * State root from the accounts root and the hashes of the non-empty module states.
 * @param hashes module id → moduleHash(state bytes), non-empty states only (any order).
 */
export function stateRoot(accountsRoot: Uint8Array, hashes: ReadonlyMap<string, Uint8Array>): Uint8Array {
  if (hashes.size === 0) return accountsRoot;
  const ids = [...hashes.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const parts: Uint8Array[] = [Uint8Array.of(5), accountsRoot];
  for (const id of ids) {
    const idb = Buffer.from(id, 'utf8');
    parts.push(Uint8Array.of(idb.length), idb, hashes.get(id)!);
  }
  return new Uint8Array(oneShot('sha256', Buffer.concat(parts), 'buffer'));
}
