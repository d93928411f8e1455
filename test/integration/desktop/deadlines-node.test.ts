// node.deadlines on a real node process with the governor on (a 1 s window on a 100 ms dev chain):
// the window's end is listed with blocks left and a wall-time estimate, pending decisions appear
// at epoch_apply × 120 once the governor decides, over plain JSON-RPC (positional params, as an
// operator's curl); a node without the governor answers an empty list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadlinesResult } from '../../../src/shared/api/deadlines.js';
import { call, removeTemp, spawnNode, stopNode, tempDir, type NodeProc } from '../node/helpers.js';

let dir: string;
let node: NodeProc;
let port: number;

beforeAll(async () => {
  dir = await tempDir('tb-deadlines');
  node = spawnNode({
    dataDir: dir,
    args: ['--rpc-addr', '127.0.0.1:0'],
    env: {
      TB_BLOCK_TIME_MS: '100',
      TB_GOVERNOR_ENABLED: '1',
      TB_GOVERNOR_WINDOW_SECS: '1',
      TB_GOVERNOR_SHADOW_ONLY: '1',
    },
  });
  port = (await node.ready).rpc_port;
});
afterAll(async () => {
  await stopNode(node);
  await removeTemp(dir);
});

describe('node.deadlines', () => {
  it('lists the governor window and its pending decisions, soonest first', { timeout: 200_000 }, async () => {
    const r = (await call(port, 'node.deadlines', [])) as DeadlinesResult;
    expect(r.block_time_ms).toBe(100);
    const w = r.deadlines.find((d) => d.kind === 'governor_window')!;
    expect(w).toMatchObject({ module: 'governor', recurring: true, title: 'next gate evaluation' });
    // The window's id stays put between calls (the governor's timer), so it is notified at most
    // once. With 1 s windows a second call on a loaded machine may come after the window fell
    // due: then the next window (a later id, later due time) is listed instead.
    const again = (await call(port, 'node.deadlines', [])) as DeadlinesResult;
    const w2 = again.deadlines.find((d) => d.kind === 'governor_window')!;
    if (w2.id !== w.id) {
      expect(again.now_ms).toBeGreaterThanOrEqual(w.at_ms - 5); // the timer fired: not before it was due
      expect(w2.at_ms).toBeGreaterThan(w.at_ms);
    }
    expect(w.at_height).toBeGreaterThan(r.height);
    expect(w.blocks_left).toBe(w.at_height - r.height);
    // The window not evaluated yet: due after now, or overdue by the node's event-loop lag on a
    // loaded machine (its timer has not run yet) — never by a whole window.
    expect(w.at_ms).toBeGreaterThan(r.now_ms - 1000);
    // The operational gate enters after a streak of windows covering an epoch (120 blocks = 12 s)
    // whose block spacing is smooth (MAD/median ≤ 0.1, i.e. ±10 ms here: 50 ms blocks were too
    // tight for a loaded machine's timer jitter, and a rough window restarts the streak); its
    // decision is listed until it takes effect at epoch_apply × 120.
    await expect
      .poll(
        async () =>
          ((await call(port, 'node.deadlines', [])) as DeadlinesResult).deadlines.filter(
            (d) => d.kind === 'intent_apply',
          ).length,
        { timeout: 150_000, interval: 250 },
      )
      .toBeGreaterThan(0);
    const r2 = (await call(port, 'node.deadlines', [])) as DeadlinesResult;
    const intent = r2.deadlines.find((d) => d.kind === 'intent_apply')!;
    expect(intent.at_height % 120).toBe(0);
    expect(intent.title).toMatch(/^operational enter applies/);
    const heights = r2.deadlines.map((d) => d.at_height);
    expect(heights).toEqual([...heights].sort((a, b) => a - b));
  });
});
