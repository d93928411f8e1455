/**
 * Raw node output (pino JSON lines from `logs/node.log` or the process's last words) as the text an
 * operator reads: "HH:MM:SS.mmm level message key=value …". Lines that are not pino JSON are kept
 * as they are. "Open logs" and "Last output" showed the raw JSON (#19).
 */
import { fmtClock } from '../format';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** pino's own bookkeeping fields, not shown. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'v']);

/** One raw line → readable text (never throws). */
export function fmtRawLogLine(raw: string): string {
  const t = raw.trim();
  if (!t.startsWith('{')) return raw;
  let o: unknown;
  try {
    o = JSON.parse(t);
  } catch {
    return raw;
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return raw;
  const r = o as Record<string, unknown>;
  if (typeof r.msg !== 'string' && typeof r.level !== 'number') return raw;
  const time = typeof r.time === 'number' ? fmtClock(r.time) : '';
  const level = typeof r.level === 'number' ? (LEVELS[r.level] ?? String(r.level)) : '';
  const fields = Object.entries(r)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)}`);
  return [time, level.padEnd(5), typeof r.msg === 'string' ? r.msg : '', ...fields].filter((x) => x !== '').join(' ');
}
