/**
 * Logs: live tail of the node log (`log.line`: info and above, the last 200 replayed on open),
 * level filter, text search. Scrolling up pauses the view (new lines are counted); "Resume" jumps
 * back to the live end. A resize of the view keeps it following (only the operator's scroll up pauses). Log text is untrusted: rendered as text only.
 */
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { rpc } from '../api/hooks';
import { Card } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { LogTail } from '../components/LogTail';
import { filterLogs, useLogs, type LevelFilter, type LogEntry } from '../store/logs';
import { useUi } from '../store/ui';
import { fmtClock } from '../format';

/** The page's icon in the navigation (pages/registry.tsx). */

/** Lines rendered at most (the newest matches); the ring itself keeps more. */
const MAX_RENDERED = 1000;
const LEVEL_NAME: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const levelName = (n: number) => LEVEL_NAME[n] ?? String(n);

function Line({ l }: { l: LogEntry }) {
  const name = levelName(l.level);
  const fields = l.fields;
  return (
    <div className={`log log--${name}`} data-testid="log-line" data-level={name}>
      <span className="log__time">{fmtClock(l.time)}</span> <span className="log__level">{name}</span> <span className="log__msg">{l.msg}</span>
      {fields && <span className="log__fields"> {fields}</span>}
    </div>
  );
}

function LogFilePanel() {
  const file = useUi((s) => s.logFile);
  const setLogFile = useUi((s) => s.setLogFile);
  if (!file) return null;
  return (
    <Card
      title="Log file"
      testId="log-file-panel"
      actions={
        <button className="btn btn--ghost" onClick={() => setLogFile(null)}>
          Close
        </button>
      }
    >
      <div className="path mono" data-testid="log-file-path">
        {file.path}
      </div>
      <p className="muted small">{file.opened ? 'Opened in your desktop viewer. ' : ''}Last {file.tail.length} lines:</p>
      <LogTail lines={file.tail} className="log-file" testId="log-file-tail" />
    </Card>
  );
}

export function Logs() {
  const { lines, frozen, missed, level, search, pause, resume, setLevel, setSearch } = useLogs();
  const openLogs = rpc['app.openLogs'].useMutation();
  const setLogFile = useUi((s) => s.setLogFile);
  const shown = useMemo(() => filterLogs(frozen ?? lines, level, search).slice(-MAX_RENDERED), [frozen, lines, level, search]);
  const box = useRef<HTMLDivElement>(null);
  const paused = frozen !== null;

  // Following live: stay at the bottom as lines arrive.
  useLayoutEffect(() => {
    const el = box.current;
    if (el && !paused) el.scrollTop = el.scrollHeight;
  }, [shown, paused]);

  // A resize of the view (the window, the sidebar) is not the operator scrolling: while following,
  // stay at the bottom. Without this a resize left the view off the bottom and the next scroll
  // event paused the tail ("Resume (3 new)" with no scroll).
  const following = useRef(!paused);
  following.current = !paused;
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => {
      if (following.current) el.scrollTop = el.scrollHeight;
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Resume when the page is opened again.
  useEffect(() => () => useLogs.getState().resume(), []);

  /** The view's size and scroll position at the last scroll event: only a move up in a view of the same size is the operator's. */
  const last = useRef({ top: 0, w: 0, h: 0 });
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const prev = last.current;
    const resized = el.clientWidth !== prev.w || el.clientHeight !== prev.h;
    last.current = { top: el.scrollTop, w: el.clientWidth, h: el.clientHeight };
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (!atBottom && !paused) {
      if (!resized && el.scrollTop < prev.top) pause();
      else el.scrollTop = el.scrollHeight; // a resize or a reflow moved it: back to the live end
    } else if (atBottom && paused && missed === 0) resume();
  };

  return (
    <div className="page page--fill" data-testid="page-logs">
      <LogFilePanel />
      <Card
        className="card--fill"
        title={
          <span>
            Node log <span className="muted small">· live tail</span>
          </span>
        }
        actions={
          <button
            className="btn btn--ghost"
            data-testid="logs-open-file"
            disabled={openLogs.isPending}
            onClick={() => openLogs.mutate({ lines: 200 }, { onSuccess: (r) => setLogFile(r) })}
          >
            Log file
          </button>
        }
      >
        <div className="toolbar">
          <label className="field field--inline">
            <span>Level</span>
            <select value={level} onChange={(e) => setLevel(e.target.value as LevelFilter)} data-testid="logs-level">
              <option value="all">all</option>
              <option value="debug">debug and above</option>
              <option value="info">info and above</option>
              <option value="warn">warn and above</option>
              <option value="error">error and above</option>
            </select>
          </label>
          <input className="input toolbar__search" type="search" placeholder="Search messages and fields" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="logs-search" />
          <span className="muted small" data-testid="logs-count">
            {shown.length} of {(frozen ?? lines).length} lines
          </span>
          <span className="toolbar__spacer" />
          {paused ? (
            <button className="btn btn--primary" onClick={resume} data-testid="logs-resume">
              Resume{missed > 0 ? ` (${missed} new)` : ''}
            </button>
          ) : (
            <button className="btn btn--ghost" onClick={pause} data-testid="logs-pause">
              Pause
            </button>
          )}
        </div>
        <div className="logs" ref={box} onScroll={onScroll} data-testid="logs-view" data-paused={paused}>
          {shown.map((l) => (
            <Line key={l.seq} l={l} />
          ))}
          {shown.length === 0 && <div className="muted logs__empty">{lines.length ? 'No line matches the filter.' : 'Waiting for log lines…'}</div>}
        </div>
        <ErrorNote error={openLogs.error} />
      </Card>
    </div>
  );
}
