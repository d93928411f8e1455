// `kill -9` while the energy_market store is being written leaves the previous market state
// readable: the child writes state after state (store-writer.fixture.ts) and is killed mid-stream;
// the reopened store decodes, its `state`, `height` and `receipts` agree (one batch is atomic), and
// it holds at least the last height the child reported as committed.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCanonical } from '../../../src/node-core/codec/canonical.js';
import { decodeEnergy } from '../../../src/node-core/energy/state.js';
import { SimpleDb } from '../../../src/node-core/storage/simpledb.js';

const TSX = import.meta.resolve('tsx');
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'tb-energy-crash-'));
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

describe('energy_market store under kill -9', () => {
  for (const round of [1, 2, 3])
    it(`round ${round}: the store reopens with a whole, decodable state`, async () => {
      const store = path.join(dir, `energy_market_${round}`);
      const child = spawn(process.execPath, ['--import', TSX, path.join(import.meta.dirname, 'store-writer.fixture.ts'), store], { stdio: ['ignore', 'pipe', 'inherit'] });
      let committed = 0;
      await new Promise<void>((resolve) => {
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          const last = d.trim().split('\n').at(-1);
          if (last) committed = Number(last);
          if (committed >= 20 * round) {
            child.kill('SIGKILL');
            resolve();
          }
        });
      });
      await new Promise((r) => child.once('close', r));
      const db = await SimpleDb.open('energy_market', store);
      try {
        const s = decodeEnergy(decodeCanonical((await db.get('state'))!, 'energy state'));
        const height = await db.getJson<number>('height');
        expect(height).toBeGreaterThanOrEqual(committed);
        expect(s.counters.settlements).toBe(height);
        expect(s.receipts.at(-1)!.height).toBe(height);
        expect((await db.getJson<{ height: number }[]>('receipts'))!.at(-1)!.height).toBe(height);
      } finally {
        await db.close();
      }
    }, 60_000);
});
