// node.deadlines: sources merged soonest first with blocks left and wall-time estimates, passed
// deadlines dropped, a failing source skipped; the governor's share (window end with a stable id
// before the first tick, pending decisions at epoch_apply × 120); the .ics export.
import { describe, expect, it } from 'vitest';
import { collectDeadlines } from '../../../src/node-core/deadlines.js';
import { governorDeadlines } from '../../../src/node-core/governor/deadlines.js';
import { deadlinesToIcs } from '../../../src/host/desktop/ics-export.js';

const status = (o: Record<string, unknown> = {}) =>
  ({ height: 250, window_secs: 120, shadow_only: true, last_tick_ms: null, pending: [], ...o }) as any;

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

  it('governor: the window end keeps its id until the first tick; pending decisions at epoch_apply × 120', () => {
    const g = { status: () => status() };
    let t = 1_000_000;
    const first = governorDeadlines(g, 1000, () => t)[0];
    t += 30_000;
    const later = governorDeadlines(g, 1000, () => t)[0];
    expect(later.id).toBe(first.id);
    expect(later.at_ms).toBe(first.at_ms);
    expect(later.at_height).toBe(250 + 90);
    const ticked = {
      status: () =>
        status({
          last_tick_ms: 2_000_000,
          pending: [
            {
              id: 'energy-3-0',
              gate: 'energy',
              from_state: 'inactive',
              to_state: 'rehearsal',
              epoch_apply: 4,
              state: 'shadow',
              reason: 'inputs ok',
            },
          ],
        }),
    };
    const d = governorDeadlines(ticked, 1000, () => 2_050_000);
    expect(d[0]).toMatchObject({ kind: 'window_closes', recurring: true, at_ms: 2_120_000, at_height: 250 + 70 });
    expect(d[1]).toMatchObject({
      id: 'governor:intent_applies:energy-3-0',
      at_height: 480,
      title: 'Governor: energy inactive → rehearsal takes effect',
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
