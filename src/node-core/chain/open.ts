/**
 * Opening the chain DB's contents for `Chain.open`: block 0 and its state on first open, else the
 * head block, the state tree (migrated from layout 3 once) and the module states, checked against
 * the head's state root. Returns what the chain object starts from; it holds no state itself.
 */
import type pino from 'pino';
import { toHex } from '../crypto/hash.js';
import { ChainDbError, type ChainDb } from '../storage/chaindb.js';
import { decodeBlock, type Block } from './block.js';
import { genesisBlock, genesisState } from './genesis.js';
import { loadModuleStates } from './module-states.js';
import type { ModuleSet } from './modules.js';
import type { ChainOpenOptions } from './reader.js';
import { stateRoot } from './root.js';
import type { ModuleStates } from './run.js';
import { State } from './state.js';

/** What a chain starts from: `mods` is undefined for a chain created now (block 0, empty module states). */
export interface OpenedStore {
  head: Block;
  /** Height of the head record (block 0 on creation). */
  height: number;
  state: State;
  mods?: ModuleStates;
}

/**
 * Creates block 0 from genesis (empty DB) or loads and checks the stored head (see Chain.open).
 * @throws ChainDbError (corrupt) when the head block or state does not match.
 */
export async function openStore(o: ChainOpenOptions, db: ChainDb, set: ModuleSet): Promise<OpenedStore> {
  const head = await db.head();
  if (!head) {
    const mem = genesisState(o.genesis);
    const g = genesisBlock(o.genesis, mem);
    const { accounts, tree } = mem.allRecords();
    await db.commitBlock({ height: 0, hash: g.hash, bytes: g.bytes, txIds: [], accounts, tree, genesisHash: o.genesis.hash });
    return { head: g, height: 0, state: State.open(db.stateRecords, o.stateCache) };
  }
  const bytes = await db.blockBytes(head.height);
  if (!bytes) throw new ChainDbError('corrupt', o.dir, `head block ${head.height} is missing`);
  let block: Block;
  try {
    block = decodeBlock(bytes);
  } catch (err) {
    throw new ChainDbError('corrupt', o.dir, `head block ${head.height} does not decode: ${(err as Error).message}`);
  }
  if (toHex(block.hash) !== toHex(head.hash)) throw new ChainDbError('corrupt', o.dir, `head block ${head.height} does not match the head record`);
  // Layout 3 (no tree on disk): build it from the accounts once, then open as usual.
  if (db.needsTree) {
    o.logger?.info({ dir: o.dir }, 'chain DB layout 3: building the state tree records (once)');
    await db.migrateTree(State.from(await db.loadAccounts()).allRecords().tree);
  }
  let state: State;
  try {
    state = State.open(db.stateRecords, o.stateCache);
  } catch (err) {
    throw err instanceof ChainDbError ? err : new ChainDbError('corrupt', o.dir, (err as Error).message);
  }
  const mods = await loadModuleStates(db, set);
  const root = toHex(stateRoot(state.root(), mods.hashes));
  if (root !== toHex(block.header.stateRoot))
    throw new ChainDbError('corrupt', o.dir, `the stored state tree and module states give state root ${root}, but head block ${head.height} says ${toHex(block.header.stateRoot)}`);
  return { head: block, height: head.height, state, mods };
}

/** Loads every bucket hash of the state tree (≤ 2 MiB) into `state`; on a read error it logs and resolves (read on demand). */
export function preloadBuckets(db: ChainDb, state: State, logger?: pino.Logger): Promise<void> {
  return db.stateRecords.allBucketHashes().then(
    (h) => state.preload(h),
    (err: Error) => logger?.debug({ err: err.message }, 'state tree: bucket hashes not preloaded (read on demand)'),
  );
}
