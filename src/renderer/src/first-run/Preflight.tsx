/** The preflight's checks as a list: status, what was found, what to do (src/host/preflight.ts). */
import type { PreflightCheck } from '../../../shared/api/app';

const MARK: Record<PreflightCheck['status'], string> = { ok: '✓', warn: '!', fail: '✗', pending: '…' };

export function PreflightList({ checks, freePorts, onFreePorts }: { checks: PreflightCheck[]; freePorts: boolean; onFreePorts(v: boolean): void }) {
  return (
    <ul className="preflight" data-testid="preflight">
      {checks.map((c) => {
        const solved = c.id === 'ports' && c.status === 'fail' && freePorts;
        const status = solved ? 'warn' : c.status;
        return (
          <li key={c.id} className={`preflight__item preflight__item--${status}`} data-testid={`preflight-${c.id}`} data-status={c.status}>
            <span className="preflight__mark" aria-hidden>
              {MARK[status]}
            </span>
            <div className="preflight__text">
              <div className="preflight__title">{c.title}</div>
              <div className="preflight__detail" data-testid={`preflight-${c.id}-detail`}>
                {c.detail}
              </div>
              {c.fix && c.status !== 'ok' && !solved && <div className="preflight__fix">What to do: {c.fix}</div>}
              {c.id === 'ports' && c.status === 'fail' && (
                <label className="check">
                  <input type="checkbox" checked={freePorts} onChange={(e) => onFreePorts(e.target.checked)} data-testid="first-run-free-ports" />
                  Let the node use free ports instead ({(c.busy_flags ?? []).join(', ')} → 127.0.0.1:0)
                </label>
              )}
            </div>
          </li>
        );
      })}
    </ul>
  );
}
