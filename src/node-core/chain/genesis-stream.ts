/**
 * Streamed genesis build: a chain DB holding block 0 of a genesis whose allocation list is too
 * large for one JS heap or one LevelDB batch (10M accounts: ~0.3 GB of allocations, ~1.1 GB of
 * DB). Memory stays bounded (≈ 16 MiB of spill buffers plus one page of the state tree at a time)
 * and the records are written through the chain's own code, so the result is the DB that
 * `Chain.open` creates from the same genesis in memory (test/unit/chain/genesis-stream.test.ts):
 *
 *   1. the allocations are read once, in genesis order: each is checked (schema, supply ≤ u64),
 *      fed to the genesis hash (`GenesisHasher`) and appended to one of 256 spill files by its
 *      page (the address's first byte = the state tree's page, chain/state.ts);
 *   2. page by page (0…255): the page's allocations are sorted (a duplicate address is refused),
 *      built into an in-memory `State` (`State.from`: leaves, bucket members and hashes, the
 *      page hash) and written with `ChainDb.putStateRecords` — the same account and tree writers
 *      as every block — in one unsynced batch per page (accounts in ascending key order);
 *   3. `State.open` over the written tree gives the state root, `genesisBlock` block 0, and
 *      `commitBlock` writes it with the head, the genesis hash and the layout record (synced).
 *
 * Crash safety: everything is built in `<dir>.partial` and renamed to `<dir>` only after block 0
 * is synced, so a crash mid-build leaves no directory at `<dir>` (a leftover `<dir>.partial` is
 * never opened as a chain and is removed by the next build).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { U64_MAX } from '../../shared/api/numbers.js';
import { ChainDb } from '../storage/chaindb.js';
import { checkAllocation, checkGenesisHead, genesisBlock, GenesisError, GenesisHasher, type Genesis } from './genesis.js';
import { PAGES, State, type AccountState } from './state.js';

/** One allocation: address `tb1` + 40 hex, balance in base units (decimal string, u64). */
export type Allocation = Genesis['accounts'][number];

/** What a streamed build produced. */
export interface StreamedGenesis {
  /** The genesis with an empty `accounts` list and the hash over the full list (what `Chain.open` needs once block 0 is stored). */
  genesis: Genesis;
  /** Block 0's hash and state root, 64 hex. */
  blockHash: string;
  stateRoot: string;
  /** Allocations read / non-empty accounts stored. */
  allocations: number;
  accounts: number;
}

/** Bytes of one spilled allocation: address (20) ‖ balance u64 BE. */
const ENTRY = 28;
/** Spill buffer per page, bytes (256 of them: 16 MiB). */
const SPILL_BUFFER = 64 * 1024;
/** Allocations fed to the genesis hash per CBOR chunk. */
const HASH_CHUNK = 4096;

/** Spills allocations into 256 files by page, through a bounded buffer per page. */
class Spill {
  private readonly bufs = Array.from({ length: PAGES }, () => Buffer.allocUnsafe(SPILL_BUFFER));
  private readonly used = new Uint32Array(PAGES);

  constructor(private readonly dir: string) {}

  file(p: number): string {
    return path.join(this.dir, `page-${p.toString(16).padStart(2, '0')}`);
  }

  /** Appends one allocation; resolves at once unless its page buffer had to be flushed. */
  add(addrHex: string, balance: bigint): Promise<void> | undefined {
    const p = parseInt(addrHex.slice(0, 2), 16);
    const b = this.bufs[p];
    const o = this.used[p];
    b.write(addrHex, o, 20, 'hex');
    b.writeBigUInt64BE(balance, o + 20);
    this.used[p] = o + ENTRY;
    return this.used[p] + ENTRY > SPILL_BUFFER ? this.flush(p) : undefined;
  }

  async flush(p: number): Promise<void> {
    if (this.used[p] === 0) return;
    await fs.appendFile(this.file(p), this.bufs[p].subarray(0, this.used[p]));
    this.used[p] = 0;
  }

  async flushAll(): Promise<void> {
    for (let p = 0; p < PAGES; p++) await this.flush(p);
  }

  /** Page p's allocations sorted by address (hex), duplicates refused. */
  async page(p: number): Promise<[string, AccountState][]> {
    const raw = await fs.readFile(this.file(p)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    });
    const out: [string, AccountState][] = [];
    for (let o = 0; o < raw.length; o += ENTRY) out.push([raw.toString('hex', o, o + 20), { balance: raw.readBigUInt64BE(o + 20), nonce: 0n }]);
    out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 1; i < out.length; i++) if (out[i][0] === out[i - 1][0]) throw new GenesisError(`genesis: account tb1${out[i][0]} is listed twice`);
    return out;
  }
}

/**
 * Builds `<dir>` as a chain DB holding block 0 of the genesis `head` with `count` allocations
 * read once from `accounts` (see the module doc).
 * @param head the genesis without its allocations (`accounts: []`, no hash).
 * @param count how many allocations `accounts` yields (the genesis hash commits to the count first).
 * @throws GenesisError for a bad head or allocation, a duplicate address, a supply beyond u64, or
 *   a count mismatch; Error when `<dir>` exists. Nothing is left at `<dir>` on any failure.
 */
export async function buildGenesisChain(dir: string, head: Omit<Genesis, 'hash'>, count: number, accounts: AsyncIterable<Allocation> | Iterable<Allocation>): Promise<StreamedGenesis> {
  checkGenesisHead(head);
  if (!Number.isSafeInteger(count) || count < 0) throw new GenesisError(`genesis: bad account count ${count}`);
  if (await fs.stat(dir).then(() => true, () => false)) throw new Error(`${dir} exists; a genesis chain is built into a new directory`);
  const partial = `${dir}.partial`;
  await fs.rm(partial, { recursive: true, force: true });
  const spillDir = path.join(partial, 'genesis-spill');
  await fs.mkdir(spillDir, { recursive: true });
  let db: ChainDb | undefined;
  try {
    const hasher = await GenesisHasher.create(head, count);
    const spill = new Spill(spillDir);
    let supply = 0n;
    let n = 0;
    let chunk: Allocation[] = [];
    /** Takes one allocation; a promise only when a spill buffer is being flushed. */
    const take = (a: Allocation): Promise<void> | undefined => {
      checkAllocation(a, n);
      const balance = BigInt(a.balance);
      supply += balance;
      if (supply > U64_MAX) throw new GenesisError(`genesis: total supply exceeds 2^64-1 base units at account ${n}`);
      chunk.push(a);
      if (chunk.length === HASH_CHUNK) {
        hasher.update(chunk);
        chunk = [];
      }
      n++;
      return spill.add(a.address.slice(3), balance);
    };
    // A synchronous source is read without a promise per allocation (`for await` would make one).
    if (Symbol.iterator in accounts) {
      for (const a of accounts) {
        const flushing = take(a);
        if (flushing) await flushing;
      }
    } else for await (const a of accounts) await take(a);
    hasher.update(chunk);
    const hash = hasher.digest();
    await spill.flushAll();

    db = await ChainDb.open(partial);
    let stored = 0;
    for (let p = 0; p < PAGES; p++) {
      const { accounts: recs, tree } = State.from(await spill.page(p)).allRecords();
      await fs.rm(spill.file(p), { force: true });
      stored += recs.size;
      // State.from hashed every page; only page p holds this part's accounts.
      await db.putStateRecords(recs, { members: tree.members, buckets: tree.buckets, pages: new Map([[p, tree.pages.get(p)!]]) });
    }
    const genesis: Genesis = { ...head, accounts: [], hash };
    const state = State.open(db.stateRecords);
    const block = genesisBlock(genesis, state);
    await db.commitBlock({ height: 0, hash: block.hash, bytes: block.bytes, txIds: [], accounts: new Map(), genesisHash: hash });
    await db.close();
    db = undefined;
    await fs.rm(spillDir, { recursive: true, force: true });
    await fs.rename(partial, dir);
    const parent = await fs.open(path.dirname(dir), 'r');
    await parent.sync().finally(() => parent.close());
    return { genesis, blockHash: block.hashHex, stateRoot: state.rootHex(), allocations: n, accounts: stored };
  } catch (err) {
    await db?.close().catch(() => {});
    await fs.rm(partial, { recursive: true, force: true });
    throw err;
  }
}
