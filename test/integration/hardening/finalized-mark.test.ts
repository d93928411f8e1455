// Issue 12 item 6: blocks reported final cannot vanish silently. The node keeps its finalized
// height in `finalized_mark.json`, apart from the chain DB; after the chain DB's write-ahead log is
// cut to half (the blocks at its end are lost), a lone node refuses to start, naming both heights
// and the ways out; with peers to sync from it starts and says it refetches them; moving the mark
// aside (the documented way to accept the loss) lets it start; a restore drops the mark.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARK_FILE } from '../../../src/node-core/storage/finalized-mark.js';
import { NEVER_INCLUDED } from '../../../src/node-core/snapshots/subsystems.js';
import { removeTemp, spawnNode, stopNode, tempDir } from '../node/helpers.js';
import { ipc, makeDataDir } from '../snapshots/helpers.js';

let dir: string;
let data: string;
let head: number;
beforeAll(async () => {
  dir = await tempDir('tb-final-mark');
  data = path.join(dir, 'data');
  head = await makeDataDir(data, 30);
});
afterAll(() => removeTemp(dir));

async function cutWal(root: string): Promise<void> {
  const chain = path.join(root, 'chain');
  const logs = (await fs.readdir(chain)).filter((n) => /^\d+\.log$/.test(n)).sort();
  expect(logs.length).toBeGreaterThan(0);
  const wal = path.join(chain, logs[logs.length - 1]);
  const size = (await fs.stat(wal)).size;
  expect(size).toBeGreaterThan(4096);
  await fs.truncate(wal, Math.floor(size / 2));
}

describe('finalized mark', () => {
  it('is written durably beside the chain DB at the finalized head', async () => {
    const mark = JSON.parse(await fs.readFile(path.join(data, MARK_FILE), 'utf8'));
    expect(mark).toMatchObject({ version: 1, height: head, hash: expect.stringMatching(/^[0-9a-f]{64}$/), genesis_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(NEVER_INCLUDED.has(MARK_FILE)).toBe(true); // not in snapshots; a restore drops it
  });

  it('a lone node whose chain DB lost finalized blocks refuses to start, with the ways out', async () => {
    const copy = path.join(dir, 'alone');
    await fs.cp(data, copy, { recursive: true });
    await fs.rm(path.join(copy, 'node.lock'), { force: true });
    await cutWal(copy);
    const n = spawnNode({ dataDir: copy, args: ['--block-time-ms', '600000'] });
    const { code } = await n.exited;
    expect(code).toBe(1);
    const err = n.stderr();
    expect(err).toMatch(new RegExp(`error: the chain opened at height (\\d+), below height ${head}, which had been final`));
    expect(Number(/opened at height (\d+)/.exec(err)![1])).toBeLessThan(head);
    expect(err).toContain('Ways out: (1) restore a snapshot');
    expect(err).toContain('resync from peers');
    expect(err).toContain(`move ${path.join(copy, MARK_FILE)} aside`);
    const exit = n.messages.find((m) => m.type === 'exit') as { reason?: string } | undefined;
    expect(exit?.reason).toBe('below_finalized_mark');

    // Accepting the loss: the mark moved aside, the node starts at the lower height and marks it anew.
    await fs.rename(path.join(copy, MARK_FILE), path.join(copy, MARK_FILE + '.old'));
    const again = spawnNode({ dataDir: copy, args: ['--block-time-ms', '600000'] });
    try {
      await again.ready;
      const tip = await ipc(again, 'chain.tip');
      expect(tip.height).toBeLessThan(head);
    } finally {
      await stopNode(again);
    }
    expect(JSON.parse(await fs.readFile(path.join(copy, MARK_FILE), 'utf8')).height).toBeLessThan(head);
  });

  it('with peers configured it starts and says it refetches the missing finalized blocks', async () => {
    const copy = path.join(dir, 'networked');
    await fs.cp(data, copy, { recursive: true });
    await fs.rm(path.join(copy, 'node.lock'), { force: true });
    await cutWal(copy);
    const n = spawnNode({
      dataDir: copy,
      args: ['--block-time-ms', '600000', '--p2p-quic-addr', '127.0.0.1:0', '--p2p-tcp-addr', '127.0.0.1:0', '--static-peers', '127.0.0.1:9'],
    });
    try {
      await n.ready;
      const sub = (await ipc(n, 'chain.subscribe', ['node.notice'])) as string;
      const m = (await n.nextMessage((x) => (x as any)?.params?.subscription === sub)) as any;
      expect(m.params.result).toMatchObject({ kind: 'finalized_refetch', level: 'warn' });
      expect(m.params.result.message).toMatch(new RegExp(`below height ${head}, which had been final.*fetching the missing finalized blocks \\d+…${head} again from peers`));
      // The mark is never lowered while the gap is open.
      expect(JSON.parse(await fs.readFile(path.join(copy, MARK_FILE), 'utf8')).height).toBe(head);
    } finally {
      await stopNode(n);
    }
    expect(JSON.parse(await fs.readFile(path.join(copy, MARK_FILE), 'utf8')).height).toBe(head);
  });
});
