/**
 * Notifications of Backup & Restore shown on every page: a scheduled backup that failed (until
 * dismissed; the Settings page keeps showing the last failure until a run succeeds), and a restore
 * that was interrupted and rolled back when the node started (until dismissed).
 */
import { rpc } from '../api/hooks';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import { useBackup } from './store';

export function RestoreNotice() {
  const on = useLive((s) => s.connection) === 'open';
  const ready = useLive((s) => s.supervisor?.node_phase?.phase === 'ready');
  const st = rpc['snapshots.restore_status'].useQuery(undefined, { enabled: on && ready });
  const dismissed = useBackup((s) => s.dismissedNotice);
  const dismiss = useBackup((s) => s.dismissNotice);
  const last = st.data?.last;
  if (!last || last.outcome !== 'rolled_back' || last.at_ms <= dismissed) return null;
  return (
    <div className="banner banner--warn" role="alert" data-testid="restore-rolled-back">
      <div className="banner__main">
        <strong className="banner__title">Restore rolled back</strong>
        <span className="banner__text">{last.message}</span>
      </div>
      <div className="banner__actions">
        <button className="btn btn--ghost" onClick={() => dismiss(last.at_ms)} data-testid="restore-notice-dismiss">
          Dismiss
        </button>
      </div>
    </div>
  );
}

export function BackupToasts() {
  const failures = useBackup((s) => s.failures);
  const dismiss = useBackup((s) => s.dismissFailure);
  const setPage = useUi((s) => s.setPage);
  if (failures.length === 0) return null;
  return (
    <div className="bk-toasts" aria-live="assertive">
      {failures.map((f) => (
        <div key={f.at_ms} className="bk-toast" role="alert" data-testid="backup-failed-toast">
          <div className="bk-toast__title">Scheduled backup failed</div>
          <div className="bk-toast__text">{f.error}</div>
          <div className="bk-toast__actions">
            <button
              className="btn btn--ghost"
              onClick={() => {
                setPage('settings');
                dismiss(f.at_ms);
              }}
              data-testid="backup-failed-open"
            >
              Open settings
            </button>
            <button className="btn btn--ghost" onClick={() => dismiss(f.at_ms)}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  );
}
