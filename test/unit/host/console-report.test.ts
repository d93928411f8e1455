import { describe, expect, it } from 'vitest';
import { reportState } from '../../../src/host/console-main.js';
import type { SupervisorState } from '../../../src/shared/api/app.js';

const base: SupervisorState = { state: 'running', launcher: 'fork', pid: 42, node_phase: null, restarts: 0, last_crash: null, crash_loop: false };
const why = 'port 18545 is already in use (127.0.0.1:18545); change it with --rpc-addr / TB_RPC_ADDR';

describe('the terminal lines of console server mode', () => {
  it('says a failed start once, with what to do next (the failed phase and the exit carry the same reason)', () => {
    const lines: string[] = [];
    const report = reportState((l) => lines.push(l));
    report({ ...base, node_phase: { phase: 'opening_db' } });
    report({ ...base, node_phase: { phase: 'failed', reason: why } });
    report({ ...base, state: 'start_failed', pid: undefined, node_phase: { phase: 'failed', reason: why }, start_error: why });
    expect(lines).toEqual(['node opening_db (pid 42)', `node could not start: ${why} — fix it, then use "Retry" in the console`]);
  });

  it('prints a change once: repeated states are one line', () => {
    const lines: string[] = [];
    const report = reportState((l) => lines.push(l));
    report({ ...base, node_phase: { phase: 'ready' } });
    report({ ...base, node_phase: { phase: 'ready' } });
    report({ ...base, state: 'stopping' });
    expect(lines).toEqual(['node ready (pid 42)', 'node stopping']);
  });
});
