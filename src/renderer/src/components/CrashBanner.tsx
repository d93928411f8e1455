/**
 * Supervisor crash banner: why the node crashed (exit code/signal + its last words), how many
 * automatic restarts so far; in a crash loop, "Open logs" and "Restart"; after a start failure (the
 * node exited before ready and said why), its own message with "Open logs" and "Retry"; when the
 * data directory is locked by a node of another host, also "Take over the lock" (two steps: the
 * operator confirms no node there uses it; `app.unlockDataDir` then starts the node); when a port
 * is in use, the advice is Settings (the node's own text, kept, names its command-line flags).
 * Crash text is untrusted and rendered as text.
 */
import { useState } from 'react';
import { portConflictOf } from '../../../shared/api/app';
import { rpc } from '../api/hooks';
import { useLive } from '../store/live';
import { useUi } from '../store/ui';
import { fmtClock } from '../format';
import { ErrorNote } from './ErrorNote';
import { LogTail } from './LogTail';

export function CrashBanner() {
  const sup = useLive((s) => s.supervisor);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [showLines, setShowLines] = useState(false);
  const [confirmUnlock, setConfirmUnlock] = useState(false);
  const unlock = rpc['app.unlockDataDir'].useMutation();
  const restart = rpc['app.restartNode'].useMutation();
  const openLogs = rpc['app.openLogs'].useMutation();
  const setPage = useUi((s) => s.setPage);
  const setLogFile = useUi((s) => s.setLogFile);
  const crash = sup?.last_crash;
  if (!sup || !crash || dismissedAt === crash.at_ms) return null;
  const startFailed = sup.state === 'start_failed';
  const loop = sup.state === 'crash_loop';
  const waiting = sup.state === 'backoff';
  const stuck = loop || startFailed;
  const recovered = !stuck && !waiting;
  const lockedElsewhere = startFailed && sup.start_error_reason === 'data_dir_locked_elsewhere';
  // A port in use: the node's own text names its flags; in the console the port is a setting.
  const portConflict = startFailed ? portConflictOf(sup.start_error ?? crash.reason) : null;
  return (
    <div className={`banner ${recovered ? 'banner--warn' : 'banner--bad'}`} role="alert" data-testid="crash-banner" data-state={sup.state}>
      <div className="banner__main">
        {lockedElsewhere ? (
          <>
            <strong className="banner__title">The node could not start: its data directory is locked by a node of another host</strong>
            <span className="banner__text">
              at {fmtClock(crash.at_ms)}: <span data-testid="start-error">{sup.start_error}</span>
            </span>
          </>
        ) : startFailed ? (
          <>
            <strong className="banner__title">
              The node could not start: <span data-testid="start-error">{sup.start_error ?? crash.reason}</span>
            </strong>
            <span className="banner__text">
              {/* The title says why in the node's words; here only how it ended (its reason repeated it). */}
              at {fmtClock(crash.at_ms)}:{' '}
              <span data-testid="crash-reason">{crash.code !== null ? `exited with code ${crash.code}` : crash.signal ? `killed by ${crash.signal}` : crash.reason}</span> — not restarted
              automatically;{' '}
              {portConflict !== null ? (
                <span data-testid="start-advice">
                  {portConflict ? `port ${portConflict} is taken: change` : 'change'} the port in Settings (Node), save, then Retry.
                </span>
              ) : (
                'fix the cause, then Retry.'
              )}
            </span>
          </>
        ) : (
          <>
            <strong className="banner__title">
              {loop ? 'The node crashed 3 times within a minute — automatic restarts stopped' : waiting ? 'The node crashed — restarting' : 'The node crashed and was restarted'}
            </strong>
            <span className="banner__text">
              at {fmtClock(crash.at_ms)}: <span data-testid="crash-reason">{crash.reason}</span>
            </span>
            <span className="banner__meta">
              automatic restarts so far: <b data-testid="restart-count">{sup.restarts}</b>
            </span>
          </>
        )}
      </div>
      <div className="banner__actions">
        {crash.last_lines.length > 0 && (
          <button className="btn btn--ghost" onClick={() => setShowLines(!showLines)} data-testid="crash-toggle-lines">
            {showLines ? 'Hide output' : 'Last output'}
          </button>
        )}
        {stuck && (
          <>
            <button
              className="btn"
              data-testid="crash-open-logs"
              onClick={() =>
                openLogs.mutate(
                  { lines: 200 },
                  {
                    onSuccess: (r) => {
                      setLogFile(r);
                      setPage('logs');
                    },
                  },
                )
              }
            >
              Open logs
            </button>
            {portConflict !== null && (
              <button className="btn" data-testid="crash-open-settings" onClick={() => setPage('settings')}>
                Open Settings
              </button>
            )}
            {lockedElsewhere && !confirmUnlock && (
              <button className="btn" data-testid="crash-unlock" onClick={() => setConfirmUnlock(true)}>
                Take over the lock…
              </button>
            )}
            <button className="btn btn--primary" data-testid="crash-restart" disabled={restart.isPending} onClick={() => restart.mutate(undefined)}>
              {restart.isPending ? (startFailed ? 'Retrying…' : 'Restarting…') : startFailed ? 'Retry' : 'Restart'}
            </button>
          </>
        )}
        {recovered && (
          <button className="btn btn--ghost" data-testid="crash-dismiss" onClick={() => setDismissedAt(crash.at_ms)}>
            Dismiss
          </button>
        )}
      </div>
      {lockedElsewhere && confirmUnlock && (
        <div className="banner__confirm" data-testid="crash-unlock-confirm">
          <span className="banner__text">
            Only if no node on that host still uses this data directory (a re-created container, a renamed machine, a disk moved here): two nodes writing one chain would damage it.
          </span>
          <button className="btn btn--ghost" data-testid="crash-unlock-cancel" onClick={() => setConfirmUnlock(false)}>
            Cancel
          </button>
          <button
            className="btn btn--danger"
            data-testid="crash-unlock-go"
            disabled={unlock.isPending}
            onClick={() => unlock.mutate({}, { onSuccess: () => setConfirmUnlock(false) })}
          >
            {unlock.isPending ? 'Taking over…' : 'I checked — take over the lock and start'}
          </button>
        </div>
      )}
      {showLines && (
        <LogTail lines={crash.last_lines} className="banner__lines" testId="crash-lines" />
      )}
      <ErrorNote error={restart.error ?? openLogs.error ?? unlock.error} testId="crash-action-error" />
    </div>
  );
}
