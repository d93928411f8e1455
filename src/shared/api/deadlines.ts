/**
 * The deadline inbox (issue 20): `node.deadlines` collects what is about to happen across the
 * node's modules — governor evaluation windows and decisions taking effect, and whatever other
 * modules contribute (proposal votes closing, timelocks, rollback windows, auction phases,
 * disputes) — each with its height and a wall-time estimate from the block time.
 */
import { z } from 'zod';
import { defineMethod } from './define.js';

export const Deadline = z.object({
  /** Stable id across calls (`<module>:<kind>:<key>`), used to notify once per deadline. */
  id: z.string(),
  /** Contributing module (`governor`, `treasury`, `energy`, `ad_market`, …). */
  module: z.string(),
  /** What happens, as the module names it (`governor_window`, `intent_apply`, `vote_close`, …). */
  kind: z.string(),
  title: z.string(),
  detail: z.string().optional(),
  /** Height at which it happens. */
  at_height: z.number().int(),
  /** Blocks left from the node's head (0 when due). */
  blocks_left: z.number().int(),
  /** Wall-clock estimate (ms since epoch): now + blocks_left × block time, or the module's own clock when it has one. */
  at_ms: z.number(),
  /** Comes back on a fixed period (the governor's evaluation window): listed and exported, not notified each time. */
  recurring: z.boolean().optional(),
});
export type Deadline = z.infer<typeof Deadline>;

export const DeadlinesResult = z.object({
  height: z.number().int(),
  block_time_ms: z.number().int(),
  now_ms: z.number(),
  /** Soonest first. */
  deadlines: z.array(Deadline),
});
export type DeadlinesResult = z.infer<typeof DeadlinesResult>;

export const nodeDeadlines = defineMethod({
  name: 'node.deadlines',
  summary:
    'Upcoming deadlines of every module (governor windows and decisions, votes, timelocks, auctions…), soonest first, with blocks left and a wall-time estimate.',
  params: z.object({}),
  order: [],
  result: DeadlinesResult,
  mutating: false,
  reasons: ['not_ready'],
});

export const DEADLINE_METHODS = [nodeDeadlines] as const;
