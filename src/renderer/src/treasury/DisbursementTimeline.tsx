/**
 * One disbursement's timeline: the stage strip across every state (entry height, time, who),
 * vote bars with the quorum line and turnout, which local keys voted, the countdown to the next
 * transition, the decoded effect, the execution tx and receipts, and the explicit final state.
 * Everything shown comes from the `gov.treasury.disbursement` view (= `gov disburse show --format json`);
 * `data-field` attributes name the view field each figure shows (the parity test reads them).
 */
import type { DisbursementView } from '../../../shared/api/treasury';

const PATH = ['Draft', 'Voting', 'Queued', 'Timelocked', 'Executed', 'Finalized'] as const;

function ppm(n: number): string {
  return `${(n / 10_000).toFixed(n % 10_000 === 0 ? 0 : 2)}%`;
}
function short(a: string): string {
  return a.length > 16 ? `${a.slice(0, 9)}…${a.slice(-5)}` : a;
}

export function StageStrip({ d }: { d: DisbursementView }) {
  const at = new Map(d.stages.map((s) => [s.status, s]));
  const end = d.status === 'RolledBack' || d.status === 'Expired' ? d.status : null;
  const steps: string[] = [...PATH];
  if (end) {
    const reached = PATH.filter((p) => at.has(p));
    steps.splice(reached.length, steps.length - reached.length, end);
  }
  return (
    <ol className="strip" data-testid="stage-strip">
      {steps.map((st) => {
        const s = at.get(st as DisbursementView['status']);
        const cur = d.status === st;
        return (
          <li key={st} className={`strip__step ${s ? 'strip__step--done' : ''} ${cur ? 'strip__step--current' : ''} strip__step--${st.toLowerCase()}`} data-testid={`stage-${st}`} data-entered={s ? 'yes' : 'no'}>
            <div className="strip__name">{st}</div>
            {s ? (
              <div className="strip__meta">
                <span data-field="height">#{s.height}</span>
                <span data-field="at_ms">{new Date(s.at_ms).toLocaleTimeString()}</span>
                <span className="mono" data-field="by" title={s.by}>
                  {s.by === 'chain' ? 'chain' : short(s.by)}
                </span>
              </div>
            ) : (
              <div className="strip__meta muted">—</div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export function VoteBars({ d, localKeys }: { d: DisbursementView; localKeys: { name: string; address: string }[] }) {
  const v = d.votes;
  const total = Number(v.total_stake) || 1;
  const pct = (x: string) => (Number(x) / total) * 100;
  const voted = new Map(v.voters.map((x) => [x.address, x.choice]));
  return (
    <div className="votes" data-testid="vote-bars">
      <div className="votes__bar" title={`turnout ${ppm(v.turnout_ppm)}, quorum ${ppm(v.quorum_ppm)}`}>
        <span className="votes__seg votes__seg--yes" style={{ width: `${pct(v.yes)}%` }} />
        <span className="votes__seg votes__seg--no" style={{ width: `${pct(v.no)}%` }} />
        <span className="votes__seg votes__seg--abstain" style={{ width: `${pct(v.abstain)}%` }} />
        <span className="votes__quorum" style={{ left: `${v.quorum_ppm / 10_000}%` }} data-testid="quorum-line" />
      </div>
      <div className="votes__legend">
        <span className="tone--ok" data-testid="votes-yes">for {v.yes}</span>
        <span className="tone--bad" data-testid="votes-no">against {v.no}</span>
        <span className="muted" data-testid="votes-abstain">abstain {v.abstain}</span>
        <span data-testid="votes-turnout">
          turnout {ppm(v.turnout_ppm)} / quorum {ppm(v.quorum_ppm)}
        </span>
        <span className={v.passing ? 'tone--ok' : 'tone--bad'} data-testid="votes-passing">
          {v.passing ? 'passing' : 'not passing'}
        </span>
      </div>
      <ul className="votes__keys" data-testid="local-votes">
        {localKeys.map((k) => (
          <li key={k.address}>
            <b>{k.name}</b> <span className="mono">{short(k.address)}</span>: {voted.get(k.address) ? <span data-testid={`voted-${k.name}`}>voted {voted.get(k.address)}</span> : <span className="muted" data-testid={`voted-${k.name}`}>not voted</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function DisbursementTimeline({ d, localKeys }: { d: DisbursementView; localKeys: { name: string; address: string }[] }) {
  const final = d.status === 'Finalized' || d.status === 'RolledBack' || d.status === 'Expired';
  return (
    <div className="timeline" data-testid="disbursement-timeline" data-id={d.id}>
      <div className="timeline__head">
        <div>
          <div className="timeline__title">
            #{d.id} {d.title}
          </div>
          <div className="muted">{d.summary}</div>
        </div>
        <span className={`pill status--${d.status.toLowerCase()}`} data-testid="timeline-status">
          {d.status}
        </span>
      </div>
      <StageStrip d={d} />
      {final && (
        <div className={`final final--${d.status.toLowerCase()}`} data-testid="final-state">
          <b>{d.status}</b>
          {d.status === 'Finalized' && <> — executed in tx <span className="mono">{d.tx_hash}</span>; the rollback window has closed.</>}
          {d.status === 'Expired' && <> — the vote did not pass (turnout {ppm(d.votes.turnout_ppm)} of quorum {ppm(d.votes.quorum_ppm)}, for {d.votes.yes} / against {d.votes.no}).</>}
          {d.rollback && (
            <>
              {' '}
              — reason: <span data-testid="rollback-reason">{d.rollback.reason}</span>
              {d.rollback.compensation ? (
                <div data-testid="compensation">
                  compensating move: {d.rollback.compensation.amount} from <span className="mono">{short(d.rollback.compensation.from)}</span> back to the treasury in tx{' '}
                  <span className="mono">{d.rollback.compensation.tx_hash.slice(0, 16)}…</span> at height {d.rollback.compensation.height} (undoes tx <span className="mono">{d.rollback.prior_tx?.slice(0, 16)}…</span>)
                </div>
              ) : (
                <div className="muted">cancelled before execution: nothing moved.</div>
              )}
            </>
          )}
        </div>
      )}
      <div className="timeline__grid">
        <div>
          <div className="section-title">Votes (stake-weighted)</div>
          <VoteBars d={d} localKeys={localKeys} />
        </div>
        <div>
          <div className="section-title">Next transition</div>
          {d.next ? (
            <div data-testid="countdown">
              <b>{d.next.event.replace(/_/g, ' ')}</b> at height {d.next.height}: in <b data-testid="blocks-left">{d.next.blocks_left}</b> blocks (at ~{new Date(d.next.eta_ms).toLocaleTimeString()})
            </div>
          ) : (
            <div className="muted" data-testid="countdown">
              {d.status === 'Draft' ? 'waiting for the vote to be opened' : d.status === 'Timelocked' ? 'ready: waiting for the executor' : 'none'}
            </div>
          )}
          <div className="section-title">Effect</div>
          <div data-testid="effect">
            {d.amount} → <span className="mono" title={d.destination}>{short(d.destination)}</span>; treasury {d.effect.treasury_before} → <b>{d.effect.treasury_after}</b>
            {(d.status === 'RolledBack' || d.status === 'Expired') && <span className="muted"> (no lasting effect)</span>}
          </div>
          <div className="section-title">Execution</div>
          <div data-testid="exec-tx" className="mono">
            {d.tx_hash ?? '—'}
          </div>
          {d.execution_fee !== null && (
            <div className="muted" data-testid="exec-fee">
              fee {d.execution_fee}, paid by the treasury
            </div>
          )}
          {d.receipts.length > 0 && (
            <ul className="receipts" data-testid="receipts">
              {d.receipts.map((r) => (
                <li key={r.account}>
                  {r.account}: {r.amount}
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </div>
  );
}
