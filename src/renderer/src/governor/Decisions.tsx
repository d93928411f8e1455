/** Pending intents (with their apply epoch) and the decision list (filter by gate, newest first). */
import { GATE_NAMES, type GateName, type IntentSummary } from '../../../shared/api/governor';
import { shortHash } from '../format';
import { useGovernorUi } from './store';

const STATE_TONE: Record<IntentSummary['state'], string> = { pending: 'warn', applied: 'ok', expired: 'bad', shadow: 'muted' };

export function IntentState({ s }: { s: IntentSummary['state'] }) {
  return <span className={`gstate gstate--${STATE_TONE[s]}`}>{s}</span>;
}

export function PendingIntents({ pending, epoch }: { pending: IntentSummary[]; epoch: number | undefined }) {
  if (pending.length === 0)
    return (
      <p className="muted" data-testid="pending-empty">
        No pending intents.
      </p>
    );
  return (
    <ul className="intents" data-testid="pending-intents">
      {pending.map((p) => (
        <li key={p.id} className="intent" data-testid={`pending-${p.id}`}>
          <div className="intent__head">
            <span className="mono intent__id">{p.id}</span>
            <IntentState s={p.state} />
          </div>
          <div className="intent__change">
            {p.gate}: {p.from_state} → {p.to_state}
          </div>
          <div className="intent__meta">
            <span>
              applies at epoch{' '}
              <b className="mono" data-testid={`pending-apply-${p.id}`}>
                {p.epoch_apply}
              </b>
              {epoch !== undefined && p.epoch_apply > epoch ? ` (in ${p.epoch_apply - epoch})` : ''}
            </span>
            <span className="mono" title={p.hold_reason ?? p.tx_hash}>
              {p.hold_reason ? <span className="tone--bad">held</span> : p.tx_hash ? `tx ${shortHash(p.tx_hash, 6)}` : p.state === 'shadow' ? 'shadow: not submitted' : ''}
            </span>
          </div>
          {p.hold_reason && <div className="intent__hold tone--bad">{p.hold_reason}</div>}
        </li>
      ))}
    </ul>
  );
}

export function DecisionList({ decisions }: { decisions: IntentSummary[] }) {
  const { gateFilter, setGateFilter, selected, select } = useGovernorUi();
  const shown = decisions.filter((d) => gateFilter === 'all' || d.gate === gateFilter);
  return (
    <div className="decisions">
      <div className="toolbar">
        <label className="field--inline">
          <span className="muted">Gate</span>{' '}
          <select className="input" value={gateFilter} onChange={(e) => setGateFilter(e.target.value as GateName | 'all')} data-testid="decision-filter">
            <option value="all">all gates</option>
            {GATE_NAMES.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <span className="toolbar__spacer" />
        <span className="muted small">{shown.length} decision(s), newest first</span>
      </div>
      <table className="table table--click table--nowrap" data-testid="decision-list">
        <thead>
          <tr>
            <th>Intent</th>
            <th>Change</th>
            <th className="num">Epoch</th>
            <th className="num">Applies</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((d) => (
            <tr key={d.id} className={selected === d.id ? 'is-selected' : undefined} onClick={() => select(d.id)} data-testid={`decision-${d.id}`} tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && select(d.id)}>
              <td className="mono">{d.id}</td>
              <td>
                {d.from_state} → {d.to_state}
              </td>
              <td className="num mono">{d.created_epoch}</td>
              <td className="num mono">{d.epoch_apply}</td>
              <td>
                <IntentState s={d.state} />
              </td>
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={5} className="muted" data-testid="decision-list-empty">
                No decisions{gateFilter === 'all' ? ' yet' : ` for ${gateFilter}`}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
