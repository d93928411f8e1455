/**
 * Snapshot jobs running on the node, wherever they were started (this wizard, the CLI, JSON-RPC,
 * the scheduler), each with a Cancel button: a job started elsewhere used to be invisible here,
 * and every later backup was refused "busy" with no way out but a node restart (operator finding F1).
 * Seeded from `snapshots.jobs`, kept current by `snapshots.progress` (backup/store.ts).
 */
import { useState } from 'react';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { fmtBytes } from '../format';
import { useLive } from '../store/live';
import { useBackup } from './store';

/** @param except the job this wizard started itself (shown by the wizard's own progress step). */
export function RunningJobs({ except }: { except?: string }) {
  const on = useLive((s) => s.connection) === 'open';
  const listed = rpc['snapshots.jobs'].useQuery(undefined, { enabled: on, refetchOnMount: 'always' });
  const live = useBackup((s) => s.jobs);
  const [error, setError] = useState<unknown>();
  const [asked, setAsked] = useState<Record<string, boolean>>({});
  const jobs = new Map((listed.data ?? []).map((j) => [j.job_id, j]));
  for (const j of Object.values(live)) jobs.set(j.job_id, j);
  const running = [...jobs.values()].filter((j) => j.state === 'running' && j.job_id !== except);
  if (running.length === 0) return null;
  const cancel = async (id: string) => {
    setError(undefined);
    setAsked((a) => ({ ...a, [id]: true }));
    try {
      await call('snapshots.cancel', { job_id: id });
      void listed.refetch();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="bk-running" data-testid="running-jobs">
      {running.map((j) => (
        <div key={j.job_id} className="bk-running__job" data-testid="running-job">
          <span>
            Running: {j.kind === 'create' ? 'backup into' : 'verification of'} <code className="mono">{j.path}</code> — {j.phase}
            {j.bytes_total > 0 ? `, ${fmtBytes(j.bytes_done)} of ${fmtBytes(j.bytes_total)}` : ''}. Other backups wait until it ends.
          </span>
          <button className="btn btn--ghost" disabled={asked[j.job_id]} onClick={() => void cancel(j.job_id)} data-testid="running-job-cancel">
            {asked[j.job_id] ? 'Cancelling…' : 'Cancel'}
          </button>
        </div>
      ))}
      <ErrorNote error={error} />
    </div>
  );
}
