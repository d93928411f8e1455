/**
 * Scheduled backups (daily or weekly at a UTC time, keep the newest N, destination, subsystems,
 * format), stored by the node (`snapshots.schedule_*`) — per network, so the card names the
 * network it belongs to; "Run now"; the last run and, until a run succeeds, the last failure.
 * Failures also raise a notification (notification center).
 */
import { useEffect, useState } from 'react';
import type { Schedule } from '../../../shared/api/snapshots';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { FolderField } from '../backup/FolderField';
import { ProgressBar } from '../backup/ProgressBar';
import { useBackup } from '../backup/store';
import { Card } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { fmtBytes } from '../format';
import { useLive } from '../store/live';
import '../backup/backup.css';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function when(ms: number | null | undefined): string {
  if (!ms) return '—';
  const d = new Date(ms);
  return `${d.toISOString().replace('T', ' ').slice(0, 16)} UTC (${d.toLocaleString('en-GB', { weekday: 'short', hour: '2-digit', minute: '2-digit' })} local)`;
}

export function BackupSchedule() {
  const on = useLive((s) => s.connection) === 'open';
  const st = rpc['snapshots.schedule_get'].useQuery(undefined, { enabled: on });
  const subs = rpc['snapshots.subsystems'].useQuery(undefined, { enabled: on });
  const status = rpc['node.status'].useQuery(undefined, { enabled: on });
  const [draft, setDraft] = useState<Schedule>();
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>();
  const [runId, setRunId] = useState<string>();
  const run = useBackup((s) => (runId ? s.jobs[runId] : undefined));
  useEffect(() => {
    if (st.data && !draft) {
      const { next_run_at_ms: _n, last_run: _l, last_failure: _f, ...s } = st.data;
      setDraft(s);
    }
  }, [st.data, draft]);
  if (!draft) return <ErrorNote error={st.error} />;
  const set = (p: Partial<Schedule>) => {
    setSaved(false);
    setDraft({ ...draft, ...p });
  };
  const save = async () => {
    setError(undefined);
    try {
      await call('snapshots.schedule_set', draft);
      setSaved(true);
      await st.refetch();
    } catch (e) {
      setError(e);
    }
  };
  const runNow = async () => {
    setError(undefined);
    try {
      setRunId((await call('snapshots.schedule_run', {})).job_id);
    } catch (e) {
      setError(e);
    }
  };
  const s = st.data;
  return (
    <>
      {s?.last_failure && (
        <div className="banner banner--bad" role="alert" data-testid="schedule-failure">
          <div className="banner__main">
            <strong className="banner__title">The last scheduled backup failed</strong>
            <span className="banner__text">
              {new Date(s.last_failure.at_ms).toLocaleString('en-GB')}: {s.last_failure.error}
            </span>
          </div>
        </div>
      )}
      <Card
        title={`Scheduled backups${status.data ? ` — ${status.data.network} network` : ''}`}
        testId="schedule-card"
      >
        <div className="form">
          <label className="bk-agree">
            <input
              type="checkbox"
              checked={draft.enabled}
              onChange={(e) => set({ enabled: e.target.checked })}
              data-testid="schedule-enabled"
            />
            <span>Back up this node automatically</span>
          </label>
          <div className="field-row">
            <label className="field">
              <span>How often</span>
              <select
                className="input"
                value={draft.frequency}
                onChange={(e) => set({ frequency: e.target.value as Schedule['frequency'] })}
                data-testid="schedule-frequency"
              >
                <option value="daily">Daily</option>
                <option value="weekly">Weekly</option>
              </select>
            </label>
            {draft.frequency === 'weekly' && (
              <label className="field">
                <span>Day (UTC)</span>
                <select
                  className="input"
                  value={draft.weekday}
                  onChange={(e) => set({ weekday: Number(e.target.value) })}
                  data-testid="schedule-weekday"
                >
                  {DAYS.map((d, i) => (
                    <option key={d} value={i}>
                      {d}
                    </option>
                  ))}
                </select>
              </label>
            )}
            <label className="field">
              <span>Time (UTC, HH:MM)</span>
              <input
                className="input mono"
                value={draft.time_utc}
                onChange={(e) => set({ time_utc: e.target.value })}
                data-testid="schedule-time"
              />
            </label>
            <label className="field">
              <span>Keep the last</span>
              <input
                className="input mono"
                type="number"
                min={1}
                max={365}
                value={draft.keep_last}
                onChange={(e) => set({ keep_last: Number(e.target.value) })}
                data-testid="schedule-keep"
              />
            </label>
          </div>
          <FolderField
            value={draft.path}
            onChange={(v) => set({ path: v })}
            label="Destination folder"
            testId="schedule-dest"
          />
          <div className="field">
            <span>Include</span>
            <div className="chips" data-testid="schedule-include">
              {(subs.data?.subsystems ?? []).map((x) => (
                <label key={x.id} className="chip">
                  <input
                    type="checkbox"
                    disabled={x.required}
                    checked={x.required || draft.include.includes(x.id)}
                    onChange={(e) =>
                      set({
                        include: e.target.checked
                          ? [...draft.include, x.id]
                          : draft.include.filter((i) => i !== x.id),
                      })
                    }
                  />{' '}
                  {x.label} <span className="muted">{fmtBytes(x.bytes)}</span>
                </label>
              ))}
            </div>
          </div>
          <div className="field">
            <span>Format</span>
            <div className="bk-choice">
              <label>
                <input
                  type="radio"
                  checked={draft.format === 'dir'}
                  onChange={() => set({ format: 'dir' })}
                />{' '}
                Folder
              </label>
              <label>
                <input
                  type="radio"
                  checked={draft.format === 'tar'}
                  onChange={() => set({ format: 'tar' })}
                />{' '}
                .tar file
              </label>
            </div>
          </div>
          <ErrorNote error={error} testId="schedule-error" />
          <div className="row-actions">
            {saved && (
              <span className="tone--ok small" data-testid="schedule-saved">
                Saved
              </span>
            )}
            <button className="btn" onClick={runNow} disabled={!s?.path} data-testid="schedule-run">
              Run now
            </button>
            <button className="btn btn--primary" onClick={save} data-testid="schedule-save">
              Save
            </button>
          </div>
          {run?.state === 'running' && <ProgressBar p={run} testId="schedule-progress" />}
          {run && run.state !== 'running' && (
            <div
              className={`bk-result ${run.create ? 'bk-result--ok' : 'bk-result--bad'}`}
              data-testid="schedule-run-result"
            >
              {run.create
                ? `Backed up ${run.create.id} (${fmtBytes(run.create.bytes)}).`
                : `Failed: ${run.error?.message}`}
            </div>
          )}
        </div>
        <dl className="kv" data-testid="schedule-state">
          <div className="kv__row">
            <dt>Next run</dt>
            <dd data-testid="schedule-next">{s?.enabled ? when(s.next_run_at_ms) : 'off'}</dd>
          </div>
          <div className="kv__row">
            <dt>Last run</dt>
            <dd data-testid="schedule-last">
              {s?.last_run
                ? `${when(s.last_run.at_ms)} — ${s.last_run.ok ? `ok, ${s.last_run.snapshot_id}${s.last_run.pruned?.length ? `; removed ${s.last_run.pruned.length} old` : ''}` : `failed: ${s.last_run.error}`}`
                : '—'}
            </dd>
          </div>
        </dl>
      </Card>
    </>
  );
}
