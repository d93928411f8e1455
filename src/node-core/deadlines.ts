/**
 * `node.deadlines` (src/shared/api/deadlines.ts): one list of what is about to happen across the
 * node's modules — each NodeModule's `deadlines()` (modules/types.ts, mapped by
 * {@link fromModuleDeadline}) is a {@link DeadlineSource}; this file only merges them,
 * fills `blocks_left` / `at_ms` from the head and the block time, drops what has passed and sorts
 * soonest first. A source that throws is skipped (the inbox shows the others).
 */
import type { Deadline, DeadlinesResult } from '../shared/api/deadlines.js';
import { EPOCH_BLOCKS } from './chain/block.js';
import type { Deadline as ModuleDeadline } from './modules/index.js';
import type { HandlerMap } from './rpc/types.js';

/** What a module says about one deadline; `at_ms` only when the module has its own clock (e.g. a timer), else it is estimated from the height. */
export interface DeadlineItem {
  id: string;
  module: string;
  kind: string;
  title: string;
  detail?: string;
  at_height: number;
  at_ms?: number;
  recurring?: boolean;
}

/** A module's deadline (modules/types.ts `deadlines()`) as an inbox item: height from the epoch when only that is known. */
export function fromModuleDeadline(d: ModuleDeadline): DeadlineItem {
  const at_height = d.height ?? (d.epoch ?? 0) * EPOCH_BLOCKS;
  return {
    id: d.id ?? `${d.module}:${d.kind}:${at_height}`,
    module: d.module,
    kind: d.kind,
    title: d.label,
    ...(d.epoch !== undefined ? { detail: `epoch ${d.epoch}` } : {}),
    at_height,
    ...(d.at_ms !== undefined ? { at_ms: d.at_ms } : {}),
    ...(d.recurring ? { recurring: true } : {}),
  };
}

/** A module's contribution (sync or async). */
export type DeadlineSource = () => DeadlineItem[] | Promise<DeadlineItem[]>;

export interface DeadlineOptions {
  /** Head height. */
  height: () => number;
  /** Block interval (ms). */
  blockTimeMs: number;
  sources: () => DeadlineSource[];
  now?: () => number;
}

/** Merges the sources into the `node.deadlines` answer. */
export async function collectDeadlines(o: DeadlineOptions): Promise<DeadlinesResult> {
  const now = (o.now ?? Date.now)();
  const height = o.height();
  const all: Deadline[] = [];
  for (const src of o.sources()) {
    let items: DeadlineItem[];
    try {
      items = await src();
    } catch {
      continue;
    }
    for (const d of items) {
      const blocks_left = Math.max(0, d.at_height - height);
      if (d.at_height < height) continue;
      all.push({ ...d, blocks_left, at_ms: d.at_ms ?? now + blocks_left * o.blockTimeMs });
    }
  }
  all.sort((a, b) => a.at_height - b.at_height || a.at_ms - b.at_ms || a.id.localeCompare(b.id));
  return { height, block_time_ms: o.blockTimeMs, now_ms: now, deadlines: all };
}

/** The `node.deadlines` handler. */
export function deadlineHandlers(o: DeadlineOptions): HandlerMap {
  return { 'node.deadlines': () => collectDeadlines(o) };
}
