/**
 * The accounts root (chain/state.ts) against a plain re-implementation of its documented formula,
 * and against roots pinned from the implementation before the flat-array rewrite (issue 17), so a
 * faster prepare/commit can never change a root: buckets of several members, deletions, inserts in
 * the middle of a bucket, and a store-backed state reading its records back.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { State, type AccountState, type StateStore, type TreeWrites } from '../../../src/node-core/chain/state.js';

const sha = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The header's formula, written out plainly: leaf, bucket, page, root. */
function naiveRoot(accounts: Map<string, AccountState>): string {
  const buckets = new Map<number, string[]>();
  for (const [addr, a] of accounts) {
    if (a.balance === 0n && a.nonce === 0n) continue;
    const b = parseInt(addr.slice(0, 4), 16);
    buckets.set(b, [...(buckets.get(b) ?? []), addr]);
  }
  const leaf = (addr: string) => {
    const a = accounts.get(addr)!;
    const v = Buffer.alloc(16);
    v.writeBigUInt64BE(a.balance, 0);
    v.writeBigUInt64BE(a.nonce, 8);
    return sha(Uint8Array.of(0), Buffer.from(addr, 'hex'), v);
  };
  const bucketHash = (b: number): Uint8Array => {
    const members = (buckets.get(b) ?? []).sort();
    if (members.length === 0) return new Uint8Array(32);
    if (members.length === 1) return leaf(members[0]);
    return sha(Uint8Array.of(1), ...members.map(leaf));
  };
  const pages: Uint8Array[] = [];
  for (let p = 0; p < 256; p++) pages.push(sha(Uint8Array.of(2), ...Array.from({ length: 256 }, (_, i) => bucketHash(p * 256 + i))));
  return sha(Uint8Array.of(3), ...pages).toString('hex');
}

/** Deterministic addresses; every 5th shares one of three buckets (multi-member buckets). */
const addr = (i: number) => {
  const h = createHash('sha256').update('acct' + i).digest('hex').slice(0, 40);
  return i % 5 === 0 ? 'ab' + (i % 3).toString(16).padStart(2, '0') + h.slice(4) : h;
};

/** A StateStore over the records of an in-memory state (what the chain DB would hold); `write` applies a block's writes. */
function storeOf(s: State): StateStore & { write(accounts: Map<string, AccountState>, t: TreeWrites): void } {
  const { accounts, tree } = s.allRecords();
  const pages = new Uint8Array(256 * 32);
  const write = (acc: Map<string, AccountState>, t: TreeWrites) => {
    for (const [a, v] of acc) accounts.set(a, v);
    for (const [b, r] of t.members) tree.members.set(b, r && new Uint8Array(r));
    for (const [b, h] of t.buckets) tree.buckets.set(b, h && new Uint8Array(h));
    for (const [p, h] of t.pages) pages.set(h, p * 32);
  };
  write(new Map(), tree);
  return {
    account: (a) => accounts.get(a),
    bucketMembers: (b) => tree.members.get(b) ?? undefined,
    bucketHash: (b) => tree.buckets.get(b) ?? undefined,
    pageHashes: () => pages,
    write,
  };
}

describe('accounts root', () => {
  it('matches the documented formula and the roots pinned before the rewrite, through updates, inserts and deletions', () => {
    const accts = new Map<string, AccountState>(Array.from({ length: 300 }, (_, i) => [addr(i), { balance: BigInt(i * 1000003 + 1), nonce: BigInt(i % 7) }]));
    const s = State.from(accts);
    expect(s.rootHex()).toBe('8a3b7f63d448289e78a848ca264c98e6c24cea9426045847517d597965328a41');
    expect(s.rootHex()).toBe(naiveRoot(accts));
    const ov = s.begin();
    for (let i = 0; i < 300; i += 3) ov.set(addr(i), i % 6 === 0 ? { balance: 0n, nonce: 0n } : { balance: BigInt(i) << 40n, nonce: 99n });
    for (let i = 300; i < 340; i++) ov.set(addr(i), { balance: BigInt(i), nonce: 0n });
    const p = s.prepare(ov);
    expect(s.rootHex()).toBe('8a3b7f63d448289e78a848ca264c98e6c24cea9426045847517d597965328a41'); // prepare changes nothing
    s.commit(p);
    for (const [a, v] of ov.changes) accts.set(a, v);
    expect(s.rootHex()).toBe('da6481ae1ad5b68810ee63148e0eeda905e409233aba8083668d2dfeef552b62');
    expect(s.rootHex()).toBe(naiveRoot(accts));
  });

  it('a store-backed state with tiny caches follows the same roots block after block, down to empty buckets', () => {
    const accts = new Map<string, AccountState>(Array.from({ length: 120 }, (_, i) => [addr(i), { balance: 5n + BigInt(i), nonce: 0n }]));
    const mem = State.from(accts);
    const store = storeOf(mem);
    const disk = State.open(store, { accounts: 3, buckets: 2 });
    expect(disk.rootHex()).toBe(mem.rootHex());
    for (let round = 0; round < 4; round++) {
      const a = mem.begin();
      const b = disk.begin();
      for (let i = round; i < 160; i += 4 + round) {
        const cur = a.get(addr(i));
        const next = (i + round) % 3 === 0 ? { balance: 0n, nonce: 0n } : { balance: cur.balance + 7n, nonce: cur.nonce + 1n };
        a.set(addr(i), next);
        b.set(addr(i), next);
        accts.set(addr(i), next);
      }
      const pa = mem.prepare(a);
      const pb = disk.prepare(b);
      expect(Buffer.from(pb.root).toString('hex')).toBe(Buffer.from(pa.root).toString('hex'));
      // The store-backed state's DB writes hold what the in-memory state holds.
      const wa = State.treeWrites(pa);
      const wb = State.treeWrites(pb);
      expect([...wb.members.keys()]).toEqual([...wa.members.keys()]);
      for (const [k, v] of wa.members) expect(wb.members.get(k) && Buffer.from(wb.members.get(k)!).toString('hex')).toBe(v && Buffer.from(v).toString('hex'));
      store.write(b.changes, wb);
      mem.commit(pa);
      disk.commit(pb);
      expect(mem.rootHex()).toBe(naiveRoot(accts));
    }
  });

  it('a block run looks an address up in its bucket member record first: an absent address reads no account record, a present one reads its own', () => {
    const accts = new Map<string, AccountState>(Array.from({ length: 60 }, (_, i) => [addr(i), { balance: 10n + BigInt(i), nonce: 1n }]));
    const store = storeOf(State.from(accts));
    const reads = { account: 0, members: 0 };
    const counted: StateStore = {
      ...store,
      account: (a) => (reads.account++, store.account(a)),
      bucketMembers: (b) => (reads.members++, store.bucketMembers(b)),
    };
    // addr(0), addr(5), … share three buckets 'ab00'…'ab02': an absent address in one of them.
    const absent = 'ab01' + 'f'.repeat(36);
    const disk = State.open(counted, { accounts: 100, buckets: 100 });
    const ov = disk.begin();
    expect(ov.get(absent)).toEqual({ balance: 0n, nonce: 0n });
    expect(reads).toEqual({ account: 0, members: 1 });
    expect(ov.get(addr(5))).toEqual({ balance: 15n, nonce: 1n }); // addr(5) is in bucket ab02: its record, then its account
    expect(ov.get(addr(10))).toEqual({ balance: 20n, nonce: 1n }); // ab01 again: members cached, the account read
    expect(reads).toEqual({ account: 2, members: 2 });
    // A plain read (RPC, mempool) of a cold bucket reads the account only, as before.
    const cold = State.open(counted, { accounts: 100, buckets: 100 });
    reads.account = reads.members = 0;
    expect(cold.get('ab00' + 'e'.repeat(36))).toEqual({ balance: 0n, nonce: 0n });
    expect(reads).toEqual({ account: 1, members: 0 });
    // The roots are those of the in-memory state after the same changes.
    ov.set(absent, { balance: 3n, nonce: 0n });
    const mem = State.from(accts);
    const m = mem.begin();
    m.set(absent, { balance: 3n, nonce: 0n });
    expect(Buffer.from(disk.prepare(ov).root).toString('hex')).toBe(Buffer.from(mem.prepare(m).root).toString('hex'));
  });
});
