/**
 * Energy: the energy market — mode (rehearsal until the governor's energy gate enters), providers
 * (capacity, price, stake, readings, last reading age, status) with their coverage (readings
 * received vs expected, nonce gaps, stale meters), the trace of a reading (reading → credit →
 * settlement → receipt → dispute), pending credits with settle / dispute, receipts, disputes with
 * the validator vote, charts of kWh traded and average price, the register and submit/verify
 * forms, and the key registry. Live through `energy.marketChanged` and new heads (energy/live.ts).
 */
import { useEffect, useState } from 'react';
import { rpc } from '../api/hooks';
import { Card, Stat } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { EnergyChart } from '../energy/Charts';
import { ReadingForm, RegisterForm } from '../energy/Forms';
import { KeyRegistry } from '../energy/Keys';
import { coverage, trace } from '../energy/model';
import { fmtInt, shortHash } from '../format';
import { useLive } from '../store/live';
import '../energy/energy.css';


function useNowS(): number {
  const [now, setNow] = useState(Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
/** What each provider status means and what the operator can do about it. */
const STATUS_HINT: Record<string, string> = {
  active: 'readings arrive and verify',
  stale: 'no reading within the oracle timeout: check the meter or the oracle that submits for it',
  no_readings: 'registered, no reading yet: point an oracle (e.g. npx tb-mock-oracle) at this meter',
  no_key: "no verifier key for this provider: add its meter's public key in the Provider key registry (or [energy] provider_keys in the config); readings are refused until then",
};

const age = (s: number | null) => (s === null ? '—' : s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${Math.round(s / 3600)} h`);

export function Energy() {
  const on = useLive((s) => s.connection) === 'open';
  const market = rpc['energy.market_state'].useQuery(undefined, { enabled: on });
  const settle = rpc['energy.settle'].useMutation();
  const flag = rpc['energy.flag_dispute'].useMutation();
  const resolve = rpc['energy.resolve_dispute'].useMutation();
  const now = useNowS();
  const [selected, setSelected] = useState<string | null>(null);
  const [kwh, setKwh] = useState<Record<string, string>>({});
  const [done, setDone] = useState<string | null>(null);
  const m = market.data;
  const trade = m?.governance.market_mode === 'trade';
  const hash = selected ?? m?.receipts.at(-1)?.meter_hash ?? m?.credits[0]?.meter_hash ?? null;
  const busy = settle.isPending || flag.isPending || resolve.isPending;
  const act = async (what: string, f: () => Promise<unknown>) => {
    for (const x of [settle, flag, resolve]) x.reset();
    setDone(null);
    await f().then(() => setDone(`${what}: submitted — it applies in the next block`)).catch(() => undefined);
  };

  return (
    <div className="page" data-testid="page-energy">
      <div className="stats">
        <Stat label="Mode" value={m ? (trade ? 'Trade' : 'Rehearsal') : '—'} sub={trade ? 'value moves' : 'recorded, no value moves'} testId="energy-mode" tone={trade ? 'ok' : 'warn'} />
        <Stat label="Providers" value={m?.providers.length ?? '—'} sub={`min stake ${fmtInt(m?.governance.min_stake)}`} testId="energy-providers-count" />
        <Stat label="Pending credits" value={m?.credits.length ?? '—'} sub={`${fmtInt(m?.credits.reduce((n, c) => n + c.amount_kwh, 0))} kWh`} testId="energy-pending" />
        <Stat label="kWh traded" value={fmtInt(m?.totals.kwh_traded)} sub={`${m?.totals.settlements ?? 0} settlements · fees ${fmtInt(m?.totals.treasury_fee)}`} testId="energy-traded" />
        <Stat label="Open disputes" value={m?.disputes.filter((d) => d.status === 'open').length ?? '—'} sub={`slashed ${fmtInt(m?.totals.slashed)}`} testId="energy-disputes-count" tone={m?.disputes.some((d) => d.status === 'open') ? 'warn' : 'ok'} />
      </div>
      <ErrorNote error={market.error ?? settle.error ?? flag.error ?? resolve.error} testId="energy-error" />
      {done && (
        <p className="muted" data-testid="energy-done">
          {done}
        </p>
      )}

      <Card title="Providers and coverage" testId="energy-providers">
        <div className="energy-table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th>Provider</th>
                <th>Meter</th>
                <th>Capacity / avail. (kWh)</th>
                <th>Price</th>
                <th>Stake</th>
                <th>Readings (expected)</th>
                <th>Nonce gaps</th>
                <th>Last reading</th>
                <th>Status</th>
              </tr>
            </thead>
            <tbody>
              {(m?.providers ?? []).map((p) => {
                const c = coverage(m!, p.provider_id, now);
                const status = c.stale ? 'stale' : p.status;
                return (
                  <tr key={p.provider_id} data-testid={`energy-provider-${p.provider_id}`}>
                    <td>{p.provider_id}</td>
                    <td>{p.meter_address}</td>
                    <td>
                      {fmtInt(p.capacity_kwh)} / {fmtInt(p.available_kwh)}
                    </td>
                    <td>{fmtInt(p.price_per_kwh)}</td>
                    <td>
                      {fmtInt(p.staked_balance)}
                      {p.escrowed ? ' (escrow)' : ''}
                    </td>
                    <td data-testid={`energy-coverage-${p.provider_id}`}>
                      {p.readings} ({c.expected})
                    </td>
                    <td className="energy-gaps" data-testid={`energy-gaps-${p.provider_id}`}>
                      {c.gaps.length === 0 ? 'none' : c.gaps.slice(0, 8).join(', ') + (c.gaps.length > 8 ? '…' : '')}
                    </td>
                    <td>{age(c.age_s)}</td>
                    <td>
                      <span className={`pill pill--${status === 'active' ? 'ok' : 'warn'}`} title={STATUS_HINT[status]}>
                        {status.replace('_', ' ')}
                      </span>
                      {status === 'no_key' && <div className="muted small">add its meter key below (Provider key registry)</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {m && m.providers.length === 0 && <p className="muted">No providers yet: register one below (or <code>contract-cli energy register</code>).</p>}
        </div>
      </Card>

      <div className="energy-grid">
        <Card title="Pending credits" testId="energy-credits">
          {(m?.credits ?? []).length === 0 && <p className="muted">No pending credits.</p>}
          {(m?.credits ?? []).map((c) => (
            <div key={c.meter_hash} className="energy-row" data-testid={`energy-credit-${c.meter_hash.slice(0, 12)}`}>
              <span>
                <button className="btn btn--ghost mono energy-hash" onClick={() => setSelected(c.meter_hash)} title="trace this reading">
                  {shortHash(c.meter_hash, 8)}
                </button>{' '}
                {c.provider} · {fmtInt(c.amount_kwh)} kWh · block {c.timestamp}
              </span>
              <span className="energy-actions">
                <input className="input energy-kwh" value={kwh[c.meter_hash] ?? String(c.amount_kwh)} inputMode="numeric" onChange={(e) => setKwh({ ...kwh, [c.meter_hash]: e.target.value.trim() })} data-testid={`energy-settle-kwh-${c.meter_hash.slice(0, 12)}`} aria-label="kWh to settle" />
                <button className="btn btn--primary" disabled={busy} onClick={() => void act(`settle ${c.provider}`, () => settle.mutateAsync({ provider_id: c.provider, kwh_consumed: Number(kwh[c.meter_hash] ?? c.amount_kwh), meter_hash: c.meter_hash }))} data-testid={`energy-settle-${c.meter_hash.slice(0, 12)}`}>
                  Settle
                </button>
                <button className="btn" disabled={busy} onClick={() => void act('flag dispute', () => flag.mutateAsync({ meter_hash: c.meter_hash, reason: 'flagged from the console' }))} data-testid={`energy-flag-${c.meter_hash.slice(0, 12)}`}>
                  Dispute
                </button>
              </span>
            </div>
          ))}
        </Card>
        <Card title={hash ? `Trace ${shortHash(hash, 12)}` : 'Trace'} testId="energy-trace">
          {!hash && <p className="muted">Pick a credit or a receipt to trace it.</p>}
          {hash && m && (
            <ol className="energy-trace">
              {trace(m, hash).map((s, i) => (
                <li key={i} data-done={String(s.done)} data-testid={`energy-trace-${s.step}`}>
                  <b>{s.step}</b>
                  <span className="muted">{s.at}</span>
                  <span>{s.text}</span>
                </li>
              ))}
            </ol>
          )}
        </Card>
      </div>

      <div className="energy-grid">
        <Card title="kWh traded and average price" testId="energy-charts">
          {m && <EnergyChart market={m} />}
        </Card>
        <Card title="Receipts" testId="energy-receipts">
          {(m?.receipts ?? []).length === 0 && <p className="muted">No receipts yet.</p>}
          {[...(m?.receipts ?? [])].reverse().slice(0, 12).map((r, i) => (
            <div key={`${r.meter_hash}-${r.block_settled}-${i}`} className="energy-row" data-testid="energy-receipt">
              <span>
                <button className="btn btn--ghost mono energy-hash" onClick={() => setSelected(r.meter_hash)}>
                  {shortHash(r.meter_hash, 10)}
                </button>{' '}
                {r.seller} · {fmtInt(r.kwh_delivered)} kWh · paid {fmtInt(r.price_paid)} · fee {fmtInt(r.treasury_fee)} · block {r.block_settled}
                {r.trade ? '' : ' · rehearsal'}
              </span>
              <button className="btn" disabled={busy} onClick={() => void act('flag dispute', () => flag.mutateAsync({ meter_hash: r.meter_hash, reason: 'flagged from the console' }))}>
                Dispute
              </button>
            </div>
          ))}
        </Card>
      </div>

      <Card title="Disputes (resolved by a validator stake majority)" testId="energy-disputes">
        {(m?.disputes ?? []).length === 0 && <p className="muted">No disputes.</p>}
        {(m?.disputes ?? []).map((d) => (
          <div key={d.id} className="energy-row" data-testid={`energy-dispute-${d.id}`}>
            <span>
              #{d.id} {d.provider_id} · {shortHash(d.meter_hash, 10)} · {d.reason} ·{' '}
              <span className={`pill pill--${d.status === 'open' ? 'warn' : 'ok'}`}>{d.outcome ?? d.status}</span>
              {d.slash_applied ? ` · slashed ${fmtInt(d.slash_applied)}` : ''}
            </span>
            {d.status === 'open' && (
              <span className="energy-actions">
                <button className="btn btn--danger" disabled={busy} onClick={() => void act(`uphold dispute ${d.id}`, () => resolve.mutateAsync({ dispute_id: d.id, outcome: 'uphold' }))} data-testid={`energy-uphold-${d.id}`}>
                  Uphold (slash {m?.governance.slashing_rate_bps} bps)
                </button>
                <button className="btn" disabled={busy} onClick={() => void act(`dismiss dispute ${d.id}`, () => resolve.mutateAsync({ dispute_id: d.id, outcome: 'dismiss' }))} data-testid={`energy-dismiss-${d.id}`}>
                  Dismiss
                </button>
              </span>
            )}
          </div>
        ))}
      </Card>

      <div className="energy-grid">
        <Card title="Register a provider" testId="energy-register-card">
          <RegisterForm minStake={m?.governance.min_stake ?? 1000} />
        </Card>
        <Card title="Submit or verify a reading" testId="energy-reading-card">
          <ReadingForm />
        </Card>
      </div>
      <Card title="Provider key registry" testId="energy-keys-card">
        <KeyRegistry enabled={on} />
      </Card>
    </div>
  );
}
