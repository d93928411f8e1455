/**
 * From-genesis replay: rebuilds the state from the stored blocks of a chain directory into a
 * fresh chain DB in a temp dir (every signature re-verified in the worker pool, every tx
 * re-applied with every module's hooks, every block re-committed) and compares the state
 * root after each block with the root in that block's header. The source DB is only read; the temp DB is removed afterwards.
 * The node must not hold the source DB open (LevelDB lock → ChainDbError 'locked').
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytesEqual, toHex } from '../crypto/hash.js';
import { VerifyPool } from '../crypto/verify-pool.js';
import { ChainDb, ChainDbError } from '../storage/chaindb.js';
import type { Block } from './block.js';
import { checkSlot, ValidatorSet } from './consensus.js';
import { genesisBlock, genesisState, readGenesisFile } from './genesis.js';
import type { ChainModule } from './module.js';
import { ModuleSet } from './modules.js';
import { stateRoot } from './root.js';
import { emptyModuleStates, type ModuleStates } from './run.js';
import { State } from './state.js';
import { applyBlock, ImportError, preverifyBlock, validatorKeys, validatorStakes } from './verify.js';

export interface ReplayResult {
  /** Height of the last block replayed. */
  height: number;
  /** State root (64 hex) after the last block replayed. */
  stateRoot: string;
  ok: boolean;
  /** First height whose recomputed state root differs from its header (or which fails validation). */
  firstMismatch?: { height: number; expected: string; actual: string };
  /** Why the block at `firstMismatch.height` failed, when it failed validation rather than the root comparison. */
  error?: string;
}

/** Blocks whose signatures are verified ahead of the block being applied. */
const LOOKAHEAD = 4;

/**
 * Replays `<chainDir>` (its `genesis.json` and stored blocks) from genesis.
 * @param o.modules the chain modules the chain was built with (the node's module list); default none.
 * @param o.onProgress called after each block with (height, head height).
 * @param o.tmpDir parent of the temp DB (default os.tmpdir()).
 * @throws ChainDbError when the source DB cannot be opened (locked, corrupt) or a stored block is missing;
 *   GenesisError when genesis.json is unreadable.
 */
export async function replayFromGenesis(
  chainDir: string,
  o: { modules?: readonly ChainModule[]; onProgress?: (height: number, total: number) => void; tmpDir?: string } = {},
): Promise<ReplayResult> {
  const genesis = await readGenesisFile(path.join(chainDir, 'genesis.json'));
  const set = new ModuleSet(o.modules);
  const src = await ChainDb.open(chainDir, { createIfMissing: false });
  const tmp = await fs.mkdtemp(path.join(o.tmpDir ?? os.tmpdir(), 'tb-replay-'));
  const pool = new VerifyPool();
  let dst: ChainDb | undefined;
  try {
    dst = await ChainDb.open(tmp);
    const head = await src.head();
    if (!head) throw new ChainDbError('corrupt', chainDir, 'it has no head block');
    const mem = genesisState(genesis);
    let parent: Block = genesisBlock(genesis, mem);
    const stored0 = await src.blockBytes(0);
    if (!stored0 || !bytesEqual(stored0, parent.bytes)) {
      return { height: 0, stateRoot: mem.rootHex(), ok: false, firstMismatch: { height: 0, expected: 'the genesis block of genesis.json', actual: 'a different stored block 0' } };
    }
    // The temp DB is thrown away: no fsync per block. The replayed state lives in it (tree
    // included), read on demand like the node's, so replay memory does not grow with the accounts.
    await dst.commitBlock({ height: 0, hash: parent.hash, bytes: parent.bytes, txIds: [], ...mem.allRecords(), genesisHash: genesis.hash }, { sync: false });
    const state = State.open(dst.stateRecords);
    state.preload(await dst.stateRecords.allBucketHashes());
    o.onProgress?.(0, head.height);
    const keys = validatorKeys(genesis);
    const vset = new ValidatorSet(genesis);
    const slot = (b: Block, p: Block, m: ModuleStates) => checkSlot(b, p, vset, genesis.block_time_ms, m);
    const validators = validatorStakes(genesis);
    let mods: ModuleStates = emptyModuleStates(set);
    const rootNow = () => toHex(stateRoot(state.root(), mods.hashes));
    const inflight = new Map<number, Promise<Block>>();
    const prefetch = (h: number) => {
      if (h > head.height || inflight.has(h)) return;
      const p = src.blockBytes(h).then((bytes) => {
        if (!bytes) throw new ChainDbError('corrupt', chainDir, `block ${h} is missing below the head ${head.height}`);
        return preverifyBlock(bytes, genesis, keys, pool, set);
      });
      p.catch(() => {});
      inflight.set(h, p);
    };
    for (let h = 1; h <= head.height; h++) {
      for (let k = h; k < h + LOOKAHEAD; k++) prefetch(k);
      let block: Block;
      let prepared;
      try {
        block = await inflight.get(h)!;
        inflight.delete(h);
        prepared = applyBlock(block, parent, state, { checkStateRoot: false, modules: { set, states: mods }, validators, slot });
      } catch (err) {
        if (!(err instanceof ImportError)) throw err;
        return { height: h - 1, stateRoot: rootNow(), ok: false, firstMismatch: { height: h, expected: 'a valid block', actual: err.reason }, error: err.message };
      }
      if (!bytesEqual(prepared.stateRoot, block.header.stateRoot)) {
        return {
          height: h - 1,
          stateRoot: rootNow(),
          ok: false,
          firstMismatch: { height: h, expected: toHex(block.header.stateRoot), actual: toHex(prepared.stateRoot) },
        };
      }
      await dst.commitBlock({ height: h, hash: block.hash, bytes: block.bytes, txIds: block.txs.map((t) => Buffer.from(t.hash, 'hex')), accounts: prepared.overlay.changes, modules: prepared.changed, tree: State.treeWrites(prepared) }, { sync: false });
      state.commit(prepared);
      mods = prepared.modules;
      parent = block;
      o.onProgress?.(h, head.height);
    }
    return { height: parent.header.height, stateRoot: rootNow(), ok: true };
  } finally {
    await pool.close();
    await dst?.close().catch(() => {});
    await src.close().catch(() => {});
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
