/**
 * Loading the module states a chain DB holds (at open), with the checks that keep a wrong or
 * damaged record from being misread: every stored state must belong to a registered module and
 * decode with its codec; otherwise the open fails naming the module and the ways out.
 */
import { ChainDbError, type ChainDb } from '../storage/chaindb.js';
import type { ModuleSet } from './modules.js';
import { moduleHash } from './root.js';
import type { ModuleStates } from './run.js';

/** @throws ChainDbError 'mismatch' (state of an unregistered module) | 'corrupt' (a state that does not decode). */
export async function loadModuleStates(db: ChainDb, set: ModuleSet): Promise<ModuleStates> {
  const stored = await db.moduleStates();
  for (const id of stored.keys())
    if (!set.get(id)) throw new ChainDbError('mismatch', db.dir, `it holds the state of module "${id}", which this node does not run (modules: ${set.list.map((m) => m.id).join(', ') || 'none'})`);
  const states = new Map<string, unknown>();
  const hashes = new Map<string, Uint8Array>();
  for (const m of set.list) {
    const bytes = stored.get(m.id);
    if (!bytes) {
      states.set(m.id, m.state.empty);
      continue;
    }
    try {
      states.set(m.id, set.decodeState(m, bytes));
    } catch (err) {
      throw new ChainDbError('corrupt', db.dir, `the state of module "${m.id}" does not decode: ${(err as Error).message}`);
    }
    if (set.isEmpty(m.id, bytes)) throw new ChainDbError('corrupt', db.dir, `the state of module "${m.id}" is stored although it is empty`);
    hashes.set(m.id, moduleHash(bytes));
  }
  return { states, hashes };
}

/** State bytes of a module after some block (null when empty), for undo records. */
export function stateBytes(set: ModuleSet, s: ModuleStates, id: string): Uint8Array | null {
  if (!s.hashes.has(id)) return null;
  return set.encodeState(set.get(id)!, s.states.get(id));
}
