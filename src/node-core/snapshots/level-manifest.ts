/**
 * Reads a LevelDB MANIFEST to learn the live table files (no npm library parses it; the format is
 * LevelDB's own and stable). Needed by the checkpoint: only the tables the manifest references
 * may be hard-linked into a copy, because a table still being written by a compaction can carry
 * a file number that the copy, once opened, allocates again — and LevelDB creates files with
 * O_TRUNC, which through a shared inode would destroy the live database's file.
 *
 * Formats (google/leveldb doc/log_format.md, db/version_edit.cc):
 *   log: 32 KiB blocks of records `crc32c (4) | length u16 LE | type u8 | data`, type 1 FULL,
 *        2 FIRST, 3 MIDDLE, 4 LAST; a block tail shorter than 7 bytes is zero padding.
 *   VersionEdit: `tag varint32` then fields — 1 comparator (len-prefixed), 2 log number, 3 next
 *        file number, 4 last sequence, 9 prev log number (varint64 each), 5 compact pointer
 *        (level varint32, len-prefixed key), 6 deleted file (level varint32, number varint64),
 *        7 new file (level varint32, number varint64, size varint64, smallest, largest len-prefixed).
 * Checksums are not verified: the checkpoint only reads manifests whose size it has seen stable.
 */

export interface LevelManifestState {
  /** Bytes up to the end of the last complete record (a copy is cut there). */
  validLength: number;
  /** Live table numbers → size in bytes. */
  tables: Map<number, number>;
  logNumber: number;
  prevLogNumber: number;
  nextFileNumber: number;
}

export class ManifestParseError extends Error {
  constructor(message: string) {
    super(`LevelDB MANIFEST: ${message}`);
    this.name = 'ManifestParseError';
  }
}

const BLOCK = 32768;
const HEADER = 7;

/** The logical records of a LevelDB log file (a torn last record is dropped, as LevelDB does) and where the last complete one ends. */
export function logRecords(buf: Uint8Array): { records: Uint8Array[]; end: number } {
  const out: Uint8Array[] = [];
  let end = 0;
  let pos = 0;
  let parts: Uint8Array[] | null = null;
  while (pos < buf.length) {
    const left = BLOCK - (pos % BLOCK);
    if (left < HEADER) {
      pos += left;
      continue;
    }
    if (pos + HEADER > buf.length) break;
    const len = buf[pos + 4] | (buf[pos + 5] << 8);
    const type = buf[pos + 6];
    const start = pos + HEADER;
    if (type === 0 && len === 0) {
      pos += left; // zero padding to the end of the block
      continue;
    }
    if (start + len > buf.length) break; // torn tail
    const data = buf.subarray(start, start + len);
    pos = start + len;
    if (type === 1) {
      out.push(data);
      end = pos;
    } else if (type === 2) parts = [data];
    else if (type === 3 && parts) parts.push(data);
    else if (type === 4 && parts) {
      parts.push(data);
      out.push(Buffer.concat(parts));
      parts = null;
      end = pos;
    } else throw new ManifestParseError(`unexpected record type ${type} at offset ${pos - len - HEADER}`);
  }
  return { records: out, end };
}

class Reader {
  p = 0;
  constructor(private readonly b: Uint8Array) {}
  get done(): boolean {
    return this.p >= this.b.length;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.p >= this.b.length) throw new ManifestParseError('truncated varint');
      const byte = this.b[this.p++];
      result += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        if (!Number.isSafeInteger(result)) throw new ManifestParseError('varint beyond 2^53');
        return result;
      }
      mul *= 128;
    }
    throw new ManifestParseError('varint longer than 10 bytes');
  }
  slice(): void {
    const n = this.varint();
    if (this.p + n > this.b.length) throw new ManifestParseError('truncated field');
    this.p += n;
  }
}

/** Applies every VersionEdit of a MANIFEST (its bytes) and returns the resulting live state. */
export function parseManifest(buf: Uint8Array): LevelManifestState {
  const { records, end } = logRecords(buf);
  const s: LevelManifestState = { validLength: end, tables: new Map(), logNumber: 0, prevLogNumber: 0, nextFileNumber: 0 };
  for (const rec of records) {
    const r = new Reader(rec);
    while (!r.done) {
      const tag = r.varint();
      switch (tag) {
        case 1:
          r.slice();
          break;
        case 2:
          s.logNumber = r.varint();
          break;
        case 3:
          s.nextFileNumber = r.varint();
          break;
        case 4:
          r.varint();
          break;
        case 5:
          r.varint();
          r.slice();
          break;
        case 6: {
          r.varint();
          s.tables.delete(r.varint());
          break;
        }
        case 7: {
          r.varint();
          const n = r.varint();
          const size = r.varint();
          r.slice();
          r.slice();
          s.tables.set(n, size);
          break;
        }
        case 9:
          s.prevLogNumber = r.varint();
          break;
        default:
          throw new ManifestParseError(`unknown VersionEdit tag ${tag}`);
      }
    }
  }
  return s;
}

/** File name of table `n` (LevelDB writes `.ldb`; `.sst` is the legacy name it still reads). */
export function tableNames(n: number): [string, string] {
  const base = String(n).padStart(6, '0');
  return [`${base}.ldb`, `${base}.sst`];
}
