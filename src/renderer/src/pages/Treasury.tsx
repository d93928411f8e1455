/**
 * Treasury: balance and inflow chart, disbursements table (status filter, search), the selected
 * disbursement's timeline (treasury/DisbursementTimeline.tsx), its actions (open vote, vote,
 * execute, rollback with a confirmed reason) and a create panel with live validation (the same
 * checks as `gov disburse preview --check`, via gov.treasury.preview). Live via treasury/live.ts.
 * "Sign and pay as" picks the key of the create / open vote / vote / rollback calls (the node key or
 * a local wallet key, which pays the fee); execution is always the node key's, paid by the treasury.
 */
import { useEffect, useState } from 'react';
import { DISBURSEMENT_STATUS_NAMES, type DisbursementView } from '../../../shared/api/treasury';
import type { DisbursementPayload } from '../../../shared/api/treasury-payload';
import { rpc } from '../api/hooks';
import { Card, Stat } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { useLive } from '../store/live';
import { balanceChartView } from '../treasury/balance-chart';
import { createChecks } from '../treasury/create-checks';
import { DisbursementTimeline } from '../treasury/DisbursementTimeline';
import '../treasury/treasury.css';


const TEMPLATE = JSON.stringify(
  {
    proposal: { title: 'Grant', summary: 'What it pays for', quorum: { operators_ppm: 670000, builders_ppm: 670000 }, vote_window_epochs: 1, timelock_epochs: 1, rollback_window_epochs: 1 },
    disbursement: { destination: 'tb1' + '0'.repeat(40), amount: 1000, memo: '', scheduled_epoch: 1 },
  },
  null,
  2,
);

function BalanceChart({ history }: { history: { height: number; balance: string }[] }) {
  if (history.length < 2) return <p className="muted">The chart fills in as blocks arrive.</p>;
  const w = 600;
  const h = 90;
  const v = balanceChartView(history, w, h);
  // Labels sit outside the drawing: inside the SVG they overlapped the line at its top or bottom.
  return (
    <>
      <svg className="tchart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" data-testid="balance-chart" role="img" aria-label="treasury balance over recent blocks">
        <polyline points={v.points} fill="none" stroke="var(--accent)" strokeWidth="2" vectorEffect="non-scaling-stroke" />
      </svg>
      <div className="tchart__legend muted small" data-testid="balance-chart-legend">
        <span>
          {v.maxLabel === v.minLabel ? `balance ${v.maxLabel}` : `${v.minLabel} – ${v.maxLabel}`} base units
        </span>
        <span>blocks {v.rangeLabel}</span>
      </div>
    </>
  );
}

/** The local key that signs (and pays the fee of) the page's calls: '' = the node key, else a wallet key name. */
type ActAs = string;
const fromOf = (k: ActAs) => (k ? { from: k } : {});

function CreatePanel({ actAs }: { actAs: ActAs }) {
  const [text, setText] = useState(TEMPLATE);
  const [parsed, setParsed] = useState<unknown>(() => JSON.parse(TEMPLATE));
  const [jsonError, setJsonError] = useState<string | null>(null);
  /** The text the validation result belongs to (submit waits until it is the text on screen). */
  const [checked, setChecked] = useState(TEMPLATE);
  const on = useLive((s) => s.connection) === 'open';
  const preview = rpc['gov.treasury.preview'].useQuery({ payload: parsed }, { enabled: on && jsonError === null });
  const submit = rpc['gov.treasury.submit_disbursement'].useMutation();
  useEffect(() => {
    const t = setTimeout(() => {
      try {
        setParsed(JSON.parse(text));
        setJsonError(null);
        setChecked(text);
      } catch (err) {
        setJsonError((err as Error).message);
        setChecked(text);
      }
    }, 250);
    return () => clearTimeout(t);
  }, [text]);
  const checks = createChecks(jsonError, parsed, preview.data);
  const { issues } = checks;
  const settled = checked === text && (jsonError !== null || !preview.isFetching);
  const ok = settled && checks.ok;
  return (
    <div className="create" data-testid="create-panel">
      <textarea className="input create__json mono" value={text} onChange={(e) => setText(e.target.value)} spellCheck={false} data-testid="create-json" aria-label="disbursement payload JSON" />
      <ul className="issues" data-testid="create-issues">
        {checks.jsonError !== null && <li className="tone--bad">not JSON: {checks.jsonError}</li>}
        {issues.map((i) => (
          <li key={i.path + i.code} className={i.severity === 'error' ? 'tone--bad' : 'tone--warn'}>
            {i.severity === 'error' ? 'error' : 'warning'} · {i.path}: {i.message}
          </li>
        ))}
        {ok && issues.length === 0 && <li className="tone--ok">valid: no problems found</li>}
        {ok && issues.length > 0 && <li className="tone--ok">valid (warnings only)</li>}
        {!settled && <li className="muted">checking…</li>}
      </ul>
      {checks.windows && (
        <div className="muted" data-testid="create-windows">
          vote {checks.windows.vote_blocks} blocks · timelock {checks.windows.timelock_blocks} · rollback window {checks.windows.rollback_blocks}
        </div>
      )}
      <div className="row">
        <button className="btn btn--primary" disabled={!ok || submit.isPending} onClick={() => submit.mutate({ payload: parsed as DisbursementPayload, ...fromOf(actAs) }, { onSuccess: () => undefined })} data-testid="create-submit">
          Create draft
        </button>
        {submit.data && (
          <span className="muted" data-testid="create-result">
            submitted tx {submit.data.tx_hash.slice(0, 16)}…
          </span>
        )}
      </div>
      <ErrorNote error={submit.error} testId="create-error" />
    </div>
  );
}

function Actions({ d, actAs }: { d: DisbursementView; actAs: ActAs }) {
  const queue = rpc['gov.treasury.queue_disbursement'].useMutation();
  const vote = rpc['gov.treasury.vote_disbursement'].useMutation();
  const execute = rpc['gov.treasury.execute_disbursement'].useMutation();
  const rollback = rpc['gov.treasury.rollback_disbursement'].useMutation();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const canRollback = ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed'].includes(d.status);
  const err = queue.error ?? vote.error ?? execute.error ?? rollback.error;
  return (
    <div className="actions" data-testid="timeline-actions">
      {d.status === 'Draft' && (
        <button className="btn btn--primary" onClick={() => queue.mutate({ id: d.id, ...fromOf(actAs) })} disabled={queue.isPending} data-testid="action-queue">
          Open vote
        </button>
      )}
      {d.status === 'Voting' &&
        (['yes', 'no', 'abstain'] as const).map((c) => (
          <button key={c} className="btn" onClick={() => vote.mutate({ id: d.id, choice: c, ...fromOf(actAs) })} disabled={vote.isPending} data-testid={`action-vote-${c}`}>
            Vote {c}
          </button>
        ))}
      {d.status === 'Timelocked' && (
        <button className="btn btn--primary" onClick={() => execute.mutate({ id: d.id })} disabled={execute.isPending} data-testid="action-execute" title="the node key executes; the treasury pays the fee">
          {execute.isPending ? 'Executing… (taking the lease)' : 'Execute'}
        </button>
      )}
      {canRollback && !confirming && (
        <button className="btn" onClick={() => setConfirming(true)} data-testid="action-rollback">
          Roll back…
        </button>
      )}
      {confirming && (
        <div className="confirm" data-testid="rollback-confirm">
          <input className="input" placeholder="reason (recorded in provenance.json)" value={reason} onChange={(e) => setReason(e.target.value)} data-testid="rollback-reason-input" />
          <button
            className="btn btn--primary"
            disabled={reason.trim() === '' || rollback.isPending}
            onClick={() => rollback.mutate({ id: d.id, reason: reason.trim(), ...fromOf(actAs) }, { onSuccess: () => setConfirming(false) })}
            data-testid="rollback-confirm-button"
          >
            Confirm rollback
          </button>
          <button className="btn btn--ghost" onClick={() => setConfirming(false)} data-testid="rollback-cancel">
            Cancel
          </button>
        </div>
      )}
      <ErrorNote error={err} testId="action-error" />
    </div>
  );
}

export function Treasury() {
  const on = useLive((s) => s.connection) === 'open';
  const [status, setStatus] = useState<string>('');
  const [search, setSearch] = useState('');
  const [selected, setSelected] = useState<number | null>(null);
  const [actAs, setActAs] = useState<ActAs>('');
  const balance = rpc['gov.treasury.balance'].useQuery(undefined, { enabled: on });
  const exec = rpc['gov.treasury.executor_status'].useQuery(undefined, { enabled: on });
  const wallet = rpc['wallet.list'].useQuery(undefined, { enabled: on });
  const list = rpc['gov.treasury.disbursements'].useQuery(
    { limit: 200, ...(status ? { status: status as DisbursementView['status'] } : {}), ...(search ? { search } : {}) },
    { enabled: on },
  );
  const rows = list.data?.disbursements ?? [];
  const chosenId = selected ?? rows[0]?.id;
  const detail = rpc['gov.treasury.disbursement'].useQuery({ id: chosenId ?? 1 }, { enabled: on && chosenId !== undefined });
  const d = chosenId !== undefined ? detail.data?.disbursement : undefined;
  const localKeys = [
    ...(exec.data ? [{ name: 'node key', address: exec.data.self }] : []),
    ...(wallet.data?.wallets ?? []).filter((k) => k.address !== exec.data?.self).map((k) => ({ name: k.name, address: k.address })),
  ];
  const lease = exec.data?.lease;
  return (
    <div className="page" data-testid="page-treasury">
      <div className="stats">
        <Stat
          label="Treasury balance"
          value={balance.data?.balance ?? '—'}
          sub={balance.data ? `base units · ${balance.data.fees_accrued} from fees (${balance.data.fee_share_bps / 100} % share)` : 'base units of BLOCK'}
          testId="treasury-balance"
        />
        <Stat label="Committed" value={balance.data?.committed ?? '—'} sub="approved, not executed" testId="treasury-committed" />
        <Stat label="Disbursements" value={rows.length} sub={status || 'all statuses'} testId="treasury-count" />
        <Stat
          label="Executor lease"
          value={lease ? (lease.live ? `#${lease.id} live` : `#${lease.id} expired`) : 'none'}
          sub={lease ? `${lease.holder === exec.data?.self ? 'this node' : lease.holder.slice(0, 12) + '…'} until #${lease.expires_height}` : 'taken on first execution'}
          testId="treasury-lease"
          tone={lease?.live ? 'ok' : undefined}
        />
      </div>
      <ErrorNote error={balance.error} testId="treasury-error" />
      <div className="grid-2">
        <Card title="Balance and inflow" testId="balance-card">
          <BalanceChart history={balance.data?.history ?? []} />
          {balance.data?.address && (
            <div className="muted small" data-testid="treasury-address">
              Treasury account <span className="mono">{balance.data.address}</span>
            </div>
          )}
        </Card>
        <Card
          title="Create from a JSON template"
          testId="create-card"
          actions={
            <label className="row muted">
              sign and pay as
              <select value={actAs} onChange={(e) => setActAs(e.target.value)} data-testid="act-as" aria-label="key that signs and pays the fee">
                <option value="">node key</option>
                {(wallet.data?.wallets ?? []).map((k) => (
                  <option key={k.name} value={k.name}>
                    {k.name}
                  </option>
                ))}
              </select>
            </label>
          }
        >
          <CreatePanel actAs={actAs} />
        </Card>
      </div>
      <div className="treasury-split">
        <Card
          title="Disbursements"
          testId="disbursements-card"
          actions={
            <div className="row">
              <select value={status} onChange={(e) => setStatus(e.target.value)} data-testid="status-filter" aria-label="status filter">
                <option value="">all</option>
                {DISBURSEMENT_STATUS_NAMES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
              <input className="input" placeholder="search" value={search} onChange={(e) => setSearch(e.target.value)} data-testid="disbursement-search" aria-label="search" />
            </div>
          }
        >
          <table className="table" data-testid="disbursements-table">
            <thead>
              <tr>
                <th>#</th>
                <th>Title</th>
                <th>Status</th>
                <th className="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={r.id === chosenId ? 'row--selected' : ''} onClick={() => setSelected(r.id)} data-testid={`disbursement-row-${r.id}`}>
                  <td>{r.id}</td>
                  <td>{r.title}</td>
                  <td>
                    <span className={`pill status--${r.status.toLowerCase()}`}>{r.status}</span>
                  </td>
                  <td className="num">{r.amount}</td>
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No disbursements{status || search ? ' match' : ' yet'}.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </Card>
        <Card title="Timeline" testId="timeline-card">
          {d ? (
            <>
              <DisbursementTimeline d={d} localKeys={localKeys} />
              <Actions d={d} actAs={actAs} />
            </>
          ) : (
            <p className="muted">Select a disbursement to see its timeline.</p>
          )}
        </Card>
      </div>
    </div>
  );
}
