/**
 * Live log tail (zustand): a ring of the last {@link MAX_LINES} node log lines, the level filter,
 * the text search, and the pause state (scrolling up freezes the view; new lines are counted
 * until "resume").
 */
import { create } from 'zustand';
import type { LogLine } from '../../../shared/api/types';

export const MAX_LINES = 1000;

/** A log line as kept for display: structured fields flattened once to `key=value` text (small, and what search reads). */
export interface LogEntry {
  /** Local sequence number (React key). */
  seq: number;
  level: number;
  time: number;
  msg: string;
  fields: string;
}

export type LevelFilter = 'all' | 'debug' | 'info' | 'warn' | 'error';
/** Minimum pino level per filter (https://getpino.io/#/docs/api?id=levels). */
export const MIN_LEVEL: Record<LevelFilter, number> = { all: 0, debug: 20, info: 30, warn: 40, error: 50 };

interface LogsState {
  lines: LogEntry[];
  /** The view shown while paused (null = following live). */
  frozen: LogEntry[] | null;
  /** Lines that arrived since the pause. */
  missed: number;
  level: LevelFilter;
  search: string;
  add(l: LogLine): void;
  pause(): void;
  resume(): void;
  setLevel(l: LevelFilter): void;
  setSearch(s: string): void;
}

let seq = 0;

export const useLogs = create<LogsState>((set) => ({
  lines: [],
  frozen: null,
  missed: 0,
  level: 'all',
  search: '',
  add: (l) =>
    set((s) => {
      const lines = s.lines.length >= MAX_LINES ? s.lines.slice(s.lines.length - MAX_LINES + 1) : s.lines.slice();
      lines.push({ seq: ++seq, level: l.level, time: l.time, msg: l.msg, fields: fieldsText(l) });
      return { lines, missed: s.frozen ? s.missed + 1 : 0 };
    }),
  pause: () => set((s) => (s.frozen ? s : { frozen: s.lines, missed: 0 })),
  resume: () => set({ frozen: null, missed: 0 }),
  setLevel: (level) => set({ level }),
  setSearch: (search) => set({ search }),
}));

/** Lines passing the level filter and the case-insensitive search (over message and fields). */
export function filterLogs(lines: readonly LogEntry[], level: LevelFilter, search: string): LogEntry[] {
  const min = MIN_LEVEL[level];
  const q = search.trim().toLowerCase();
  return lines.filter((l) => l.level >= min && (!q || l.msg.toLowerCase().includes(q) || l.fields.toLowerCase().includes(q)));
}

/** `key=value` text of a line's structured fields (values JSON-encoded unless plain). */
export function fieldsText(l: LogLine): string {
  if (!l.fields) return '';
  return Object.entries(l.fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)}`)
    .join(' ');
}
