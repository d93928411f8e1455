/**
 * Backup wizard: destination (folder dialog or checked path) → what to include (the backup table's
 * subsystems with their sizes; free space checked against the selection) → review → the snapshot
 * job with a progress bar (bytes, files, ETA) → its id, size and checksum, and "Verify now".
 */
import { useEffect, useMemo, useState } from 'react';
import type { SnapshotFormat, SnapshotJob } from '../../../shared/api/snapshots';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { fmtBytes, fmtDuration, fmtInt } from '../format';
import { useLive } from '../store/live';
import { FolderField, useFreeSpace } from './FolderField';
import { ProgressBar, Steps } from './ProgressBar';
import { RunningJobs } from './RunningJobs';
import { backupsBeside, useBackup } from './store';

const STEPS = ['Destination', 'Include', 'Review', 'Back up', 'Done'];
/** Room kept free beyond the data (the node's own pre-check uses the same margin). */
const MARGIN = 16 * 1024 * 1024;

function JobError({ job }: { job: SnapshotJob }) {
  if (!job.error) return null;
  return (
    <div className="error-note" role="alert" data-testid="backup-error">
      <div className="error-note__msg">
        {job.state === 'cancelled' ? 'Cancelled: ' : 'The backup failed: '}
        {job.error.message}
        <code className="error-note__reason">{job.error.reason}</code>
      </div>
    </div>
  );
}

function VerifyPanel({ path }: { path: string }) {
  const [jobId, setJobId] = useState<string>();
  const [error, setError] = useState<unknown>();
  const job = useBackup((s) => (jobId ? s.jobs[jobId] : undefined));
  const start = async () => {
    setError(undefined);
    try {
      setJobId((await call('snapshots.verify', { path })).job_id);
    } catch (e) {
      setError(e);
    }
  };
  return (
    <div className="bk-verify" data-testid="verify-panel">
      {!jobId && (
        <button className="btn" onClick={start} data-testid="verify-now">
          Verify now
        </button>
      )}
      {job?.state === 'running' && <ProgressBar p={job} testId="verify-progress" />}
      {job?.verify && (
        <div className={`bk-result ${job.verify.ok ? 'bk-result--ok' : 'bk-result--bad'}`} data-testid="verify-result" data-ok={String(job.verify.ok)}>
          <strong>{job.verify.ok ? 'Verified' : 'Verification failed'}</strong> {job.verify.message}
        </div>
      )}
      {job?.error && <div className="field__error">{job.error.message}</div>}
      <ErrorNote error={error} />
    </div>
  );
}

export function BackupWizard() {
  const on = useLive((s) => s.connection) === 'open';
  const folder = useBackup((s) => s.folder);
  const setFolder = useBackup((s) => s.setFolder);
  const [step, setStep] = useState(0);
  const [dest, setDest] = useState(folder);
  // First backup: propose `<folder of the data roots>/backups` (beside the data, outside it), so
  // a backup takes clicks only (#19); the operator can type another.
  const st = rpc['node.status'].useQuery(undefined, { enabled: on });
  useEffect(() => {
    const d = st.data?.data_dir;
    if (!dest && d) setDest(backupsBeside(d));
  }, [st.data?.data_dir, dest]);
  const [format, setFormat] = useState<SnapshotFormat>('dir');
  // Sizes as of now, not of the first visit: asked again on mount and on entering the Include step
  // (the free-space check uses them, #19).
  const subs = rpc['snapshots.subsystems'].useQuery(undefined, { enabled: on, refetchOnMount: 'always' });
  const [picked, setPicked] = useState<Record<string, boolean>>({});
  const [jobId, setJobId] = useState<string>();
  const [startError, setStartError] = useState<unknown>();
  const job = useBackup((s) => (jobId ? s.jobs[jobId] : undefined));
  const space = useFreeSpace(dest);

  const list = subs.data?.subsystems ?? [];
  const included = (id: string) => {
    const s = list.find((x) => x.id === id);
    return !!s && (s.required || (picked[id] ?? s.default_included));
  };
  const selected = list.filter((s) => included(s.id));
  const total = useMemo(() => selected.reduce((n, s) => n + s.bytes, 0), [selected]);
  const destOk = !!space.data && !space.data.problem;
  const roomOk = !subs.isFetching && !!space.data && space.data.free_bytes >= total + MARGIN;

  const start = async () => {
    setStartError(undefined);
    try {
      const r = await call('snapshots.create', { path: dest, include: selected.map((s) => s.id), format, origin: 'console' });
      setFolder(dest);
      setJobId(r.job_id);
      setStep(3);
    } catch (e) {
      setStartError(e);
    }
  };
  const current = job && job.state !== 'running' ? 4 : step;
  const reset = () => {
    setJobId(undefined);
    setStep(0);
  };

  return (
    <div className="bk-wizard" data-testid="backup-wizard" data-step={STEPS[current]}>
      <RunningJobs except={jobId} />
      <Steps steps={STEPS} current={current} testId="backup-steps" />

      {current === 0 && (
        <div className="form">
          <FolderField value={dest} onChange={setDest} label="Destination folder" testId="backup-dest" title="Choose where to write the backup" />
          <div className="field">
            <span>Format</span>
            <div className="bk-choice">
              <label>
                <input type="radio" name="fmt" checked={format === 'dir'} onChange={() => setFormat('dir')} data-testid="format-dir" /> A folder (files as they are, plus manifest.json)
              </label>
              <label>
                <input type="radio" name="fmt" checked={format === 'tar'} onChange={() => setFormat('tar')} data-testid="format-tar" /> One .tar file
              </label>
            </div>
          </div>
          <div className="row-actions">
            <button className="btn btn--primary" disabled={!destOk} onClick={() => {
                void subs.refetch();
                setStep(1);
              }} data-testid="backup-next">
              Next
            </button>
          </div>
        </div>
      )}

      {current === 1 && (
        <div className="form">
          <table className="table" data-testid="include-table">
            <thead>
              <tr>
                <th />
                <th>Subsystem</th>
                <th>Where</th>
                <th className="num">Files</th>
                <th className="num">Size</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id} data-testid={`include-${s.id}`} className={s.present ? '' : 'muted'}>
                  <td>
                    <input
                      type="checkbox"
                      checked={included(s.id)}
                      disabled={s.required}
                      onChange={(e) => setPicked({ ...picked, [s.id]: e.target.checked })}
                      data-testid={`include-${s.id}-check`}
                      aria-label={`Include ${s.label}`}
                    />
                  </td>
                  <td>
                    {s.label}
                    {s.required && <span className="tag">always</span>}
                  </td>
                  <td className="muted small">{s.note}</td>
                  <td className="num">{fmtInt(s.files)}</td>
                  <td className="num">{s.present ? fmtBytes(s.bytes) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <ErrorNote error={subs.error} />
          <div className={`bk-space ${roomOk ? 'bk-space--ok' : 'bk-space--bad'}`} data-testid="space-check" data-ok={String(roomOk)}>
            Selected: <b>{fmtBytes(total)}</b> · free at the destination: <b>{fmtBytes(space.data?.free_bytes)}</b> —{' '}
            {roomOk ? 'enough space' : 'not enough space: free some, choose another folder, or include less'}
          </div>
          <div className="row-actions">
            <button className="btn btn--ghost" onClick={() => setStep(0)} data-testid="backup-back">
              Back
            </button>
            <button className="btn btn--primary" disabled={!roomOk} onClick={() => setStep(2)} data-testid="backup-next">
              Next
            </button>
          </div>
        </div>
      )}

      {current === 2 && (
        <div className="form">
          <dl className="kv" data-testid="backup-review">
            <div className="kv__row">
              <dt>Destination</dt>
              <dd className="mono">{space.data?.path ?? dest}</dd>
            </div>
            <div className="kv__row">
              <dt>Format</dt>
              <dd>{format === 'dir' ? 'folder' : 'one .tar file'}</dd>
            </div>
            <div className="kv__row">
              <dt>Includes</dt>
              <dd>{selected.map((s) => s.label).join(', ')}</dd>
            </div>
            <div className="kv__row">
              <dt>Size</dt>
              <dd>
                {fmtBytes(total)} · {fmtBytes(space.data?.free_bytes)} free
              </dd>
            </div>
          </dl>
          <p className="muted small">The node keeps running: the chain is copied from a consistent cut while blocks are produced. A partial backup is never left behind.</p>
          <ErrorNote error={startError} testId="backup-start-error" />
          <div className="row-actions">
            <button className="btn btn--ghost" onClick={() => setStep(1)} data-testid="backup-back">
              Back
            </button>
            <button className="btn btn--primary" onClick={start} data-testid="backup-start">
              Back up now
            </button>
          </div>
        </div>
      )}

      {current === 3 && (
        <div className="form">
          {job ? <ProgressBar p={job} testId="backup-progress" /> : <p className="muted">Starting…</p>}
          <div className="row-actions">
            <button className="btn btn--ghost" onClick={() => jobId && void call('snapshots.cancel', { job_id: jobId })} data-testid="backup-cancel">
              Cancel
            </button>
          </div>
        </div>
      )}

      {current === 4 && job && (
        <div className="form">
          {job.create ? (
            <>
              <div className="bk-result bk-result--ok" data-testid="backup-done">
                <strong>Backup complete.</strong> Record the checksum to check this backup later.
              </div>
              <dl className="kv" data-testid="backup-summary">
                <div className="kv__row">
                  <dt>Snapshot id</dt>
                  <dd className="mono" data-testid="backup-id">
                    {job.create.id}
                  </dd>
                </div>
                <div className="kv__row">
                  <dt>Where</dt>
                  <dd className="mono" data-testid="backup-path">
                    {job.create.path}
                  </dd>
                </div>
                <div className="kv__row">
                  <dt>Size</dt>
                  <dd data-testid="backup-size">
                    {fmtBytes(job.create.bytes)} in {fmtInt(job.create.files)} files · took {fmtDuration(job.create.duration_ms)}
                  </dd>
                </div>
                <div className="kv__row">
                  <dt>Height</dt>
                  <dd className="mono">
                    #{fmtInt(job.create.height)} · state root {job.create.state_root.slice(0, 16)}…
                  </dd>
                </div>
                <div className="kv__row">
                  <dt>Checksum</dt>
                  <dd className="mono bk-break" data-testid="backup-checksum">
                    {job.create.checksum}
                  </dd>
                </div>
              </dl>
              <VerifyPanel path={job.create.path} />
            </>
          ) : (
            <JobError job={job} />
          )}
          <div className="row-actions">
            <button className="btn" onClick={reset} data-testid="backup-again">
              {job.create ? 'New backup' : 'Back to the start'}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
