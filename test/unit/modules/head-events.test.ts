// The module-side followers of `newHeads` (src/node-core/events.ts): onHeadsSettled runs tip-only
// refresh work once per event-loop turn of heads, serialHeadWork queues at most one async run
// behind the current one and asks for it once per turn of heads. `newHeads` itself stays one event per block.
import { describe, expect, it } from 'vitest';
import type { BlockHeader } from '../../../src/shared/api/index.js';
import { NodeEvents, onHeadsSettled, serialHeadWork } from '../../../src/node-core/events.js';
import { openTestChain } from '../chain/helpers.js';

const head = (height: number) => ({ height }) as BlockHeader;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('onHeadsSettled', () => {
  it('calls once for the heads of one turn, again for a later turn, never after unsubscribing', async () => {
    const events = new NodeEvents();
    let calls = 0;
    const off = onHeadsSettled(events, () => calls++);
    for (let h = 1; h <= 5; h++) events.emit('newHeads', head(h));
    expect(calls).toBe(0); // deferred to the end of the turn
    await nextTurn();
    expect(calls).toBe(1);
    events.emit('newHeads', head(6));
    await nextTurn();
    expect(calls).toBe(2);
    events.emit('newHeads', head(7));
    off(); // the pending call is dropped
    await nextTurn();
    await nextTurn();
    expect(calls).toBe(2);
  });

  it('a catch-up run of imported blocks: newHeads per block, the settled refresh fewer times, the last one at the final head', async () => {
    const src = await openTestChain();
    const dst = await openTestChain({ genesis: () => src.genesis });
    try {
      const blocks: Uint8Array[] = [];
      for (let i = 0; i < 12; i++) {
        const h = await src.chain.produceBlock();
        blocks.push((await src.chain.blockAt(h.height))!.bytes);
      }
      const heads: number[] = [];
      const settledAt: number[] = [];
      dst.events.on('newHeads', (h) => heads.push(h.height));
      const off = onHeadsSettled(dst.events, () => settledAt.push(dst.chain.tip().height));
      await Promise.all(blocks.map((b) => dst.chain.importBlock(b)));
      await nextTurn();
      off();
      expect(heads).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
      expect(settledAt.length).toBeGreaterThanOrEqual(1);
      expect(settledAt.length).toBeLessThan(12);
      expect(settledAt.at(-1)).toBe(12);
    } finally {
      await dst.cleanup();
      await src.cleanup();
    }
  });
});

describe('serialHeadWork', () => {
  it('runs one at a time; the heads of one turn ask for one run; heads during a run queue one more, which reads the tip when it starts', async () => {
    const events = new NodeEvents();
    const started: number[] = [];
    let tip = 0;
    let release: () => void = () => {};
    const errors: unknown[] = [];
    const w = serialHeadWork(
      events,
      async () => {
        started.push(tip);
        await new Promise<void>((resolve) => (release = resolve));
      },
      (err) => errors.push(err),
    );
    tip = 1;
    events.emit('newHeads', head(1));
    await nextTurn();
    expect(started).toEqual([1]); // running, blocked
    tip = 2;
    events.emit('newHeads', head(2)); // queued behind the run
    tip = 3;
    events.emit('newHeads', head(3)); // covered by the queued run
    tip = 4;
    events.emit('newHeads', head(4));
    release();
    await nextTurn();
    expect(started).toEqual([1, 4]); // the queued run read the tip when it started
    release();
    await w.idle();
    expect(started).toEqual([1, 4]);
    w.off();
    events.emit('newHeads', head(5));
    await w.idle();
    expect(started).toEqual([1, 4]);
    expect(errors).toEqual([]);
  });

  it('the heads of one turn make one run (fast work included); idle after off still runs the one asked for', async () => {
    const events = new NodeEvents();
    let runs = 0;
    const w = serialHeadWork(events, async () => void runs++, () => {});
    for (let h = 1; h <= 10; h++) events.emit('newHeads', head(h));
    await nextTurn();
    await w.idle();
    expect(runs).toBe(1);
    events.emit('newHeads', head(11));
    w.off(); // a module closing right after a head
    await w.idle();
    expect(runs).toBe(2);
  });

  it('passes a failing run to onError and keeps following', async () => {
    const events = new NodeEvents();
    const errors: string[] = [];
    let n = 0;
    const w = serialHeadWork(
      events,
      async () => {
        if (++n === 1) throw new Error('disk full');
      },
      (err) => errors.push((err as Error).message),
    );
    events.emit('newHeads', head(1));
    await w.idle();
    events.emit('newHeads', head(2));
    await w.idle();
    expect(n).toBe(2);
    expect(errors).toEqual(['disk full']);
    w.off();
  });
});
