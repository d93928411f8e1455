/**
 * Live data of Backup & Restore: job progress, the console's restore and scheduled-backup results
 * arrive as events (never polled); finished jobs and restores refresh the affected queries.
 */
import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { bridge } from '../api/client';
import { useBackup } from './store';

/** Mount once at the app root. */
export function useBackupLive(): void {
  const qc = useQueryClient();
  useEffect(() => {
    const st = useBackup.getState();
    const offs = [
      bridge.tb.subscribe('snapshots.progress', (j) => {
        st.onJob(j);
        if (j.state !== 'running') {
          void qc.invalidateQueries({ queryKey: ['snapshots.list'] });
          void qc.invalidateQueries({ queryKey: ['snapshots.subsystems'] });
        }
      }),
      bridge.tb.subscribe('snapshots.scheduled', (r) => {
        st.onScheduled(r);
        void qc.invalidateQueries({ queryKey: ['snapshots.schedule_get'] });
      }),
      bridge.tb.subscribe('app.restore', (p) => {
        st.onRestore(p);
        if (p.state !== 'running') void qc.invalidateQueries({ queryKey: ['snapshots.restore_status'] });
      }),
    ];
    return () => offs.forEach((off) => off());
  }, [qc]);
}
