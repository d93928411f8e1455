/**
 * The finalized height, kept durably apart from the block store (DESIGN.md "Hard edges → Storage";
 * issue 12 item 6): `<root>/finalized_mark.json` = `{version: 1, genesis_hash, height, hash,
 * updated_at_ms}`, rewritten atomically (temp file → fsync → rename → fsync dir) whenever the
 * finalized block moves, at most one write in flight (the latest mark wins), and once more at stop.
 * The mark may lag the chain by the write in flight — it is a lower bound of what was final.
 *
 * At open, a chain whose head is below the mark, or whose block at the mark's height is not the
 * marked one, has lost blocks that had been reported final (a damaged or truncated chain DB write
 * log, a disk restored from an old image). Alone, the node refuses with the ways out; on a network
 * (peers to sync from) it starts, says so (warn + `node.notice` `finalized_refetch`) and its sync
 * fetches the missing blocks again.
 *
 * Not in snapshots, and dropped by a restore (snapshots/subsystems.ts NEVER_INCLUDED): restoring is
 * the operator's decision to go back to the snapshot's height.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { NodeNotice } from '../../shared/api/types.js';
import { writeFileAtomic } from './atomic.js';

export const MARK_FILE = 'finalized_mark.json';

export interface FinalizedMark {
  version: 1;
  /** Hash (hex) of the genesis block: a mark of another chain is ignored. */
  genesis_hash: string;
  height: number;
  /** Hash (hex) of the finalized block at `height`. */
  hash: string;
  updated_at_ms: number;
}

/** What the mark needs of the chain (chain/chain.ts `Chain`). */
export interface MarkedChain {
  tip(): { height: number };
  finalized(): { height: number; hashHex: string };
  hashAt(height: number): Promise<string | undefined>;
  onHead(cb: () => void): () => void;
}

/** The chain opened below (or beside) the finalized block it had reported. */
export class FinalizedMarkError extends Error {
  readonly reason = 'below_finalized_mark';
  constructor(
    readonly root: string,
    detail: string,
  ) {
    super(
      `${detail}: blocks reported final are missing from the chain database. Ways out: (1) restore a snapshot ` +
        `(contract-cli snapshots restore <path>, or Backup & Restore in the console); (2) resync from peers ` +
        `(join the network: --network <file> / --bootstrap); (3) to accept the loss and go on from the current head, ` +
        `move ${path.join(root, MARK_FILE)} aside. Nothing was changed.`,
    );
    this.name = 'FinalizedMarkError';
  }
}

/** The mark, or undefined when absent or unreadable (then `warn` says so; it is rewritten soon). */
export async function readMark(root: string, warn?: (msg: string) => void): Promise<FinalizedMark | undefined> {
  const file = path.join(root, MARK_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') warn?.(`finalized mark ${file} cannot be read (${(err as NodeJS.ErrnoException).code}); it will be rewritten`);
    return undefined;
  }
  try {
    const m = JSON.parse(text) as Partial<FinalizedMark>;
    if (m.version !== 1 || typeof m.height !== 'number' || !Number.isSafeInteger(m.height) || m.height < 0 || typeof m.hash !== 'string' || typeof m.genesis_hash !== 'string')
      throw new Error('unexpected shape');
    return m as FinalizedMark;
  } catch (err) {
    warn?.(`finalized mark ${file} is damaged (${(err as Error).message}); it will be rewritten`);
    return undefined;
  }
}

/**
 * Checks the opened chain against the mark.
 * @param o.network true when the node has peers to sync from (then a gap is refetched, not refused).
 * @returns the notice emitted when the gap will be refetched, else undefined.
 * @throws FinalizedMarkError when alone and the head is below the mark or the marked block differs.
 */
export async function checkFinalizedMark(
  root: string,
  chain: MarkedChain,
  o: { network: boolean; logger?: Logger; notify?: (n: NodeNotice) => void },
): Promise<NodeNotice | undefined> {
  const mark = await readMark(root, (m) => o.logger?.warn(m));
  if (!mark) return undefined;
  const genesis = await chain.hashAt(0);
  if (genesis !== mark.genesis_hash) {
    o.logger?.warn({ mark }, 'finalized mark belongs to another chain (genesis differs); ignored and rewritten');
    return undefined;
  }
  const head = chain.tip().height;
  let problem: string | undefined;
  if (head < mark.height) problem = `the chain opened at height ${head}, below height ${mark.height}, which had been final (recorded ${new Date(mark.updated_at_ms).toISOString()})`;
  else {
    const have = await chain.hashAt(mark.height);
    if (have !== mark.hash) problem = `the block at height ${mark.height} is ${have?.slice(0, 12) ?? 'missing'}…, not ${mark.hash.slice(0, 12)}…, which had been final`;
  }
  if (!problem) return undefined;
  if (!o.network || head >= mark.height) throw new FinalizedMarkError(root, problem);
  const message = `${problem}; fetching the missing finalized blocks ${head + 1}…${mark.height} again from peers`;
  o.logger?.warn({ head, finalized_mark: mark.height }, message);
  const n: NodeNotice = { at_ms: Date.now(), level: 'warn', kind: 'finalized_refetch', message, path: path.join(root, MARK_FILE) };
  o.notify?.(n);
  return n;
}

/**
 * Keeps the mark up to date while the chain runs. Never lowers it (a restart below the mark on a
 * network keeps the old mark until the chain is back above it).
 * @returns `close()`, which writes the last mark and stops.
 */
export function trackFinalizedMark(root: string, chain: MarkedChain, o: { logger?: Logger } = {}): { close(): Promise<void> } {
  const file = path.join(root, MARK_FILE);
  let written = -1;
  let genesis: string | undefined;
  let writing: Promise<void> | undefined;
  let again = false;
  const write = async (): Promise<void> => {
    if (genesis === undefined) {
      genesis = await chain.hashAt(0);
      // The mark on disk is the floor: never written lower (see above).
      const cur = await readMark(root);
      if (cur && cur.genesis_hash === genesis) written = cur.height;
    }
    const f = chain.finalized();
    if (!genesis || f.height <= written) return;
    const m: FinalizedMark = { version: 1, genesis_hash: genesis, height: f.height, hash: f.hashHex, updated_at_ms: Date.now() };
    await writeFileAtomic(file, JSON.stringify(m) + '\n');
    written = f.height;
  };
  const kick = (): void => {
    if (writing) {
      again = true;
      return;
    }
    writing = write()
      .catch((err: unknown) => o.logger?.warn({ err, file }, 'cannot write the finalized mark'))
      .finally(() => {
        writing = undefined;
        if (again) {
          again = false;
          kick();
        }
      });
  };
  const off = chain.onHead(() => {
    if (chain.finalized().height > written) kick();
  });
  kick();
  return {
    async close() {
      off();
      while (writing) await writing;
      if (chain.finalized().height > written) await write().catch((err: unknown) => o.logger?.warn({ err, file }, 'cannot write the finalized mark'));
    },
  };
}
