/**
 * The Finality card of Network & Sync (issue 10): Tendermint's view of this node — the height being
 * decided, its round and step, the round's proposer and why the last round timed out — then the
 * last committed block (every committed block is final), the stake counted and the precommit stake
 * a block needs (more than 2/3 of the active stake), equivocation evidence (two signed messages of
 * one validator in one height/round/step for different values), the validators excluded by evidence
 * committed in a block ("excluded from height N": their stake counts in no quorum from N on) and
 * the validators.
 */
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { useLive } from '../store/live';
import { fmtDuration, fmtInt, shortHash } from '../format';

const STEP: Record<string, string> = { newHeight: 'waiting for the block time', propose: 'propose', prevote: 'prevote', precommit: 'precommit' };

export function FinalityCard() {
  const on = useLive((s) => s.connection) === 'open';
  const f = rpc['consensus.finality'].useQuery(undefined, { enabled: on });
  const d = f.data;
  if (!d) return <ErrorNote error={f.error} />;
  const c = d.consensus;
  return (
    <>
      <dl className="kv kv--compact">
        {c && (
          <>
            <div className="kv__row">
              <dt>Deciding</dt>
              <dd className="mono" data-testid="cons-state">
                height #{fmtInt(c.height)} · round {c.round} · {STEP[c.step] ?? c.step}
              </dd>
            </div>
            <div className="kv__row">
              <dt>Proposer</dt>
              <dd className="mono" title={c.proposer} data-testid="cons-proposer">
                {shortHash(c.proposer, 8)}
              </dd>
            </div>
            <div className="kv__row">
              <dt>Last round timeout</dt>
              <dd data-testid="cons-timeout" className={c.round > 0 ? 'tone--warn' : ''}>
                {c.last_timeout ? `${c.last_timeout.step} in round ${c.last_timeout.round}, ${fmtDuration(c.last_timeout.ago_ms)} ago` : 'none at this height'}
                {c.round_reason && <div className="muted small">{c.round_reason}</div>}
              </dd>
            </div>
          </>
        )}
        <div className="kv__row">
          <dt>Finalized</dt>
          <dd className="mono" data-testid="fin-height">
            #{fmtInt(d.finalized_height)} <span className="muted">{shortHash(d.finalized_hash, 8)}</span>
          </dd>
        </div>
        <div className="kv__row">
          <dt>Stake / needed to commit</dt>
          <dd className="mono" data-testid="fin-stake">
            {fmtInt(d.effective_total_stake)} / {fmtInt(d.finality_threshold)}
          </dd>
        </div>
        <div className="kv__row">
          <dt>Equivocated stake</dt>
          <dd className={`mono ${d.equivocated_stake !== '0' ? 'tone--bad' : ''}`} data-testid="fin-equivocated">
            {fmtInt(d.equivocated_stake)}
          </dd>
        </div>
        <div className="kv__row">
          <dt>Excluded stake</dt>
          <dd className={`mono ${d.excluded_stake !== '0' ? 'tone--warn' : ''}`} data-testid="fin-excluded">
            {fmtInt(d.excluded_stake)}
            {d.excluded_validators.map((x) => (
              <div key={x.address} className="muted small" title={x.address}>
                {shortHash(x.address, 8)} excluded from height #{fmtInt(x.from_height)}
              </div>
            ))}
          </dd>
        </div>
        <div className="kv__row">
          <dt>This node</dt>
          <dd>{d.is_validator ? 'validator' : 'full node (verifies and follows)'}</dd>
        </div>
      </dl>
      {d.equivocations.length > 0 && (
        <ul className="net__evidence" data-testid="fin-evidence">
          {d.equivocations.map((e) => (
            <li key={e.validator} className="tone--bad">
              <span className="mono" title={e.validator}>
                {shortHash(e.validator, 8)}
              </span>{' '}
              signed two {e.kind}s at height #{fmtInt(e.height)} round {e.round}:{' '}
              <span className="mono">{e.votes.map((v) => (v.block_hash ? shortHash(v.block_hash, 6) : 'nil')).join(' ≠ ')}</span>
            </li>
          ))}
        </ul>
      )}
      <table className="table net__validators">
        <thead>
          <tr>
            <th>Validator</th>
            <th className="num">Stake</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {d.validators.map((v) => (
            <tr key={v.address}>
              <td className="mono" title={v.address}>
                {shortHash(v.address, 8)}
                {v.self && <span className="pill net__role">this node</span>}
                {c && c.proposer === v.address && <span className="pill net__role">proposer</span>}
              </td>
              <td className="num mono">{fmtInt(v.stake)}</td>
              <td>
                {v.excluded_from_height !== null ? (
                  <span className="pill pill--bad">excluded from height {fmtInt(v.excluded_from_height)}</span>
                ) : v.equivocated ? (
                  <span className="pill pill--bad">equivocated — evidence held, not yet committed</span>
                ) : (
                  <span className="pill pill--ok">active</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
