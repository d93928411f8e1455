/**
 * Network & Sync: pick a network (dev, the console's practice testnet, imported networks, local
 * testnets found on disk, resources/networks/) — the list starts at the current one — and join it
 * after a confirmation that says what happens; start a practice testnet (no terminal); import a
 * network file or invite, copy one to share. Joining: the console restarts the node on that network with its own data root,
 * the node dials the bootstrap peers and the sync phases show with blocks/s, ETA and a progress
 * bar — then the peers (id, address, QUIC/TCP, latency, score, direction) with connect /
 * disconnect / ban, and finality: Tendermint's height / round / step / proposer / last round timeout,
 * the last committed block, stake needed to commit, equivocation evidence (network/FinalityCard.tsx).
 */
import { useEffect, useRef, useState } from 'react';
import { rpc } from '../api/hooks';
import { Card, Stat } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { PeersTable } from '../network/PeersTable';
import { SyncProgress } from '../network/SyncProgress';
import { useLive } from '../store/live';
import { fmtInt, shortHash } from '../format';
import { ClockCheck } from '../network/ClockCheck';
import { ConfirmDialog } from '../network/ConfirmDialog';
import { ImportNetwork } from '../network/ImportNetwork';
import { JoinText } from '../network/JoinText';
import { PracticeCard } from '../network/PracticeCard';
import { FinalityCard } from '../network/FinalityCard';
import '../network/network.css';

/** The page's icon in the navigation (pages/registry.tsx). */

const SOURCE: Record<string, string> = { dev: 'this machine', local: 'local testnet', builtin: 'built-in', practice: 'practice testnet', imported: 'imported' };

function NetworkPicker({ picked, setPicked }: { picked: string; setPicked(n: string): void }) {
  const on = useLive((s) => s.connection) === 'open';
  const sup = useLive((s) => s.supervisor);
  const nets = rpc['app.networks'].useQuery(undefined, { enabled: on });
  const status = rpc['node.status'].useQuery(undefined, { enabled: on });
  const join = rpc['app.joinNetwork'].useMutation();
  const invite = rpc['app.networkInvite'].useMutation();
  const [asking, setAsking] = useState(false);
  const [copied, setCopied] = useState(false);
  const current = status.data?.network ?? nets.data?.current ?? null;
  const list = nets.data?.networks ?? [];
  // The list always starts at the current network (the main button is then disarmed, #19).
  // …and follows it when it changes (after a join the list shows the network now current).
  const lastCurrent = useRef<string | null>(null);
  useEffect(() => {
    if (!current) return;
    const changed = lastCurrent.current !== current;
    lastCurrent.current = current;
    if (changed || !picked || !list.some((n) => n.name === picked)) setPicked(current);
  }, [current, list, picked, setPicked]);
  const choice = list.find((n) => n.name === picked);
  const currentDir = status.data?.data_dir;
  const switching = join.isPending || (join.isSuccess && sup?.node_phase?.phase !== 'ready');
  const copyInvite = async () => {
    setCopied(false);
    const r = await invite.mutateAsync({ network: picked });
    await navigator.clipboard?.writeText(r.invite).catch(() => {});
    setCopied(true);
  };
  return (
    <Card title="Network" testId="network-card" actions={<button className="btn btn--ghost" onClick={() => void nets.refetch()} data-testid="network-refresh">Refresh list</button>}>
      <div className="net__picker">
        <label className="field">
          <span>Network</span>
          <select value={picked} onChange={(e) => setPicked(e.target.value)} data-testid="network-select">
            {list.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name} — {SOURCE[n.source]}, chain {n.chain_id}, {n.validators} validator{n.validators === 1 ? '' : 's'}
                {n.name === current ? ' (current)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button className="btn btn--primary" disabled={!choice || choice.name === current || switching} onClick={() => setAsking(true)} data-testid="join-network">
          {choice?.name === current ? 'Current network' : choice?.source === 'dev' ? 'Switch to dev…' : `Join ${choice?.name ?? ''}…`}
        </button>
      </div>
      {list.length > 0 && list.every((n) => n.source === 'dev') && (
        <p className="net__note" data-testid="no-testnet-note">
          No public testnet is built in: start a <b>practice testnet</b> on this machine (below), or <b>import a network file or invite</b> another operator shared with you.
        </p>
      )}
      {choice && (
        <dl className="kv kv--compact net__choice">
          <div className="kv__row">
            <dt>Source</dt>
            <dd>{choice.description ?? SOURCE[choice.source]}</dd>
          </div>
          <div className="kv__row">
            <dt>Bootstrap peers</dt>
            <dd>{choice.bootstrap}</dd>
          </div>
          <div className="kv__row">
            <dt>Data folder</dt>
            <dd className="mono path">{choice.name === current ? currentDir : choice.data_dir}</dd>
          </div>
          {choice.file && (
            <div className="kv__row">
              <dt>Network file</dt>
              <dd className="mono path">
                {choice.file}{' '}
                <button className="btn btn--ghost btn--small" onClick={() => void copyInvite()} data-testid="copy-invite">
                  {copied ? 'Invite copied' : 'Copy invite'}
                </button>
              </dd>
            </div>
          )}
        </dl>
      )}
      {invite.data && copied && (
        <textarea className="input mono net__import-text" readOnly rows={2} value={invite.data.invite} data-testid="invite-text" onFocus={(e) => e.currentTarget.select()} />
      )}
      {join.data && (
        <p className="net__note" data-testid="join-result">
          {switching ? 'Switching to' : 'Joined'} <b>{join.data.network}</b>: data in <code>{join.data.data_dir}</code>
          {switching ? ' — restarting the node…' : ''}
        </p>
      )}
      <ImportNetwork
        onImported={(n) => {
          void nets.refetch().then(() => setPicked(n.name));
        }}
      />
      <ErrorNote error={join.error ?? nets.error ?? invite.error} testId="join-error" />
      {asking && choice && (
        <ConfirmDialog
          title={`Join ${choice.name}?`}
          action={`Restart on ${choice.name}`}
          onConfirm={() => {
            setAsking(false);
            join.mutate({ network: choice.file ?? choice.name });
          }}
          onCancel={() => setAsking(false)}
          testId="confirm-join"
        >
          <JoinText target={choice} current={current} currentDir={currentDir} />
        </ConfirmDialog>
      )}
    </Card>
  );
}

export function Network() {
  const on = useLive((s) => s.connection) === 'open';
  const sync = rpc['net.sync_status'].useQuery(undefined, { enabled: on });
  const info = rpc['net.info'].useQuery(undefined, { enabled: on });
  const status = rpc['node.status'].useQuery(undefined, { enabled: on });
  const tip = rpc['chain.tip'].useQuery(undefined, { enabled: on });
  const s = sync.data;
  const [picked, setPicked] = useState('');
  return (
    <div className="page" data-testid="page-network">
      <div className="stats">
        <Stat label="Network" value={status.data?.network ?? '—'} sub={status.data ? `chain ${status.data.chain_id}` : undefined} testId="net-name" />
        <Stat label="Peers" value={fmtInt(status.data?.peers)} sub={info.data && !info.data.enabled ? 'p2p off' : undefined} testId="net-peers" />
        <Stat label="Sync" value={s?.phase ?? '—'} sub={!s ? undefined : s.phase === 'following' || s.phase === 'idle' ? 'at the tip' : `${s.blocks_per_s.toFixed(1)} blocks/s`} testId="net-sync" tone={s?.phase === 'following' || s?.phase === 'idle' ? 'ok' : 'warn'} />
        <Stat label="Finalized" value={fmtInt(tip.data?.finalized_height)} sub={tip.data ? `head #${fmtInt(tip.data.height)}` : undefined} testId="net-finalized" />
      </div>
      <div className="grid-2">
        <NetworkPicker picked={picked} setPicked={setPicked} />
        <Card title="Sync" testId="sync-card">
          <SyncProgress s={s} />
          <ClockCheck network={status.data?.network} following={s?.phase === 'following'} />
          <ErrorNote error={sync.error} />
        </Card>
      </div>
      <PracticeCard current={status.data?.network ?? null} currentDir={status.data?.data_dir} />
      <Card title="Peers" testId="peers-card" actions={info.data?.peer_id ? <span className="muted mono small" title={info.data.listen.join('\n')}>this node {shortHash(info.data.peer_id, 6)}</span> : undefined}>
        <PeersTable />
      </Card>
      <Card title="Finality" testId="finality-card">
        <FinalityCard />
      </Card>
    </div>
  );
}
