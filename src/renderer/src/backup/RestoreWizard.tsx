/**
 * Restore wizard: pick a snapshot → pre-checks (manifest, format and node version, network and
 * chain id, free space — from `snapshots.inspect` — and every checksum, from a `snapshots.verify`
 * job) → a summary of what is replaced and kept, with an explicit confirmation → the console stops
 * the node, restores into staging, verifies, swaps (old data kept as `<data dir>.pre-restore-…`),
 * restarts it (`app.restoreSnapshot`, phases on `app.restore`) → the node ready at the restored height.
 */
import { useEffect, useState } from 'react';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { fmtBytes, fmtInt } from '../format';
import { useLive } from '../store/live';
import { FolderField, snapshotPathProblem, useFreeSpace } from './FolderField';
import { phaseLabel, ProgressBar, Steps } from './ProgressBar';
import { backupsBeside, useBackup } from './store';

/** The free-space check's text counts raw bytes ("142620766 bytes needed … 82315620352 free"): every number in it is a byte count, shown in KiB/MiB/GiB. */
function humanBytes(detail: string): string {
  return detail.replace(/\b(\d+)(?: bytes)?\b/g, (_m, n: string) => fmtBytes(Number(n)));
}

const STEPS = ['Snapshot', 'Pre-checks', 'Confirm', 'Restore', 'Done'];
const RUN_PHASES = ['stopping_node', 'staging', 'verifying', 'swapping', 'starting_node', 'ready'];

function Pick({ onPick }: { onPick(path: string): void }) {
  const on = useLive((s) => s.connection) === 'open';
  const saved = useBackup((s) => s.folder);
  const [folder, setFolder] = useState(saved);
  // No backup folder used yet: propose where the Back up tab puts them (`<folder of the data roots>/backups`).
  // Proposed once: a field the operator empties stays empty.
  const st = rpc['node.status'].useQuery(undefined, { enabled: on });
  const [proposed, setProposed] = useState(!!saved);
  useEffect(() => {
    const d = st.data?.data_dir;
    if (proposed || !d) return;
    setProposed(true);
    setFolder(backupsBeside(d));
  }, [st.data?.data_dir, proposed]);
  const [chosen, setChosen] = useState('');
  // Listed once the folder is known to exist (a missing one reads "No such folder" under the field).
  const dir = useFreeSpace(folder).data;
  const list = rpc['snapshots.list'].useQuery({ path: folder }, { enabled: on && !snapshotPathProblem(folder) && !!dir?.exists && dir.is_dir });
  const snaps = list.data?.snapshots ?? [];
  const pathProblem = chosen.trim() ? snapshotPathProblem(chosen) : undefined;
  return (
    <div className="form">
      <FolderField
        value={folder}
        onChange={setFolder}
        label="Folder holding snapshots"
        testId="restore-folder"
        title="Choose the backup folder"
        purpose="source"
        found={list.data && dir?.exists ? snaps.length : undefined}
      />
      {snaps.length > 0 && (
        <table className="table" data-testid="snapshot-list">
          <thead>
            <tr>
              <th />
              <th>Snapshot</th>
              <th className="num">Height</th>
              <th>Created</th>
              <th className="num">Size</th>
              <th>Format</th>
            </tr>
          </thead>
          <tbody>
            {snaps.map((s) => (
              // The whole row picks the snapshot (the radio alone was a small target, #19).
              <tr key={s.path} data-testid={`snapshot-${s.id}`} className={`row--pick ${chosen === s.path ? 'row--picked' : ''}`} aria-selected={chosen === s.path} onClick={() => setChosen(s.path)}>
                <td>
                  <input type="radio" name="snap" checked={chosen === s.path} onChange={() => setChosen(s.path)} aria-label={`Choose ${s.id}`} data-testid={`pick-${s.id}`} />
                </td>
                <td className="mono">{s.id}</td>
                <td className="num">{fmtInt(s.height)}</td>
                <td>{new Date(s.created_at_ms).toLocaleString('en-GB')}</td>
                <td className="num">{fmtBytes(s.total_bytes)}</td>
                <td>{s.format}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && snaps.length === 0 && <p className="muted">No complete snapshots in this folder.</p>}
      {list.data?.invalid.map((i) => (
        <div key={i.path} className="field__error small">
          Not a usable snapshot: {i.path} — {i.problem}
        </div>
      ))}
      <ErrorNote error={list.error} />
      <label className="field">
        <span>…or the path of a snapshot (folder or .tar)</span>
        <input className="input mono" value={chosen} onChange={(e) => setChosen(e.target.value)} spellCheck={false} aria-invalid={!!pathProblem} data-testid="restore-path" />
        {pathProblem && (
          <span className="field__error small" data-testid="restore-path-problem">
            {pathProblem}
          </span>
        )}
      </label>
      <div className="row-actions">
        <button className="btn btn--primary" disabled={!chosen.trim() || !!pathProblem} onClick={() => onPick(chosen.trim())} data-testid="restore-next">
          Next
        </button>
      </div>
    </div>
  );
}

function Prechecks({ path, onBack, onNext }: { path: string; onBack(): void; onNext(): void }) {
  const plan = rpc['snapshots.inspect'].useQuery({ path });
  const [jobId, setJobId] = useState<string>();
  const [verifyError, setVerifyError] = useState<unknown>();
  const job = useBackup((s) => (jobId ? s.jobs[jobId] : undefined));
  useEffect(() => {
    let cancelled = false;
    call('snapshots.verify', { path })
      .then((r) => !cancelled && setJobId(r.job_id))
      .catch((e: unknown) => !cancelled && setVerifyError(e));
    return () => {
      cancelled = true;
    };
  }, [path]);
  const checksOk = job?.verify?.ok === true;
  const checks = plan.data?.checks ?? [];
  const allOk = !!plan.data?.ok && checksOk;
  return (
    <div className="form">
      <ul className="bk-checks" data-testid="prechecks">
        {checks.map((c) => {
          const isSums = c.id === 'checksums';
          const ok = isSums ? (job?.verify ? job.verify.ok : null) : c.ok;
          const detail = isSums ? (job?.verify?.message ?? (job ? 'hashing every file…' : 'starting…')) : c.id === 'free_space' ? humanBytes(c.detail) : c.detail;
          return (
            <li key={c.id} className={`bk-check bk-check--${ok === null ? 'wait' : ok ? 'ok' : 'bad'}`} data-testid={`check-${c.id}`} data-ok={ok === null ? 'pending' : String(ok)}>
              <span className="bk-check__mark" aria-hidden>
                {ok === null ? '…' : ok ? '✓' : '✗'}
              </span>
              <span className="bk-check__label">{c.label}</span>
              <span className="bk-check__detail">{detail}</span>
            </li>
          );
        })}
      </ul>
      {job?.state === 'running' && <ProgressBar p={job} testId="checksum-progress" />}
      <ErrorNote error={plan.error ?? verifyError} />
      <div className="row-actions">
        <button className="btn btn--ghost" onClick={onBack} data-testid="restore-back">
          Back
        </button>
        <button className="btn btn--primary" disabled={!allOk} onClick={onNext} data-testid="restore-next">
          Next
        </button>
      </div>
    </div>
  );
}

function Confirm({ path, onBack, onStarted }: { path: string; onBack(): void; onStarted(walletsNotInSnapshot: string[]): void }) {
  const plan = rpc['snapshots.inspect'].useQuery({ path });
  const tip = rpc['chain.tip'].useQuery();
  const [agree, setAgree] = useState(false);
  const [error, setError] = useState<unknown>();
  const p = plan.data;
  const start = async () => {
    setError(undefined);
    try {
      await call('app.restoreSnapshot', { path });
      onStarted(p?.wallets_not_in_snapshot ?? []);
    } catch (e) {
      setError(e);
    }
  };
  if (!p?.snapshot) return <ErrorNote error={plan.error} />;
  // The node keeps producing while the operator reads: the live head, not the height when the plan was made (#19).
  const nowHeight = tip.data?.height ?? p.current_height;
  return (
    <div className="form">
      <p className="confirm__lead" data-testid="restore-summary-lead">
        Restore <b className="mono">{p.snapshot.id}</b> (height {fmtInt(p.snapshot.height)}) into <span className="mono">{p.data_dir}</span>
        {nowHeight !== null && (
          <>
            {' '}
            — the node is now at height <span data-testid="restore-confirm-height">{fmtInt(nowHeight)}</span>
          </>
        )}
        .
      </p>
      <table className="table" data-testid="restore-summary">
        <thead>
          <tr>
            <th>Part of the data directory</th>
            <th>What happens</th>
            <th className="num">Now</th>
            <th className="num">From the snapshot</th>
          </tr>
        </thead>
        <tbody>
          {p.subsystems.map((s) => (
            <tr key={s.id} data-testid={`summary-${s.id}`}>
              <td>{s.label}</td>
              <td>{s.action === 'replace' ? <span className="pill pill--warn">replaced</span> : <span className="pill pill--ok">kept</span>}</td>
              <td className="num">{fmtBytes(s.current_bytes)}</td>
              <td className="num">{s.action === 'replace' ? fmtBytes(s.snapshot_bytes) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {(p.wallets_not_in_snapshot?.length ?? 0) > 0 && (
        <div className="error-note" role="alert" data-testid="restore-wallets-warning">
          <div className="error-note__msg">
            {p.wallets_not_in_snapshot!.length === 1 ? 'The wallet key ' : 'The wallet keys '}
            <b>{p.wallets_not_in_snapshot!.join(', ')}</b> {p.wallets_not_in_snapshot!.length === 1 ? 'is' : 'are'} not in this snapshot (made since it was
            taken). The restore replaces the keys folder: {p.wallets_not_in_snapshot!.length === 1 ? 'it' : 'they'} will be only in the kept copy of the
            current data (<span className="mono">keys/wallets/</span>) — copy {p.wallets_not_in_snapshot!.length === 1 ? 'it' : 'them'} back after the restore, or back up
            first.
          </div>
        </div>
      )}
      <label className="bk-agree">
        <input type="checkbox" checked={agree} onChange={(e) => setAgree(e.target.checked)} data-testid="restore-agree" />
        <span>
          I understand that the node will be <b>stopped</b>, its data replaced by this snapshot, and the node started again. The current data is kept in{' '}
          <span className="mono" data-testid="pre-restore-path">
            {p.data_dir}.pre-restore-&lt;time of the restore&gt;
          </span>{' '}
          until I remove it.
        </span>
      </label>
      <ErrorNote error={error} testId="restore-start-error" />
      <div className="row-actions">
        <button className="btn btn--ghost" onClick={onBack} data-testid="restore-back">
          Back
        </button>
        <button className="btn btn--primary bk-danger" disabled={!agree} onClick={start} data-testid="restore-start">
          Stop the node and restore
        </button>
      </div>
    </div>
  );
}

function Running() {
  const r = useBackup((s) => s.restore);
  const at = r ? RUN_PHASES.indexOf(r.phase) : -1;
  return (
    <div className="form">
      <ol className="bk-phases" data-testid="restore-phases">
        {RUN_PHASES.map((ph, i) => (
          <li key={ph} className={i < at || r?.state === 'done' ? 'bk-phases--done' : i === at ? 'bk-phases--current' : ''} data-testid={`phase-${ph}`}>
            {phaseLabel(ph)}
          </li>
        ))}
      </ol>
      {r && (r.phase === 'staging' || r.phase === 'verifying') && <ProgressBar p={r} testId="restore-progress" />}
    </div>
  );
}

function Done({ onAgain, onRetry, walletsLeft }: { onAgain(): void; onRetry(): void; walletsLeft: string[] }) {
  const r = useBackup((s) => s.restore);
  const tip = rpc['chain.tip'].useQuery();
  if (!r) return null;
  return (
    <div className="form">
      {r.state === 'done' ? (
        <div className="bk-result bk-result--ok" data-testid="restore-done">
          <strong>Restore complete.</strong> {r.message}
        </div>
      ) : (
        <div className="error-note" role="alert" data-testid="restore-failed">
          <div className="error-note__msg">
            The restore failed{r.failed_phase ? ` while ${phaseLabel(r.failed_phase).toLowerCase()}` : ''}: {r.error?.message}
            <code className="error-note__reason">{r.error?.reason}</code>
          </div>
          <div className="small">The data directory was not changed; the node was started again on it.</div>
        </div>
      )}
      <dl className="kv">
        <div className="kv__row">
          <dt>Node height now</dt>
          <dd className="mono" data-testid="restore-height-now">
            {tip.data ? `#${fmtInt(tip.data.height)}` : '—'}
          </dd>
        </div>
        {r.state === 'done' && r.pre_restore_path && (
          <div className="kv__row">
            <dt>Previous data</dt>
            <dd className="mono" data-testid="restore-kept">
              {r.pre_restore_path}{' '}
              {walletsLeft.length > 0 ? (
                <span data-testid="restore-kept-wallets">
                  — it holds the wallet key{walletsLeft.length === 1 ? '' : 's'} {walletsLeft.join(', ')} that the restored node does not have: copy{' '}
                  {walletsLeft.length === 1 ? 'it' : 'them'} from its keys/wallets/ to this data directory&apos;s before removing it
                </span>
              ) : (
                '(remove it once the node runs well)'
              )}
            </dd>
          </div>
        )}
      </dl>
      <div className="row-actions">
        {r.state === 'failed' && (
          <button className="btn btn--primary" onClick={onRetry} data-testid="restore-retry">
            Back to pre-checks
          </button>
        )}
        <button className="btn" onClick={onAgain} data-testid="restore-again">
          {r.state === 'failed' ? 'Choose another snapshot' : 'Restore another snapshot'}
        </button>
      </div>
    </div>
  );
}

export function RestoreWizard() {
  const [step, setStep] = useState(0);
  const [path, setPath] = useState('');
  const [walletsLeft, setWalletsLeft] = useState<string[]>([]);
  const [startedAt, setStartedAt] = useState(0);
  const restore = useBackup((s) => s.restore);
  const running = restore?.state === 'running' && restore.phase !== 'prechecks';
  const finished = !!restore && restore.state !== 'running' && (restore.started_at_ms ?? 0) >= startedAt;
  // A failed restore stays on its step, marked failed, with the error and a way back (it never reads as done).
  const failed = step >= 3 && finished && restore.state === 'failed';
  const current = running ? 3 : step >= 3 && finished ? (failed ? 3 : 4) : step;
  return (
    <div className="bk-wizard" data-testid="restore-wizard" data-step={STEPS[current]} data-failed={failed || undefined}>
      <Steps steps={STEPS} current={current} testId="restore-steps" failed={failed} />
      {current === 0 && (
        <Pick
          onPick={(p) => {
            setPath(p);
            setStep(1);
          }}
        />
      )}
      {current === 1 && <Prechecks path={path} onBack={() => setStep(0)} onNext={() => setStep(2)} />}
      {current === 2 && (
        <Confirm
          path={path}
          onBack={() => setStep(1)}
          onStarted={(wallets) => {
            setWalletsLeft(wallets);
            setStartedAt(Date.now() - 60_000); // the host stamps its own clock; allow for skew
            setStep(3);
          }}
        />
      )}
      {current === 3 && !failed && <Running />}
      {(current === 4 || failed) && <Done onAgain={() => setStep(0)} onRetry={() => setStep(1)} walletsLeft={walletsLeft} />}
    </div>
  );
}
