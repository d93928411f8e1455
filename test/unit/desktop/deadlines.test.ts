// node.deadlines: sources merged soonest first with blocks left and wall-time estimates, passed
// deadlines dropped, a failing source skipped; a module's deadlines() mapped to inbox items; the
// .ics export.
import { describe, expect, it } from 'vitest';
import { collectDeadlines, fromModuleDeadline } from '../../../src/node-core/deadlines.js';

import { deadlinesToIcs } from '../../../src/host/desktop/ics-export.js';

describe('deadlines', () => {
  it('merges sources soonest first; drops passed ones; skips a failing source', async () => {
    const r = await collectDeadlines({
      height: () => 100,
      blockTimeMs: 1000,
      now: () => 5_000,
      sources: () => [
        () => [{ id: 'a', module: 'treasury', kind: 'vote_closes', title: 'Vote closes', at_height: 130 }],
        () => {
          throw new Error('broken module');
        },
        async () => [
          { id: 'b', module: 'governor', kind: 'intent_applies', title: 'Applies', at_height: 120 },
          { id: 'old', module: 'governor', kind: 'intent_applies', title: 'Past', at_height: 99 },
        ],
      ],
    });
    expect(r.deadlines.map((d) => [d.id, d.blocks_left, d.at_ms])).toEqual([
      ['b', 20, 25_000],
      ['a', 30, 35_000],
    ]);
    expect(r).toMatchObject({ height: 100, block_time_ms: 1000, now_ms: 5_000 });
  });

  it("a module's deadline (modules/types.ts) becomes an inbox item: epoch → height, default id, recurring kept", () => {
    expect(
      fromModuleDeadline({ module: 'treasury', kind: 'vote_close', label: 'Vote on #4 closes', epoch: 7 }),
    ).toEqual({
      id: 'treasury:vote_close:840',
      module: 'treasury',
      kind: 'vote_close',
      title: 'Vote on #4 closes',
      detail: 'epoch 7',
      at_height: 840,
    });
    expect(
      fromModuleDeadline({
        module: 'governor',
        kind: 'governor_window',
        label: 'next gate evaluation',
        height: 300,
        at_ms: 9,
        id: 'governor:governor_window:1',
        recurring: true,
      }),
    ).toEqual({
      id: 'governor:governor_window:1',
      module: 'governor',
      kind: 'governor_window',
      title: 'next gate evaluation',
      at_height: 300,
      at_ms: 9,
      recurring: true,
    });
  });

  it('.ics: one VEVENT per deadline in UTC with a stable UID and an alarm; an empty inbox is a valid calendar', () => {
    const { text, events } = deadlinesToIcs(
      {
        height: 1,
        block_time_ms: 1000,
        now_ms: 0,
        deadlines: [
          {
            id: 'governor:window_closes:120',
            module: 'governor',
            kind: 'window_closes',
            title: 'Window closes',
            at_height: 121,
            blocks_left: 120,
            at_ms: Date.UTC(2026, 11, 6, 22, 0, 0),
          },
        ],
      },
      'dev',
    );
    expect(events).toBe(1);
    expect(text).toContain('BEGIN:VCALENDAR');
    expect(text).toContain('DTSTART:20261206T220000Z');
    expect(text).toContain('UID:governor:window_closes:120@dev.the-block');
    expect(text).toContain('SUMMARY:[dev] Window closes');
    expect(text).toContain('BEGIN:VALARM');
    expect(deadlinesToIcs({ height: 1, block_time_ms: 1000, now_ms: 0, deadlines: [] }, 'dev')).toMatchObject(
      { events: 0, text: expect.stringContaining('END:VCALENDAR') },
    );
  });
});
