// The LevelDB checkpoint used for the snapshot cut, against a writer that never pauses: every copy
// opens, and holds exactly the batches written up to some point — all keys of a batch or none —
// while a small write buffer forces memtable flushes and compactions during the copies.
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkpointLevelDb } from '../../../src/node-core/snapshots/level-checkpoint.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-ckpt-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const PER_BATCH = 40;

it('checkpoints of a DB being written are whole write batches', async () => {
  const src = path.join(dir, 'live');
  const db = new ClassicLevel<string, string>(src, { writeBufferSize: 256 * 1024 });
  await db.open();
  let seq = 0;
  let stop = false;
  const filler = 'x'.repeat(600);
  const writer = (async () => {
    while (!stop) {
      seq++;
      const ops = [{ type: 'put' as const, key: 'seq', value: String(seq) }];
      for (let k = 0; k < PER_BATCH; k++) ops.push({ type: 'put', key: `b${String(seq).padStart(8, '0')}-${k}`, value: filler });
      // Synced like the chain's block commits; ~24 kB per batch, so the memtable switches every ~10 batches.
      await db.batch(ops, { sync: true });
    }
  })();
  const seen: number[] = [];
  let attemptsOverOne = 0;
  try {
    for (let i = 0; i < 30; i++) {
      const dst = path.join(dir, `copy-${i}`);
      const r = await checkpointLevelDb(src, dst);
      if (r.attempts > 1) attemptsOverOne++;
      expect(r.linked).toBe(true);
      const copy = new ClassicLevel<string, string>(dst);
      await copy.open();
      try {
        const s = Number((await copy.get('seq')) ?? '0');
        let keys = 0;
        for await (const _k of copy.keys({ gte: 'b', lt: 'c' })) keys++;
        expect(keys).toBe(s * PER_BATCH);
        seen.push(s);
      } finally {
        await copy.close();
      }
      await fs.rm(dst, { recursive: true, force: true });
    }
  } finally {
    stop = true;
    await writer;
  }
  // The live DB is intact (links never let a copy write into its files).
  let live = 0;
  for await (const _k of db.keys({ gte: 'b', lt: 'c' })) live++;
  expect(live).toBe(seq * PER_BATCH);
  await db.close();
  // The writer ran during the copies (later copies hold more batches).
  expect(seen[seen.length - 1]).toBeGreaterThan(seen[0]);
  console.log(`checkpoints at batches ${seen.join(', ')}; ${attemptsOverOne} needed a retry; ${seq} batches written`);
});

it('a directory without CURRENT is refused', async () => {
  await fs.mkdir(path.join(dir, 'empty'));
  await expect(checkpointLevelDb(path.join(dir, 'empty'), path.join(dir, 'x'))).rejects.toThrow(/ENOENT|CURRENT/);
});

it('the MANIFEST reader finds the same live tables as LevelDB itself (leveldb.sstables)', async () => {
  const { parseManifest } = await import('../../../src/node-core/snapshots/level-manifest.js');
  const src = path.join(dir, 'cross');
  const db = new ClassicLevel<string, string>(src, { writeBufferSize: 32 * 1024 });
  await db.open();
  try {
    // Random values (incompressible) so the data spans several 2 MiB tables.
    for (let i = 0; i < 400; i++) await db.batch(Array.from({ length: 20 }, (_, k) => ({ type: 'put' as const, key: `k${(i * 7919 + k * 13) % 20000}`, value: randomBytes(700).toString('base64') })));
    // LevelDB appends an edit to the MANIFEST just before it installs the new version, and compactions
    // run in the background: the two views agree once a compaction has settled — poll until they do.
    const tablesOf = async () => [...(await db.getProperty('leveldb.sstables')).matchAll(/^\s*(\d+):/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    let fromLevel: number[] = [];
    let parsed!: ReturnType<typeof parseManifest>;
    for (let i = 0; i < 500; i++) {
      fromLevel = await tablesOf();
      const current = (await fs.readFile(path.join(src, 'CURRENT'), 'utf8')).trim();
      parsed = parseManifest(await fs.readFile(path.join(src, current)));
      if (JSON.stringify([...parsed.tables.keys()].sort((a, b) => a - b)) === JSON.stringify(fromLevel)) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(fromLevel.length).toBeGreaterThan(2);
    expect([...parsed.tables.keys()].sort((a, b) => a - b)).toEqual(fromLevel);
    expect(parsed.nextFileNumber).toBeGreaterThan(Math.max(...fromLevel));
  } finally {
    await db.close();
  }
});
