/**
 * Durable queue of accepted meter readings (energy.submit_reading answers once a reading is in
 * here): an append-only JSON-lines file `<energy_market dir>/pending-readings.jsonl`, one line
 * per reading in acceptance order, `{provider_id, meter_address, kwh_reading (decimal string),
 * timestamp (unix s), nonce (decimal string), signature (128 hex)}`.
 *
 * Writes are group-committed: every line appended during one event-loop turn goes out in one
 * `write` + `datasync`; the returned promise resolves once those bytes are on disk. Appends,
 * rewrites and truncations are serialized. The file is truncated when no accepted reading is
 * waiting for inclusion, and rewritten (temp file → fsync → rename → fsync dir) with only the
 * waiting ones when it grows past {@link JOURNAL_COMPACT_BYTES}.
 *
 * On start the node reads it back ({@link ReadingJournal.open}): a torn last line (crash in the
 * middle of an append) is ignored — its reading was never answered. Each reading is then checked
 * again (EnergyService.recover): those the chain already holds (nonce ≤ the provider's last nonce)
 * are dropped, the others re-verified and re-queued. Readings are signed, so a lost line costs
 * nothing but a resubmission by the oracle (see README "Energy market").
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../storage/atomic.js';
import type { MeterReading } from './reading.js';

/** Journal size (bytes) above which it is compacted to the readings still waiting. */
export const JOURNAL_COMPACT_BYTES = 16 * 1024 * 1024;
export const JOURNAL_FILE = 'pending-readings.jsonl';

export function readingLine(r: MeterReading): string {
  return JSON.stringify({ provider_id: r.provider_id, meter_address: r.meter_address, kwh_reading: r.total_kwh.toString(), timestamp: r.timestamp, nonce: r.nonce.toString(), signature: Buffer.from(r.signature).toString('hex') }) + '\n';
}

/** A journal line back to a reading; undefined for a torn or foreign line. */
export function parseLine(line: string): MeterReading | undefined {
  try {
    const j = JSON.parse(line) as Record<string, unknown>;
    if (typeof j.provider_id !== 'string' || typeof j.meter_address !== 'string' || typeof j.timestamp !== 'number' || typeof j.signature !== 'string' || !/^[0-9a-f]{128}$/.test(j.signature)) return undefined;
    return { provider_id: j.provider_id, meter_address: j.meter_address, total_kwh: BigInt(j.kwh_reading as string), timestamp: j.timestamp, nonce: BigInt(j.nonce as string), signature: Uint8Array.from(Buffer.from(j.signature, 'hex')) };
  } catch {
    return undefined;
  }
}

export class ReadingJournal {
  private chain: Promise<unknown> = Promise.resolve();
  private buf: string[] = [];
  private round: Promise<void> | undefined;
  /** Bytes in the file (approximate after a failed write). */
  bytes = 0;

  private constructor(
    readonly file: string,
    private fh: fs.FileHandle,
  ) {}

  /** Opens (creates) the journal in `dir` and returns the readings it holds, in order. */
  static async open(dir: string): Promise<{ journal: ReadingJournal; readings: MeterReading[] }> {
    await fs.mkdir(dir, { recursive: true });
    const file = path.join(dir, JOURNAL_FILE);
    const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e)));
    const readings: MeterReading[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const r = parseLine(line);
      if (r) readings.push(r);
    }
    const j = new ReadingJournal(file, await fs.open(file, 'a'));
    j.bytes = Buffer.byteLength(text);
    return { journal: j, readings };
  }

  /** Appends `line`; resolves when it (and the rest of its group) is durable. */
  append(line: string): Promise<void> {
    this.buf.push(line);
    return (this.round ??= this.enqueue(async () => {
      this.round = undefined;
      const data = this.buf.join('');
      this.buf = [];
      await this.fh.write(data);
      await this.fh.datasync();
      this.bytes += Buffer.byteLength(data);
    }));
  }

  /**
   * Replaces the content with `lines` (the readings still waiting), atomically; `[]` truncates.
   * `lines` is read when the rewrite runs, after the appends queued before it.
   */
  rewrite(lines: () => string[]): Promise<void> {
    return this.enqueue(async () => {
      const data = lines().join('');
      await this.fh.close();
      if (data === '') await fs.writeFile(this.file, '');
      else await writeFileAtomic(this.file, data);
      this.fh = await fs.open(this.file, 'a');
      this.bytes = Buffer.byteLength(data);
    });
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const p = this.chain.then(() => new Promise<void>((r) => setImmediate(r))).then(fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  async close(): Promise<void> {
    await this.chain;
    await this.fh.close();
  }
}
