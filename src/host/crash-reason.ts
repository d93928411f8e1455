/** Turns a node process exit into the one-line reason the console shows (Daedalus-style "crashed: why"). */
import type { PhaseInfo } from '../shared/api/types.js';
import type { ChildExit } from './launcher.js';

/** One line of child output, with the stream it came from. */
export interface OutputLine {
  text: string;
  stream: 'stdout' | 'stderr';
}

/** pino level numbers (https://getpino.io/#/docs/api?id=levels): 50 error, 60 fatal. */
const PINO_ERROR = 50;

/**
 * Reason text for an unexpected exit: the signal or exit code, then the best explanation found —
 * the message of the node's `exit` lifecycle message, else the reason of a `failed` phase it reported; for a non-signal exit, else the message of its
 * last error/fatal log line (pino JSON), else its last meaningful stderr line (skipping stack
 * frames and Node's version footer). Lines are untrusted text; callers render them as text.
 */
export function crashReason(e: ChildExit, lines: OutputLine[], lastPhase: PhaseInfo | null, exitMessage?: string): string {
  const head = e.signal ? `killed by ${e.signal}` : `exited with code ${e.code ?? 'unknown'}`;
  let detail = exitMessage || (lastPhase?.phase === 'failed' && lastPhase.reason ? lastPhase.reason : undefined);
  if (!detail && !e.signal) detail = lastErrorLog(lines) ?? lastStderrMessage(lines);
  return detail ? `${head}: ${detail.slice(0, 500)}` : head;
}

function lastErrorLog(lines: OutputLine[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const t = lines[i].text.trim();
    if (!t.startsWith('{')) continue;
    try {
      const j = JSON.parse(t) as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
      if (typeof j.level !== 'number' || j.level < PINO_ERROR) continue;
      const msg = typeof j.msg === 'string' ? j.msg : '';
      const err = typeof j.err?.message === 'string' ? j.err.message : '';
      const out = msg && err && !msg.includes(err) ? `${msg}: ${err}` : msg || err;
      if (out) return out;
    } catch {
      // not a log line
    }
  }
  return undefined;
}

const NOISE = [/^at\s/, /^Node\.js v\d/, /^\^+$/, /^\{/, /^}$/];

function lastStderrMessage(lines: OutputLine[]): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i].stream !== 'stderr') continue;
    const t = lines[i].text.trim();
    if (t && !NOISE.some((re) => re.test(t))) return t;
  }
  return undefined;
}
