/** In-app notifications of governor gate transitions (bottom right, auto-dismissed after 10 s). */
import { useEffect } from 'react';
import { useGovernorUi, type GateToast } from './store';
import { useUi } from '../store/ui';

function Toast({ t }: { t: GateToast }) {
  const dismiss = useGovernorUi((s) => s.dismiss);
  const setPage = useUi((s) => s.setPage);
  const select = useGovernorUi((s) => s.select);
  useEffect(() => {
    const timer = setTimeout(() => dismiss(t.key), 10_000);
    return () => clearTimeout(timer);
  }, [t.key, dismiss]);
  return (
    <div className="toast" role="status" data-testid="governor-toast" data-gate={t.gate}>
      <div className="toast__title">
        Gate <b>{t.gate}</b>: {t.from} → {t.to}
      </div>
      <div className="toast__text">
        Decided in epoch {t.epoch}; takes effect at epoch {t.epoch_apply}.
      </div>
      <div className="toast__actions">
        <button
          className="btn btn--ghost"
          onClick={() => {
            setPage('governor');
            select(t.intent_id);
            dismiss(t.key);
          }}
        >
          Show decision
        </button>
        <button className="btn btn--ghost" onClick={() => dismiss(t.key)} aria-label="Dismiss">
          Dismiss
        </button>
      </div>
    </div>
  );
}

export function GovernorToasts() {
  const toasts = useGovernorUi((s) => s.toasts);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <Toast key={t.key} t={t} />
      ))}
    </div>
  );
}
