/**
 * The pending-readings journal (energy/journal.ts): group-committed appends read back in order, a
 * torn last line (crash mid-append) is skipped, rewrite keeps only what is given; the pending
 * book-keeping (energy/pending.ts) releases a provider's overlay once its last reading resolves;
 * meter_hash is the same for equal readings decoded separately (the exact memo) and differs otherwise.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blake3 } from '@noble/hashes/blake3.js';
import { afterEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, parseLine, ReadingJournal, readingLine } from '../../../src/node-core/energy/journal.js';
import { PendingReadings, type Track } from '../../../src/node-core/energy/pending.js';
import { meterHash, signingDigest, type MeterReading } from '../../../src/node-core/energy/reading.js';
import type { Provider } from '../../../src/node-core/energy/state.js';

const reading = (nonce: number, total = nonce * 10): MeterReading => ({ provider_id: 'energy-0x00000000', meter_address: 'meter-01', total_kwh: BigInt(total), timestamp: 1_700_000_000 + nonce, nonce: BigInt(nonce), signature: new Uint8Array(64).fill(nonce) });
let dir: string | undefined;
afterEach(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('pending-readings journal', () => {
  it('appends (one group per turn), reads back in order, skips a torn tail, rewrites and truncates', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-energy-journal-'));
    const { journal } = await ReadingJournal.open(dir);
    await Promise.all([1, 2, 3].map((n) => journal.append(readingLine(reading(n)))));
    await journal.append(readingLine(reading(4)));
    await journal.close();
    await fs.appendFile(path.join(dir, JOURNAL_FILE), readingLine(reading(5)).slice(0, 40)); // crash mid-append
    const again = await ReadingJournal.open(dir);
    expect(again.readings.map((r) => r.nonce)).toEqual([1n, 2n, 3n, 4n]);
    expect(again.readings[2]).toEqual(reading(3));
    await again.journal.rewrite(() => [readingLine(reading(4))]);
    await again.journal.append(readingLine(reading(6)));
    await again.journal.close();
    const third = await ReadingJournal.open(dir);
    expect(third.readings.map((r) => r.nonce)).toEqual([4n, 6n]);
    await third.journal.rewrite(() => []);
    await third.journal.close();
    expect(await fs.readFile(path.join(dir, JOURNAL_FILE), 'utf8')).toBe('');
    expect(parseLine('{"provider_id":1}')).toBeUndefined();
  });
});

describe('pending readings', () => {
  it('the overlay holds while readings wait and goes with the last one', () => {
    const q = new PendingReadings();
    const base = { id: 'energy-0x00000000', meter: 'meter-01', readings: 0, lastValue: 0n, lastTs: 0, lastNonce: 0n } as Provider;
    const track = (r: MeterReading): Track => ({ r, hash: meterHash(r), amount: 10n, state: 'queued', tx: null, height: null, reason: null, line: readingLine(r) });
    const [a, b] = [track(reading(1)), track(reading(2))];
    q.accept(a, { ...base, readings: 1, lastNonce: 1n });
    q.accept(b, { ...base, readings: 2, lastNonce: 2n });
    expect(q.provider(base.id)?.lastNonce).toBe(2n);
    expect(q.waitingLines()).toEqual([a.line, b.line]);
    q.resolve(a, { height: 7 });
    expect(q.provider(base.id)?.lastNonce).toBe(2n);
    q.resolve(b, { reason: 'stale_timestamp' });
    expect(q.provider(base.id)).toBeUndefined();
    expect([a.state, a.height, b.state, b.reason, q.waiting]).toEqual(['included', 7, 'refused', 'stale_timestamp', 0]);
  });
});

describe('reading hashes', () => {
  it('digest and meter_hash follow the reference layout; equal readings hash equal, others differ', () => {
    const r = reading(3);
    const te = new TextEncoder();
    const le = (n: bigint) => {
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, n, true);
      return b;
    };
    const fields = [te.encode(r.provider_id), te.encode(r.meter_address), le(r.total_kwh), le(BigInt(r.timestamp)), le(r.nonce)];
    const h = blake3.create();
    for (const f of fields) h.update(f);
    expect(Buffer.from(signingDigest(r)).toString('hex')).toBe(Buffer.from(h.digest()).toString('hex'));
    const m = blake3.create();
    for (const f of [...fields, new Uint8Array([64, 0, 0, 0]), r.signature]) m.update(f);
    expect(meterHash(r)).toBe(Buffer.from(m.digest()).toString('hex'));
    expect(meterHash({ ...reading(3) })).toBe(meterHash(r));
    expect(meterHash(reading(3, 31))).not.toBe(meterHash(r));
    expect(meterHash({ ...reading(3), signature: new Uint8Array(64).fill(9) })).not.toBe(meterHash(r));
  });
});
