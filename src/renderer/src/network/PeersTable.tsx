/** Connected peers (id, address, transport, direction, latency, score, heights) with connect / disconnect / ban. Peer data is untrusted text. */
import { useState } from 'react';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { useLive } from '../store/live';
import { fmtDuration, fmtInt, shortHash } from '../format';

const MULTIADDR = /^\/(ip4|ip6|dns4|dns6)\/\S+$/;

export function PeersTable() {
  const on = useLive((s) => s.connection) === 'open';
  const peers = rpc['net.peers'].useQuery(undefined, { enabled: on });
  const disconnect = rpc['net.disconnect'].useMutation();
  const ban = rpc['net.ban'].useMutation();
  const connect = rpc['net.connect'].useMutation();
  const [addr, setAddr] = useState('');
  const list = peers.data ?? [];
  const addrOk = MULTIADDR.test(addr.trim());
  const after = () => void peers.refetch();
  return (
    <>
      <table className="table net__peers" data-testid="peers-table">
        <thead>
          <tr>
            <th>Peer</th>
            <th>Address</th>
            <th>Transport</th>
            <th>Direction</th>
            <th className="num">Latency</th>
            <th className="num">Score</th>
            <th className="num">Head</th>
            <th className="num">Connected</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((p) => (
            <tr key={p.peer_id} data-testid="peer-row" data-peer={p.peer_id}>
              <td className="mono" title={p.peer_id}>
                <span className="net__peer">{shortHash(p.peer_id, 6)}</span>
                {p.validator && <span className="pill pill--ok net__role">validator</span>}
              </td>
              <td className="mono muted net__addr" title={p.address}>
                {p.address.replace(/\/p2p\/.*$/, '')}
              </td>
              <td>
                <span
                  className={`pill ${p.transport === 'quic' ? 'pill--ok' : ''}`}
                  data-testid="peer-transport"
                >
                  {p.transport.toUpperCase()}
                </span>
              </td>
              <td>{p.direction}</td>
              <td className="num mono">{p.latency_ms === null ? '—' : `${p.latency_ms} ms`}</td>
              <td
                className={`num mono ${p.score < 0 ? 'tone--bad' : ''}`}
                title={`application score ${p.app_score}`}
              >
                {p.score.toFixed(2)}
              </td>
              <td className="num mono">{fmtInt(p.head_height)}</td>
              <td className="num">{fmtDuration(p.connected_ms)}</td>
              <td className="net__actions">
                <div className="net__action-btns">
                  <button
                    className="btn btn--ghost"
                    data-testid="peer-disconnect"
                    disabled={disconnect.isPending}
                    onClick={() => disconnect.mutate({ peer_id: p.peer_id }, { onSettled: after })}
                  >
                    Disconnect
                  </button>
                  <button
                    className="btn btn--ghost"
                    data-testid="peer-ban"
                    disabled={ban.isPending}
                    onClick={() => ban.mutate({ peer_id: p.peer_id }, { onSettled: after })}
                  >
                    Ban
                  </button>
                </div>
              </td>
            </tr>
          ))}
          {list.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                No peers connected
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form
        className="net__connect"
        onSubmit={(e) => {
          e.preventDefault();
          if (addrOk)
            connect.mutate({ addr: addr.trim() }, { onSuccess: () => setAddr(''), onSettled: after });
        }}
      >
        <input
          className="input mono"
          placeholder="/ip4/127.0.0.1/tcp/30333/p2p/12D3KooW…"
          value={addr}
          onChange={(e) => setAddr(e.target.value)}
          aria-invalid={addr !== '' && !addrOk}
          data-testid="connect-addr"
        />
        <button
          className="btn"
          type="submit"
          disabled={!addrOk || connect.isPending}
          data-testid="connect-peer"
        >
          Connect
        </button>
      </form>
      <ErrorNote error={connect.error ?? disconnect.error ?? ban.error ?? peers.error} testId="peers-error" />
    </>
  );
}
