/**
 * Data directory: where the node keeps its data, and a guided move — checks (not inside the
 * current one, writable, enough space), then stop → copy → verify → switch → start, with
 * progress and ETA (`app.move`); an interrupted move resumes when the console starts again.
 */
import { useEffect, useState } from 'react';
import type { MoveProgress } from '../../../shared/api/desktop';
import { bridge, call } from '../api/client';
import { rpc } from '../api/hooks';
import { Card } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { fmtBytes, fmtDuration } from '../format';
import { useLive } from '../store/live';

const STEPS: [MoveProgress['step'], string][] = [
  ['checking', 'Check'],
  ['stopping_node', 'Stop node'],
  ['copying', 'Copy'],
  ['verifying', 'Verify'],
  ['switching', 'Switch'],
  ['starting_node', 'Start node'],
  ['done', 'Done'],
];

function Steps({ p }: { p: MoveProgress }) {
  const at = STEPS.findIndex(([s]) => s === p.step);
  return (
    <div className="move-steps" data-testid="move-steps">
      {STEPS.map(([s, label], i) => (
        <span
          key={s}
          className={p.step === 'done' || i < at ? 'move-step--done' : i === at ? 'move-step--now' : ''}
        >
          {label}
        </span>
      ))}
    </div>
  );
}

export function DataDirMove() {
  const on = useLive((s) => s.connection) === 'open';
  const info = rpc['app.info'].useQuery(undefined, { enabled: on });
  const status = rpc['node.status'].useQuery(undefined, { enabled: on });
  const [p, setP] = useState<MoveProgress>();
  const [target, setTarget] = useState('');
  /** Set once the target passed the move's checks: the confirmation shows what will be copied. */
  const [confirm, setConfirm] = useState<{ need_bytes: number; free_bytes: number }>();
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>();
  useEffect(() => (on ? bridge.tb.subscribe('app.move', setP) : undefined), [on]);
  const dir = info.data?.node.data_dir ?? status.data?.data_dir;
  // Another data directory (a network switch while this card is open): a refusal or a pending
  // confirmation of the last one no longer applies. The host forgets that move's progress itself.
  useEffect(() => {
    setError(undefined);
    setConfirm(undefined);
  }, [dir]);
  const running = p && !['idle', 'done', 'failed'].includes(p.step);
  // The checks run before the confirmation: a refusal is said at once, the node never stops for it.
  const ask = async () => {
    setError(undefined);
    setChecking(true);
    try {
      const r = await call('app.moveCheck', { target: target.trim() });
      setConfirm({ need_bytes: r.need_bytes, free_bytes: r.free_bytes });
    } catch (e) {
      setError(e);
    } finally {
      setChecking(false);
    }
  };
  const start = async () => {
    setError(undefined);
    setConfirm(undefined);
    try {
      await call('app.moveDataDir', { target: target.trim() });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <Card title={`Data directory${status.data ? ` — ${status.data.network}` : ''}`} testId="settings-datadir">
      <div className="form">
        <div className="field">
          <span>Current</span>
          <code className="path" data-testid="datadir-current">
            {dir ?? '—'}
          </code>
        </div>
        <label className="field">
          <span>Move to (an absolute path of a new or empty folder)</span>
          <input
            className="input mono"
            value={target}
            onChange={(e) => setTarget(e.target.value)}
            disabled={!!running}
            placeholder="/mnt/bigger-disk/the-block"
            data-testid="move-target"
          />
        </label>
        {confirm ? (
          <div className="banner banner--warn" data-testid="move-confirm">
            <div className="banner__main">
              <strong className="banner__title">The node stops while its data is copied and verified.</strong>
              <span className="banner__text">
                {fmtBytes(confirm.need_bytes)} to copy ({fmtBytes(confirm.free_bytes)} free there). It starts again on the
                new folder; the old folder is left as it is for you to delete.
              </span>
            </div>
            <div className="banner__actions">
              <button className="btn" onClick={() => setConfirm(undefined)}>
                Cancel
              </button>
              <button className="btn btn--primary" onClick={start} data-testid="move-go">
                Move now
              </button>
            </div>
          </div>
        ) : (
          <div className="row-actions">
            <button
              className="btn"
              disabled={!target.trim() || !!running || checking}
              onClick={() => void ask()}
              data-testid="move-start"
            >
              {checking ? 'Checking…' : 'Move data directory…'}
            </button>
          </div>
        )}
        <ErrorNote error={error} testId="move-error" />
        {/* A refusal of this attempt is in the error note above; a failed step below it would say
            it again, or (a param refused before the move started) show an earlier attempt's. */}
        {p && p.step !== 'idle' && !(error && p.step === 'failed') && (
          <div data-testid="move-progress" data-step={p.step}>
            <Steps p={p} />
            {(p.step === 'copying' || p.step === 'verifying') && (
              <>
                <progress max={p.bytes_total || 1} value={p.bytes_done} style={{ width: '100%' }} />
                <div className="small muted">
                  {fmtBytes(p.bytes_done)} of {fmtBytes(p.bytes_total)} · {p.files_done}/{p.files_total} files
                  {p.eta_ms !== null ? ` · about ${fmtDuration(p.eta_ms)} left` : ''}
                </div>
              </>
            )}
            <div
              className={`small ${p.step === 'failed' ? 'tone--bad' : p.step === 'done' ? 'tone--ok' : ''}`}
              data-testid="move-message"
            >
              {p.resumed ? 'Resumed after an interruption. ' : ''}
              {p.message}
              {p.reason ? ` (${p.reason})` : ''}
            </div>
          </div>
        )}
      </div>
    </Card>
  );
}
