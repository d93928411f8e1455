/**
 * "Start a practice testnet": N validator processes on this machine owned by the console (stopped
 * on quit unless kept), then this node joins it — no terminal. Progress (validators ready i/N,
 * elapsed, ETA) comes on `app.practice`.
 */
import { useEffect, useState } from 'react';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { Card } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { fmtDuration } from '../format';
import { useLive } from '../store/live';
import { ConfirmDialog } from './ConfirmDialog';

/** Rough start time of one validator on a laptop (ms), for the ETA before the first is ready. */
const PER_VALIDATOR_MS = 6_000;

export function PracticeCard({ current, currentDir }: { current: string | null; currentDir: string | undefined }) {
  const on = useLive((s) => s.connection) === 'open';
  const st = rpc['app.practiceTestnet'].useQuery(undefined, { enabled: on });
  const [n, setN] = useState(3);
  const [keep, setKeep] = useState(false);
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>();
  const [, setTick] = useState(0);
  const p = st.data;
  const busy = !!p && ['creating', 'starting', 'joining', 'stopping'].includes(p.state);
  useEffect(() => {
    if (!busy) return;
    const t = setInterval(() => setTick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [busy]);

  const start = async () => {
    setAsking(false);
    setError(undefined);
    try {
      await call('app.startPracticeTestnet', { validators: n, keep });
    } catch (e) {
      setError(e);
    }
  };
  const stop = async () => {
    setError(undefined);
    try {
      await call('app.stopPracticeTestnet', {});
    } catch (e) {
      setError(e);
    }
  };
  // The clock is read at each render (a "now" kept from the first render read "-663 ms elapsed").
  const elapsed = p?.started_at_ms ? Math.max(0, Date.now() - p.started_at_ms) : 0;
  const total = p?.validators || n;
  const perReady = p && p.ready > 0 ? elapsed / p.ready : PER_VALIDATOR_MS;
  const eta = p && busy ? Math.max(0, perReady * (total - p.ready) + (p.state === 'joining' ? 0 : 3000)) : null;
  const running = p?.state === 'running';
  const joined = running && current === p?.network;

  return (
    <Card title="Practice testnet" testId="practice-card">
      <p className="muted small">
        A testnet of its own on this machine: {n} validators started and owned by the console, then this node joins it as a full node. No terminal needed; stopped when the console quits
        unless you keep it.
      </p>
      {!busy && !running && (
        <div className="net__picker">
          <label className="field field--inline">
            <span>Validators</span>
            <select value={n} onChange={(e) => setN(Number(e.target.value))} data-testid="practice-validators">
              {[1, 2, 3, 4, 5].map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
          <label className="check">
            <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} data-testid="practice-keep" />
            Keep running after the console quits
          </label>
          <button className="btn btn--primary" onClick={() => setAsking(true)} disabled={!on} data-testid="practice-start">
            {p?.state === 'stopped' ? 'Start the practice testnet again' : 'Start a practice testnet'}
          </button>
        </div>
      )}
      {p && p.state !== 'none' && (
        <div className="practice" data-testid="practice-status" data-state={p.state}>
          <div className="practice__line">
            <span className={`pill ${running ? 'pill--ok' : p.state === 'failed' ? 'pill--bad' : 'pill--warn'}`} data-testid="practice-state">
              {p.state}
            </span>
            <span data-testid="practice-ready">
              validators ready {p.ready} / {p.validators}
            </span>
            {busy && (
              <span className="muted" data-testid="practice-eta">
                {fmtDuration(elapsed)} elapsed{eta !== null ? (eta < 1000 ? ' · almost done' : ` · about ${fmtDuration(eta)} left`) : ''}
              </span>
            )}
          </div>
          {busy && (
            <div className="sync__bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(((p.ready + (p.state === 'joining' ? 1 : 0)) / (p.validators + 1)) * 100)}>
              <div className="sync__fill" style={{ width: `${Math.round(((p.ready + (p.state === 'joining' ? 1 : 0)) / (p.validators + 1)) * 100)}%` }} />
            </div>
          )}
          {p.step && <div className="muted small">{p.step}</div>}
          {p.error && (
            <div className="field__error small" data-testid="practice-error">
              {p.error}
            </div>
          )}
          {running && (
            <div className="row-actions">
              <span className="muted small">{joined ? 'This node follows it (see Sync).' : 'Running; this node is on another network.'}</span>
              <button className="btn" onClick={() => void stop()} data-testid="practice-stop">
                Stop the validators
              </button>
            </div>
          )}
        </div>
      )}
      <ErrorNote error={error} testId="practice-action-error" />
      {asking && (
        <ConfirmDialog title="Start a practice testnet and join it?" action={`Start ${n} validators and join`} onConfirm={() => void start()} onCancel={() => setAsking(false)} testId="confirm-practice">
          <p>
            {n} validator processes start on 127.0.0.1 (their data in <span className="mono">practice-testnet/</span> next to your data folders), then this node stops and starts again on
            the practice network, with its own data folder.
          </p>
          <p className="muted small">Nothing of {current ?? 'the current network'} is changed{currentDir ? ` (its data stays in ${currentDir})` : ''}. A faucet key comes with it, to fund your own keys.</p>
        </ConfirmDialog>
      )}
    </Card>
  );
}
