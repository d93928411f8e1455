/**
 * The deadline inbox as iCalendar (RFC 5545) through the `ics` library: one event per deadline
 * at its estimated wall time (UTC), 10 minutes long, with an alarm 15 minutes before; the UID is
 * the deadline id, so re-importing updates events instead of duplicating them.
 */
import { createEvents, type EventAttributes } from 'ics';
import type { DeadlinesResult } from '../../shared/api/deadlines.js';

/** @throws Error when the library rejects an event (it validates every field). */
export function deadlinesToIcs(r: DeadlinesResult, network: string): { text: string; events: number } {
  if (r.deadlines.length === 0) {
    // The library refuses an empty list; an empty calendar is still a valid answer.
    return {
      text: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:the-block-console\r\nCALSCALE:GREGORIAN\r\nEND:VCALENDAR\r\n',
      events: 0,
    };
  }
  const events: EventAttributes[] = r.deadlines.map((d) => ({
    uid: `${d.id.replace(/[^A-Za-z0-9._:-]/g, '_')}@${network}.the-block`,
    start: Math.round(d.at_ms),
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: 10 },
    title: `[${network}] ${d.title}`,
    description:
      `${d.detail ?? ''}\nModule: ${d.module} (${d.kind})\nAt height ${d.at_height}; ${d.blocks_left} blocks after height ${r.height} at ${r.block_time_ms} ms per block (wall time is an estimate).`.trim(),
    categories: ['The Block', d.module],
    alarms: [{ action: 'display', description: d.title, trigger: { minutes: 15, before: true } }],
    productId: 'the-block-console',
    calName: `The Block (${network}) deadlines`,
  }));
  const out = createEvents(events);
  if (out.error || !out.value) throw out.error ?? new Error('calendar export failed');
  return { text: out.value, events: events.length };
}
