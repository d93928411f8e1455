/** The node status pill shown in the header of every page. */
import { useEffect, useState } from 'react';
import { useLive } from '../store/live';
import { describeStatus } from './status';

export function PhaseBadge() {
  const sup = useLive((s) => s.supervisor);
  const conn = useLive((s) => s.connection);
  // Re-render each second while a restart countdown runs.
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (sup?.state !== 'backoff') return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [sup?.state]);
  const st = describeStatus(conn, sup, now);
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
