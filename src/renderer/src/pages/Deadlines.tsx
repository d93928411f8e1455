/**
 * Deadline inbox: one list of what is about to happen across modules (`node.deadlines`: governor
 * windows and decisions taking effect, and every other module's deadlines as they land), soonest
 * first, with countdowns in blocks (from the live head) and wall time (blocks × block time, or
 * the module's own clock), a notice before each (Settings → Notifications: lead in blocks), and
 * an `.ics` export (`app.deadlinesIcs`) for a calendar.
 */
import { useEffect, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Deadline } from '../../../shared/api/deadlines';
import { bridge, call } from '../api/client';
import { rpc } from '../api/hooks';
import { Card } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { fmtDuration, fmtInt } from '../format';
import { useLive } from '../store/live';
import '../desktop/desktop.css';

/** The page's icon in the navigation (pages/registry.ts): a stopwatch. */

/** Saves text as a file through a Blob link (works in the desktop window and in a browser). */
export function download(name: string, data: BlobPart, type: string): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Row({
  d,
  height,
  blockMs,
  now,
  lead,
}: {
  d: Deadline;
  height: number;
  blockMs: number;
  now: number;
  lead: number;
}) {
  const blocks = Math.max(0, d.at_height - height);
  // A module with its own clock (the governor's window timer) keeps its time; others follow the head.
  const ms = d.recurring ? Math.max(0, d.at_ms - now) : blocks * blockMs;
  const tone = blocks <= 1 ? 'dl-due' : blocks <= lead ? 'dl-soon' : '';
  return (
    <tr data-testid="deadline-row" data-module={d.module} data-kind={d.kind}>
      <td className="dl-module">{d.module.replace(/_/g, ' ')}</td>
      <td>
        <div data-testid="deadline-title">{d.title}</div>
        {d.recurring && <span className="tag">recurring — listed, not notified</span>}
        {d.detail && <div className="muted small">{d.detail}</div>}
      </td>
      <td className="num mono">#{fmtInt(d.at_height)}</td>
      <td className={`num dl-when ${tone}`} data-testid="deadline-blocks">
        {blocks === 0 ? 'due' : `${fmtInt(blocks)} blocks`}
      </td>
      <td className={`dl-when ${tone}`}>
        <div data-testid="deadline-eta">{ms === 0 ? 'now' : `in ${fmtDuration(ms)}`}</div>
        <div className="muted small">
          {new Date(now + ms).toLocaleString('en-GB', {
            weekday: 'short',
            hour: '2-digit',
            minute: '2-digit',
            second: '2-digit',
          })}
        </div>
      </td>
    </tr>
  );
}

export function Deadlines() {
  const on = useLive((s) => s.connection) === 'open';
  const ready = useLive((s) => s.supervisor?.node_phase?.phase === 'ready');
  const q = rpc['node.deadlines'].useQuery(undefined, { enabled: on && ready });
  const settings = rpc['app.settings'].useQuery(undefined, { enabled: on });
  const tip = rpc['chain.tip'].useQuery(undefined, { enabled: on && ready });
  const qc = useQueryClient();
  const [now, setNow] = useState(Date.now());
  const [exportError, setExportError] = useState<unknown>();
  const [exported, setExported] = useState<string>();
  // Countdowns move with each new head; the list is asked again every 5 heads (new decisions, windows).
  useEffect(() => {
    let n = 0;
    return bridge.tb.subscribe('newHeads', () => {
      setNow(Date.now());
      if (++n % 5 === 0) void qc.invalidateQueries({ queryKey: ['node.deadlines'] });
    });
  }, [qc]);
  const height = tip.data?.height ?? q.data?.height ?? 0;
  const lead = settings.data?.settings.notifications.deadline_lead_blocks ?? 120;
  const exportIcs = async () => {
    setExportError(undefined);
    try {
      const r = await call('app.deadlinesIcs', {});
      download(r.file_name, r.text, 'text/calendar');
      setExported(`${r.file_name} — ${r.events} event${r.events === 1 ? '' : 's'}`);
    } catch (e) {
      setExportError(e);
    }
  };
  return (
    <div className="page" data-testid="page-deadlines">
      <Card
        title="Upcoming deadlines"
        testId="deadlines-card"
        actions={
          <button
            className="btn"
            onClick={exportIcs}
            disabled={!q.data?.deadlines.length}
            data-testid="deadlines-export"
          >
            Export .ics
          </button>
        }
      >
        <p className="muted small">
          Governor windows and decisions taking effect, and the deadlines of every module (votes closing,
          timelocks, rollback windows, auctions, disputes) as modules contribute them. A notification comes{' '}
          {lead} blocks before each (Settings → Notifications) and when it is due. Wall times are estimates:
          blocks × {q.data ? `${q.data.block_time_ms} ms` : 'the block time'}.
        </p>
        <ErrorNote error={q.error ?? exportError} testId="deadlines-error" />
        {exported && (
          <div className="tone--ok small" data-testid="deadlines-exported">
            Saved {exported}
          </div>
        )}
        {!ready ? (
          <div className="muted" data-testid="deadlines-waiting">
            Waiting for the node to be ready…
          </div>
        ) : q.data && q.data.deadlines.length === 0 ? (
          <div className="muted" data-testid="deadlines-empty">
            Nothing scheduled. With the launch governor on (Settings → Governor), its evaluation windows and
            pending decisions show up here.
          </div>
        ) : (
          <table className="table dl-table" data-testid="deadlines-table">
            <thead>
              <tr>
                <th>Module</th>
                <th>What happens</th>
                <th className="num">At height</th>
                <th className="num">Blocks left</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {(q.data?.deadlines ?? []).map((d) => (
                <Row key={d.id} d={d} height={height} blockMs={q.data!.block_time_ms} now={now} lead={lead} />
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
