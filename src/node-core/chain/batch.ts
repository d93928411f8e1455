/**
 * The DB batch of a committed block (storage/chaindb.ts BlockCommit): the block, its tx ids, the
 * accounts, module states and state tree records it writes, its undo record (multi-validator
 * chains, before finality) and, for a certified block, the certificate and finalized record.
 */
import type { BlockCommit } from '../storage/chaindb.js';
import type { Block } from './block.js';
import { encodeCanonical } from './codec.js';
import { stateBytes } from './module-states.js';
import type { ModuleSet } from './modules.js';
import type { ModuleStates, RunResult } from './run.js';
import { State, type AccountState } from './state.js';
import { encodeUndo } from './undo.js';

/** The ids (32 bytes each) of a block's transactions, in block order. */
export function txIdsOf(b: Block): Uint8Array[] {
  return b.txs.map((t) => t.idBytes ?? Buffer.from(t.hash, 'hex'));
}

/** The batch of block `block` applied as `r`; with a certificate, the `commit/<h>` and `finalized` records go in it. */
export function blockBatch(block: Block, r: RunResult, o: { undo?: Uint8Array; certificate?: Uint8Array }): BlockCommit {
  const h = block.header.height;
  const meta: [string, Uint8Array][] | undefined = o.certificate ? [[`commit/${h}`, o.certificate], ['finalized', encodeCanonical([h, block.hash])]] : undefined;
  return {
    height: block.header.height,
    hash: block.hash,
    bytes: block.bytes,
    txIds: txIdsOf(block),
    accounts: r.overlay.changes,
    modules: r.changed,
    undo: o.undo,
    tree: State.treeWrites(r),
    meta,
  };
}

/** The undo record of an applied block: the accounts and module states it changes, as they are before it. */
export function undoOf(r: RunResult, state: State, modules: ModuleSet, mods: ModuleStates): Uint8Array {
  const before = new Map<string, AccountState>();
  for (const addr of r.overlay.changes.keys()) before.set(addr, state.get(addr));
  const priorModules = new Map<string, Uint8Array | null>();
  for (const id of r.changed.keys()) priorModules.set(id, stateBytes(modules, mods, id));
  return encodeUndo(before, priorModules);
}
