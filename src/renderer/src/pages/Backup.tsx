/**
 * Backup & Restore: the backup wizard and the restore wizard (src/renderer/src/backup/), the
 * restores recorded in this data directory, and where scheduled backups are set (Settings).
 */
import { useState } from 'react';
import { rpc } from '../api/hooks';
import { BackupWizard } from '../backup/BackupWizard';
import { RestoreWizard } from '../backup/RestoreWizard';
import { Card } from '../components/Card';
import { fmtDuration } from '../format';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import '../backup/backup.css';

/** The page's icon in the navigation (pages/registry.tsx). */

function History() {
  const on = useLive((s) => s.connection) === 'open';
  const st = rpc['snapshots.restore_status'].useQuery(undefined, { enabled: on });
  const h = st.data?.history ?? [];
  if (h.length === 0) return <p className="muted small">No restore has been made into this data directory.</p>;
  return (
    <ul className="bk-history" data-testid="restore-history">
      {h.slice(0, 5).map((r) => (
        <li key={r.at_ms} data-outcome={r.outcome}>
          <span className={`pill ${r.outcome === 'completed' ? 'pill--ok' : 'pill--bad'}`}>{r.outcome.replace('_', ' ')}</span>{' '}
          <span className="muted small">{new Date(r.at_ms).toLocaleString('en-GB')}</span> {r.message}
          {r.duration_ms !== undefined && <span className="muted small"> ({fmtDuration(r.duration_ms)})</span>}
        </li>
      ))}
    </ul>
  );
}

export function Backup() {
  const [tab, setTab] = useState<'backup' | 'restore'>('backup');
  const setPage = useUi((s) => s.setPage);
  return (
    <div className="page" data-testid="page-backup">
      <div className="bk-tabs" role="tablist">
        <button role="tab" aria-selected={tab === 'backup'} className={`bk-tab ${tab === 'backup' ? 'bk-tab--on' : ''}`} onClick={() => setTab('backup')} data-testid="tab-backup">
          Back up
        </button>
        <button role="tab" aria-selected={tab === 'restore'} className={`bk-tab ${tab === 'restore' ? 'bk-tab--on' : ''}`} onClick={() => setTab('restore')} data-testid="tab-restore">
          Restore
        </button>
        <span className="toolbar__spacer" />
        <button className="btn btn--ghost" onClick={() => setPage('settings')} data-testid="goto-schedule">
          Scheduled backups…
        </button>
      </div>
      {tab === 'backup' ? (
        <Card title="Back up this node" testId="backup-card">
          <BackupWizard />
        </Card>
      ) : (
        <Card title="Restore a snapshot" testId="restore-card">
          <RestoreWizard />
        </Card>
      )}
      <Card title="Restores into this data directory" testId="history-card">
        <History />
      </Card>
    </div>
  );
}
