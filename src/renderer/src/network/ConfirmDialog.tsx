/** A modal confirmation: what will happen, Cancel / the action (Escape cancels). */
import { useEffect, type ReactNode } from 'react';

export function ConfirmDialog({ title, children, action, onConfirm, onCancel, busy, testId }: { title: string; children: ReactNode; action: string; onConfirm(): void; onCancel(): void; busy?: boolean; testId: string }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onCancel]);
  return (
    <div className="dialog-layer">
      <div className="dialog-scrim" onClick={onCancel} />
      <div className="dialog" role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <h2 className="dialog__title">{title}</h2>
        <div className="dialog__body">{children}</div>
        <div className="row-actions">
          <button className="btn btn--ghost" onClick={onCancel} data-testid={`${testId}-cancel`}>
            Cancel
          </button>
          <button className="btn btn--primary" onClick={onConfirm} disabled={busy} data-testid={`${testId}-ok`} autoFocus>
            {action}
          </button>
        </div>
      </div>
    </div>
  );
}
