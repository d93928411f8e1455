/** One status for the header from the connection, the supervisor and the node phase (Daedalus-style states). */
import type { SupervisorState } from '../../../shared/api/app';
import type { ConnectionState } from '../transport';

export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

export interface Status {
  /** Short label shown in the badge: a node phase name or a supervisor/connection state. */
  label: string;
  tone: Tone;
  /** Longer explanation (failed reason, restart countdown, …). */
  detail?: string;
}

export function describeStatus(conn: ConnectionState, sup: SupervisorState | null, now = Date.now()): Status {
  if (conn === 'no_token') return { label: 'no token', tone: 'bad', detail: 'open the URL printed by the console (…/#token=…)' };
  if (conn === 'refused') return { label: 'token refused', tone: 'bad', detail: 'the console restarted or the URL is wrong: open the URL it printed' };
  if (conn !== 'open' || !sup) return { label: 'connecting', tone: 'warn', detail: 'connecting to the console' };
  switch (sup.state) {
    case 'starting':
      return { label: 'starting', tone: 'warn', detail: 'node process started' };
    case 'backoff': {
      const s = Math.max(0, Math.ceil(((sup.next_restart_at_ms ?? now) - now) / 1000));
      return { label: 'crashed', tone: 'bad', detail: `restarting in ${s} s` };
    }
    case 'crash_loop':
      return { label: 'crashed', tone: 'bad', detail: '3 crashes within a minute — automatic restarts stopped' };
    case 'start_failed':
      return { label: 'start failed', tone: 'bad', detail: sup.start_error ?? 'the node could not start' };
    case 'stopping':
      return { label: 'stopping', tone: 'warn', detail: 'stopping the node in order' };
    case 'stopped':
      return { label: 'stopped', tone: 'idle' };
    case 'running': {
      const p = sup.node_phase;
      if (!p) return { label: 'starting', tone: 'warn' };
      const tone: Tone = p.phase === 'ready' ? 'ok' : p.phase === 'failed' ? 'bad' : p.phase === 'stopped' ? 'idle' : 'warn';
      const progress = p.progress !== undefined ? `${Math.round(p.progress * 100)} %` : undefined;
      return { label: p.phase, tone, detail: p.reason ?? progress };
    }
  }
}
