// SimpleDb on every engine: API semantics, persistence, quota (a real cap with a clear error and
// nothing written), corrupt-file detection at open, group commit order and the write lock.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configureSimpleDb, engineConfig, names, parseLimit, SimpleDb, SimpleDbCorruptError, SimpleDbQuotaError, type EngineKind } from '../../../src/node-core/storage/simpledb.js';
import { FILE_NAME } from '../../../src/node-core/storage/simpledb-engines.js';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-sdb-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString('utf8'));

describe.each(['file', 'level', 'memory'] as EngineKind[])('engine %s', (engine) => {
  it('get / insert / tryInsert / remove / scan / batch / json', async () => {
    const db = await SimpleDb.open('t', path.join(dir, 'store ü'), { engine });
    expect(db.engineKind).toBe(engine);
    expect(await db.get('a')).toBeUndefined();
    expect(await db.insert('a', 'one')).toBeUndefined();
    expect(text(await db.insert('a', 'two'))).toBe('one');
    expect(await db.tryInsert('a', 'three')).toBe(false);
    expect(await db.tryInsert('b', new Uint8Array([1, 2, 3]))).toBe(true);
    expect(await db.get('b')).toEqual(new Uint8Array([1, 2, 3]));
    await db.insertJson('gate:energy', { state: 'Trade', streak: 3 });
    expect(await db.getJson('gate:energy')).toEqual({ state: 'Trade', streak: 3 });
    await db.batch().insert('p/2', 'y').insert('p/1', 'x').insert('q', 'z').remove('b').write();
    expect((await db.scanPrefix('p/')).map(([k, v]) => [k, text(v)])).toEqual([['p/1', 'x'], ['p/2', 'y']]);
    expect(await db.keysWithPrefix('')).toEqual(['a', 'gate:energy', 'p/1', 'p/2', 'q']);
    expect(text(await db.remove('a'))).toBe('two');
    expect(await db.has('a')).toBe(false);
    // size = Σ key bytes + value bytes
    const expected = (await db.scanPrefix('')).reduce((n, [k, v]) => n + Buffer.byteLength(k) + v.byteLength, 0);
    expect(db.sizeBytes()).toBe(expected);
    await expect(db.insert('', 'x')).rejects.toThrow(/non-empty/);
    await expect(db.insert('\u0000x', 'x')).rejects.toThrow(/NUL/);
    await db.flushWal();
    await db.close();
    await expect(db.insert('z', 'z')).rejects.toThrow(/closed/);
  });

  it('concurrent writes are applied in call order and all resolve', async () => {
    const db = await SimpleDb.open('t', path.join(dir, 's'), { engine });
    const ps: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) ps.push(db.insert(`k${i % 10}`, String(i)));
    ps.push(db.remove('k3'));
    await Promise.all(ps);
    for (let j = 0; j < 10; j++) expect(text(await db.get(`k${j}`))).toBe(j === 3 ? undefined : String(190 + j));
    await db.close();
  });

  it('quota: a write over TB_SIMPLE_DB_LIMIT_BYTES is refused whole, with a clear message; deletes still work', async () => {
    const db = await SimpleDb.open(names.LAUNCH_GOVERNOR, path.join(dir, 'q'), { engine, limitBytes: 100 });
    await db.insert('a', 'x'.repeat(50)); // 51 bytes
    const err = await db.insert('b', 'y'.repeat(60)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimpleDbQuotaError);
    expect((err as Error).message).toMatch(/limited to 100 bytes by TB_SIMPLE_DB_LIMIT_BYTES.*from 51 to 112 bytes, so nothing was written/);
    expect((err as SimpleDbQuotaError).reason).toBe('storage_quota_exceeded');
    expect(await db.get('b')).toBeUndefined();
    // A batch that crosses the limit is refused as a whole.
    await expect(db.batch().insert('c', 'z').insert('d', 'w'.repeat(60)).write()).rejects.toBeInstanceOf(SimpleDbQuotaError);
    expect(await db.get('c')).toBeUndefined();
    // Overwriting with a smaller value and deleting are allowed; the freed bytes can be reused.
    await db.insert('a', 'x');
    await db.insert('b', 'y'.repeat(60));
    expect(db.sizeBytes()).toBe(2 + 61);
    await db.remove('a');
    expect(db.sizeBytes()).toBe(61);
    await db.close();
    if (engine !== 'memory') {
      const again = await SimpleDb.open(names.LAUNCH_GOVERNOR, path.join(dir, 'q'), { engine, limitBytes: 100 });
      expect(again.sizeBytes()).toBe(61);
      expect(await again.keysWithPrefix('')).toEqual(['b']);
      await again.close();
    }
  });

  it('withWriteLock holds writes back until the function returns', async () => {
    const db = await SimpleDb.open('t', path.join(dir, 'l'), { engine });
    await db.insert('a', '1');
    const seen: string[] = [];
    let pending!: Promise<unknown>;
    await db.withWriteLock(async () => {
      pending = db.insert('a', '2').then(() => seen.push('written'));
      await new Promise((r) => setImmediate(r));
      seen.push(`inside: ${text(await db.get('a'))}`);
    });
    await pending;
    expect(seen).toEqual(['inside: 1', 'written']);
    expect(text(await db.get('a'))).toBe('2');
    await db.close();
  });
});

describe('persistence and engine choice', () => {
  it('file and level stores survive reopen; openNamed follows the config, and data on disk keeps its engine', async () => {
    for (const engine of ['file', 'level'] as const) {
      const d = path.join(dir, engine);
      const db = await SimpleDb.open('t', d, { engine });
      await db.insert('k', 'v');
      await db.close();
      // Opening with the other engine configured still finds the data in its own layout.
      const other = await SimpleDb.open('t', d, { engine: engine === 'file' ? 'level' : 'file' });
      expect(other.engineKind).toBe(engine);
      expect(text(await other.get('k'))).toBe('v');
      await other.close();
    }
    configureSimpleDb({ default_engine: 'level', overrides: { energy_market: 'memory' } });
    try {
      const a = await SimpleDb.openNamed(names.ENERGY_MARKET, path.join(dir, 'em'));
      const b = await SimpleDb.openNamed(names.LAUNCH_GOVERNOR, path.join(dir, 'gov'));
      expect([a.engineKind, b.engineKind]).toEqual(['memory', 'level']);
      await Promise.all([a.close(), b.close()]);
    } finally {
      configureSimpleDb({ default_engine: undefined, overrides: {} });
    }
  });

  it('reads TB_SIMPLE_DB_ENGINE / TB_SIMPLE_DB_LIMIT_BYTES and rejects bad values', () => {
    expect(engineConfig({ TB_SIMPLE_DB_ENGINE: 'level', TB_SIMPLE_DB_LIMIT_BYTES: '4096' })).toMatchObject({ default_engine: 'level', limit_bytes: 4096 });
    expect(engineConfig({})).toMatchObject({ default_engine: 'file', limit_bytes: null });
    expect(() => engineConfig({ TB_SIMPLE_DB_ENGINE: 'rocksdb' })).toThrow(/TB_SIMPLE_DB_ENGINE: "rocksdb" is not one of file, level, memory/);
    for (const bad of ['-1', '0', '1e6', '12MB', '1.5']) expect(() => parseLimit(bad)).toThrow(/TB_SIMPLE_DB_LIMIT_BYTES/);
  });

  it('a damaged store file is reported at open with the ways out, and left as it was', async () => {
    const d = path.join(dir, 'c');
    const db = await SimpleDb.open('t', d, { engine: 'file' });
    await db.insert('k', 'value');
    await db.close();
    const file = path.join(d, FILE_NAME);
    const bytes = await fs.readFile(file);
    bytes[bytes.length - 2] ^= 0xff;
    await fs.writeFile(file, bytes);
    const err = await SimpleDb.open('t', d, { engine: 'file' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimpleDbCorruptError);
    expect((err as Error).message).toMatch(/checksum does not match.*snapshots restore.*Nothing was changed/);
    expect(await fs.readFile(file)).toEqual(bytes);
    await fs.writeFile(file, bytes.subarray(0, 20));
    await expect(SimpleDb.open('t', d, { engine: 'file' })).rejects.toThrow(/bad magic/);
  });

  it('a second open of the same directory in one process is refused', async () => {
    const db = await SimpleDb.open('t', path.join(dir, 'x'), { engine: 'file' });
    await expect(SimpleDb.open('t', path.join(dir, 'x'), { engine: 'file' })).rejects.toThrow(/already open/);
    expect(SimpleDb.openUnder(dir)).toEqual([db]);
    await db.close();
    expect(SimpleDb.openUnder(dir)).toEqual([]);
  });
});
