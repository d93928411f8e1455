/**
 * Notices of the node that did not stop it (`node.notice`): e.g. a damaged backup schedule or peer
 * list moved aside and recreated empty. Shown as warning banners until dismissed (they may mean
 * lost settings); the node replays its recent notices on subscribe, so a notice emitted during
 * start is shown too, once (deduplicated by time, kind and path). Text is rendered as text.
 */
import { useEffect, useState } from 'react';
import type { NodeNotice } from '../../../shared/api/types';
import { bridge } from '../api/client';
import { fmtClock } from '../format';

const keyOf = (n: NodeNotice) => `${n.at_ms}|${n.kind}|${n.path ?? ''}`;

export function NodeNotices() {
  const [notices, setNotices] = useState<NodeNotice[]>([]);
  const [dismissed, setDismissed] = useState<Set<string>>(() => new Set());
  useEffect(
    () =>
      bridge.tb.subscribe('node.notice', (n) =>
        setNotices((old) => (old.some((o) => keyOf(o) === keyOf(n)) ? old : [...old, n].slice(-20))),
      ),
    [],
  );
  const shown = notices.filter((n) => !dismissed.has(keyOf(n)));
  if (shown.length === 0) return null;
  return (
    <>
      {shown.map((n) => (
        <div key={keyOf(n)} className={`banner ${n.level === 'error' ? 'banner--bad' : 'banner--warn'}`} role="status" data-testid="node-notice" data-kind={n.kind}>
          <div className="banner__main">
            <strong className="banner__title">{n.kind === 'store_quarantined' ? `Damaged ${n.store ?? 'store'} moved aside` : 'Node notice'}</strong>
            <span className="banner__text" data-testid="node-notice-text">
              at {fmtClock(n.at_ms)}: {n.message}
            </span>
          </div>
          <div className="banner__actions">
            <button className="btn btn--ghost" data-testid="node-notice-dismiss" onClick={() => setDismissed(new Set([...dismissed, keyOf(n)]))}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </>
  );
}
