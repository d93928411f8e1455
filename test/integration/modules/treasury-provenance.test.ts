/**
 * provenance.json after `kill -9` mid-write: a child process rewrites it with the treasury's own
 * writer (treasury/provenance.ts → writeFileAtomic) generation after generation, and is SIGKILLed
 * as it announces generation k (k = 1…6, so the kill lands before, during or after that write).
 * Every time the file left behind is a whole document of generation k−1 or k — the old or the new,
 * never a torn one — and no temp file is mistaken for it. No timing is asserted.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, removeTemp, tempDir, TSX } from '../node/helpers.js';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tb-provenance');
});
afterAll(async () => {
  await removeTemp(dir);
});

/** Runs the writer until it prints `w <k>`, then SIGKILLs it and waits for it to exit. */
function killAt(file: string, k: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(REPO, 'test/fixtures/treasury/provenance-writer.ts'), file], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.split('\n').includes(`w ${k}`)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

describe('treasury/provenance.json under kill -9', () => {
  it('is always the old or the new document, never torn', async () => {
    for (let k = 1; k <= 6; k++) {
      const file = path.join(dir, `k${k}`, 'provenance.json');
      await fs.mkdir(path.dirname(file), { recursive: true });
      await killAt(file, k);
      let doc: { version: number; height: number; disbursements: { id: number }[] } | null = null;
      try {
        doc = JSON.parse(await fs.readFile(file, 'utf8'));
      } catch (e) {
        // killed before the first rename: no file at all is "the old one"
        expect((e as NodeJS.ErrnoException).code, `k=${k}`).toBe('ENOENT');
        expect(k).toBe(1);
        continue;
      }
      expect(doc!.version).toBe(1);
      expect([k - 1, k], `k=${k}`).toContain(doc!.height);
      expect(doc!.disbursements.map((d) => d.id)).toEqual(Array.from({ length: 40 + doc!.height }, (_, i) => i + 1));
      const others = (await fs.readdir(path.dirname(file))).filter((f) => f !== 'provenance.json');
      expect(others.every((f) => f.startsWith('.provenance.json.') && f.endsWith('.tmp')), others.join()).toBe(true);
    }
  }, 180_000);
});
