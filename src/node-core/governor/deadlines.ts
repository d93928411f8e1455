/**
 * The governor's share of the deadline inbox: the end of the current sampling window (when the
 * gates are next evaluated) and every pending decision's `epoch_apply` (the height it takes
 * effect: epoch × 120 blocks, spec/governor.md §3).
 */
import { EPOCH_BLOCKS } from '../chain/block.js';
import type { DeadlineItem } from '../deadlines.js';
import type { Governor } from './service.js';

/** First time each governor was asked, while it has not ticked yet. */
const firstSeen = new WeakMap<object, number>();

/** @param blockTimeMs block interval, to turn the window's wall time into a height. */
export function governorDeadlines(
  g: Pick<Governor, 'status'>,
  blockTimeMs: number,
  now: () => number = Date.now,
): DeadlineItem[] {
  const s = g.status();
  const out: DeadlineItem[] = [];
  const t = now();
  const windowMs = s.window_secs * 1000;
  // Windows follow the governor's timer from its first tick; before it, from the first time we
  // were asked (so the deadline — and its id — stays put instead of sliding with the clock).
  let anchor = s.last_tick_ms;
  if (anchor === null) {
    if (!firstSeen.has(g)) firstSeen.set(g, t);
    anchor = firstSeen.get(g)!;
  }
  let end = anchor + windowMs;
  while (end < t) end += windowMs;
  out.push({
    id: `governor:window_closes:${Math.round(end / 1000)}`,
    module: 'governor',
    kind: 'window_closes',
    title: 'Governor window closes — gates are evaluated',
    detail: `sampling window ${s.window_secs} s${s.shadow_only ? ' (shadow mode: decisions are recorded, not submitted)' : ''}`,
    at_height: s.height + Math.max(1, Math.ceil((end - t) / blockTimeMs)),
    at_ms: end,
    recurring: true,
  });
  for (const p of s.pending) {
    out.push({
      id: `governor:intent_applies:${p.id}`,
      module: 'governor',
      kind: 'intent_applies',
      title: `Governor: ${p.gate} ${p.from_state} → ${p.to_state} takes effect`,
      detail: `${p.state === 'shadow' ? 'shadow decision (not submitted)' : 'pending decision'} ${p.id}, epoch ${p.epoch_apply}: ${p.reason}`,
      at_height: p.epoch_apply * EPOCH_BLOCKS,
    });
  }
  return out;
}
