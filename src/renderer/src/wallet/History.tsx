/** Transfers in and out of a local key (`wallet.history`, newest first; refreshed with each block). */
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { fmtClock, fmtInt, shortHash } from '../format';
import { useLive } from '../store/live';

export function History({ address }: { address: string }) {
  const on = useLive((s) => s.connection) === 'open';
  const h = rpc['wallet.history'].useQuery({ address, limit: 20 }, { enabled: on });
  const d = h.data;
  return (
    <div data-testid="wallet-history">
      <ErrorNote error={h.error} />
      {d && d.entries.length === 0 && <p className="muted small">No transfers in or out in the last {fmtInt(d.scanned_to - d.scanned_from + 1)} blocks.</p>}
      {d && d.entries.length > 0 && (
        <table className="table table--compact">
          <thead>
            <tr>
              <th />
              <th className="num">Amount</th>
              <th>With</th>
              <th className="num">Block</th>
              <th>Time</th>
            </tr>
          </thead>
          <tbody>
            {d.entries.map((e) => (
              <tr key={`${e.hash}-${e.direction}`} data-testid="history-row" data-direction={e.direction} title={`tx ${e.hash} · fee ${e.fee}`}>
                <td>
                  <span className={`pill ${e.direction === 'in' ? 'pill--ok' : ''}`}>{e.direction === 'in' ? 'in' : 'out'}</span>
                </td>
                <td className="num mono" data-testid="history-amount">
                  {e.direction === 'in' ? '+' : '−'}
                  {fmtInt(e.amount)}
                </td>
                <td className="mono">{shortHash(e.counterparty, 6)}</td>
                <td className="num mono">#{fmtInt(e.height)}</td>
                <td className="mono small">{fmtClock(e.timestamp_ms).slice(0, 8)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
