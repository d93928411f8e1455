/**
 * Reverting the head block (fork choice on a multi-validator chain, see Chain.revertHead): the
 * state its undo record restores, checked against the parent's state root before anything is
 * written, and its transactions back to the mempool afterwards.
 */
import { toHex } from '../crypto/hash.js';
import { ChainDbError, type ChainDb } from '../storage/chaindb.js';
import type { Block } from './block.js';
import type { Mempool } from './mempool.js';
import { stateRoot } from './root.js';
import type { ModuleStates } from './run.js';
import type { Prepared, State } from './state.js';
import { decodeUndo, type Undo } from './undo.js';

/** What reverting block `h` restores; nothing is written yet. */
export interface Restore {
  undo: Undo;
  parent: Block;
  prepared: Prepared;
  mods: ModuleStates;
}

/**
 * Reads block `h`'s undo record and its parent, and prepares the restored accounts and module states.
 * @throws ChainDbError (corrupt) when the undo record or parent is missing or does not restore the parent's state root.
 */
export async function prepareRevert(
  c: { db: ChainDb; dir: string; state: State; blockAt: (h: number) => Promise<Block | undefined>; undoModules: (prior: Map<string, Uint8Array | null>, h: number) => ModuleStates },
  h: number,
): Promise<Restore> {
  const undoBytes = await c.db.undoBytes(h);
  if (!undoBytes) throw new ChainDbError('corrupt', c.dir, `undo record of block ${h} is missing`);
  const undo = decodeUndo(undoBytes);
  const parent = await c.blockAt(h - 1);
  if (!parent) throw new ChainDbError('corrupt', c.dir, `block ${h - 1} is missing`);
  const ov = c.state.begin();
  for (const [addr, a] of undo.accounts) ov.set(addr, a);
  const prepared = c.state.prepare(ov);
  const mods = c.undoModules(undo.modules, h);
  if (toHex(stateRoot(prepared.root, mods.hashes)) !== toHex(parent.header.stateRoot))
    throw new ChainDbError('corrupt', c.dir, `undo record of block ${h} does not restore the state root of block ${h - 1}`);
  return { undo, parent, prepared, mods };
}

/** Puts a reverted block's transactions back into the mempool where they still apply (others are dropped). */
export function requeue(mempool: Mempool, b: Block, state: State): void {
  for (const tx of b.txs) {
    try {
      mempool.add(tx, state.get(tx.fromAddress.slice(3)));
    } catch {
      /* no longer applies (e.g. its nonce is taken): dropped */
    }
  }
}
