/** The node status pill shown in the header of every page. */
import { useEffect, useState } from 'react';
import { useLive } from '../store/live';
import { describeStatus } from './status';

export function PhaseBadge() {
  const sup = useLive((s) => s.supervisor);
  const conn = useLive((s) => s.connection);
  // Re-render each second while a restart countdown runs. The clock is read at every render (not
  // kept from the first one): a countdown computed against a stale "now" read "restarting in 501 s".
  const [, setTick] = useState(0);
  useEffect(() => {
    if (sup?.state !== 'backoff') return;
    const t = setInterval(() => setTick((n) => n + 1), 250);
    return () => clearInterval(t);
  }, [sup?.state]);
  const st = describeStatus(conn, sup, Date.now());
  return (
    <div className={`phase phase--${st.tone}`} title={st.detail}>
      <span className="phase__dot" aria-hidden />
      <span className="phase__label" data-testid="node-phase">
        {st.label}
      </span>
      {st.detail && (
        <span className="phase__detail" data-testid="node-phase-detail">
          {st.detail}
        </span>
      )}
    </div>
  );
}
