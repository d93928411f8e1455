/**
 * First run (re-openable from Settings): where data lives (a folder holding one data root per
 * network; default ~/.the_block, changeable; spaces and non-ASCII work), which network, whether to
 * keep running in the background, an optional RPC auth token — and a live preflight (writable,
 * disk space for the network, ports free naming their holder, clock) that says what to do about
 * each problem. "Start the node" saves the choices (`app.completeFirstRun`) and the node starts.
 */
import { useEffect, useMemo, useState } from 'react';
import { zAuthToken } from '../../../shared/api/desktop';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { useLive } from '../store/live';
import { isFullPath, preflightWaitText, shownDataDir } from './folder';
import { PreflightList } from './Preflight';
import { useFirstRunUi } from './store';
import './first-run.css';

/** `<parent>/<name>` without Node's path module (renderer). */
export function joinPath(parent: string, name: string): string {
  const sep = parent.includes('\\') && !parent.includes('/') ? '\\' : '/';
  return `${parent.replace(/[\\/]+$/, '')}${sep}${name}`;
}

function FirstRunForm({ reopened }: { reopened: boolean }) {
  const first = rpc['app.firstRun'].useQuery(undefined, { refetchOnMount: 'always' });
  const nets = rpc['app.networks'].useQuery(undefined, { refetchOnMount: 'always' });
  const info = rpc['app.info'].useQuery();
  const close = useFirstRunUi((s) => s.close);
  const [parent, setParent] = useState<string | null>(null);
  const [network, setNetwork] = useState<string | null>(null);
  const [keep, setKeep] = useState(false);
  const [token, setToken] = useState('');
  const [freePorts, setFreePorts] = useState(false);
  const [error, setError] = useState<unknown>();
  const [starting, setStarting] = useState(false);

  useEffect(() => {
    if (!first.data) return;
    setParent((p) => p ?? first.data.settings?.data_parent ?? first.data.defaults.data_parent);
    setNetwork((n) => n ?? first.data.defaults.network);
    if (first.data.settings) setKeep(first.data.settings.keep_running);
  }, [first.data]);

  const list = nets.data?.networks ?? [];
  const choice = list.find((n) => n.name === network) ?? list[0];
  const dataDir = parent && choice ? joinPath(parent, choice.name) : '';
  const netArg = choice ? (choice.file ?? choice.name) : '';
  // The preflight runs once typing pauses.
  const [settled, setSettled] = useState({ dataDir, netArg });
  useEffect(() => {
    const t = setTimeout(() => setSettled({ dataDir, netArg }), 350);
    return () => clearTimeout(t);
  }, [dataDir, netArg]);
  const pf = rpc['app.preflight'].useQuery(settled.dataDir && settled.netArg ? { data_dir: settled.dataDir, network: settled.netArg } : undefined, {
    enabled: !!settled.dataDir && !!settled.netArg && isFullPath(settled.dataDir),
    refetchOnMount: 'always',
  });
  const fresh = settled.dataDir === dataDir && settled.netArg === netArg && !pf.isFetching;
  const blocking = useMemo(() => (pf.data?.checks ?? []).filter((c) => c.status === 'fail' && !(c.id === 'ports' && freePorts)), [pf.data, freePorts]);
  // The Settings token's rule (it becomes Settings' token): an HTTP header's safe characters.
  const tokenIssue = token === '' ? undefined : zAuthToken.safeParse(token).error?.issues[0]?.message;
  const tokenBad = tokenIssue !== undefined;
  const absolute = !!parent && isFullPath(parent);
  // `~/…` as the host expanded it (the renderer does not know the home folder)
  const shownDir = shownDataDir(dataDir, pf.data ? { asked: settled.dataDir, data_dir: pf.data.data_dir } : undefined);
  const canStart = !!choice && absolute && fresh && !!pf.data && blocking.length === 0 && !tokenBad && !starting;

  const browse = async () => {
    const r = await call('app.pickFolder', { title: 'Where should the node keep its data?' }).catch(() => null);
    if (r?.path) setParent(r.path);
  };
  const start = async () => {
    if (!choice || !parent) return;
    setError(undefined);
    setStarting(true);
    try {
      await call('app.completeFirstRun', { data_parent: parent, network: netArg, keep_running: keep, ...(token ? { rpc_auth_token: token } : {}), ...(freePorts ? { free_ports: true } : {}) });
      await first.refetch();
      close();
    } catch (e) {
      setError(e);
      void pf.refetch();
    } finally {
      setStarting(false);
    }
  };

  if (!first.data || parent === null) return <ErrorNote error={first.error} />;
  return (
    <div className="fr__grid">
      <div className="form">
        <label className="field">
          <span>Where data lives</span>
          <div className="fr__row">
            <input className="input mono" value={parent} onChange={(e) => setParent(e.target.value)} spellCheck={false} data-testid="first-run-folder" />
            {info.data?.mode === 'electron' && (
              <button className="btn" onClick={() => void browse()} data-testid="first-run-browse">
                Browse…
              </button>
            )}
          </div>
          <small className="muted">
            Each network keeps its own folder inside: <span className="mono" data-testid="first-run-data-dir">{shownDir || '—'}</span>
            {!absolute && parent !== '' && <span className="field__error"> — give a full path (starting with / or ~/)</span>}
          </small>
        </label>
        <label className="field">
          <span>Network</span>
          <select value={choice?.name ?? ''} onChange={(e) => setNetwork(e.target.value)} data-testid="first-run-network">
            {list.map((n) => (
              <option key={n.name} value={n.name}>
                {n.name} — {n.description ?? n.source}
              </option>
            ))}
          </select>
          <small className="muted">dev is a one-machine chain for trying things; a practice testnet can be started from Network &amp; Sync afterwards.</small>
        </label>
        <label className="check">
          <input type="checkbox" checked={keep} onChange={(e) => setKeep(e.target.checked)} data-testid="first-run-keep" />
          Keep the node running in the background when the window closes
        </label>
        <label className="field">
          <span>RPC auth token (optional)</span>
          <input className="input mono" type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="none: local calls need no token" autoComplete="off" data-testid="first-run-token" />
          <small className={tokenBad ? 'field__error' : 'muted'} data-testid="first-run-token-note">
            {tokenBad ? `The token ${tokenIssue}` : 'When set, write calls to JSON-RPC need Authorization: Bearer <token>. Kept in a 0600 file, never shown again.'}
          </small>
        </label>
      </div>
      <div className="fr__preflight">
        <div className="fr__preflight-head">
          <h3 className="section-title">Preflight</h3>
          <button className="btn btn--ghost" onClick={() => void pf.refetch()} disabled={pf.isFetching} data-testid="first-run-recheck">
            {pf.isFetching ? 'Checking…' : 'Check again'}
          </button>
        </div>
        {pf.data ? <PreflightList checks={pf.data.checks} freePorts={freePorts} onFreePorts={setFreePorts} /> : <p className="muted">{preflightWaitText(parent)}</p>}
        <ErrorNote error={pf.error} testId="first-run-preflight-error" />
        <ErrorNote error={error} testId="first-run-error" />
        <div className="row-actions">
          {reopened && (
            <button className="btn btn--ghost" onClick={close} data-testid="first-run-cancel">
              Cancel
            </button>
          )}
          <button className="btn btn--primary" disabled={!canStart} onClick={() => void start()} data-testid="first-run-start">
            {starting ? 'Starting…' : reopened ? 'Save and restart the node' : 'Start the node'}
          </button>
        </div>
        {blocking.length > 0 && (
          <p className="field__error small" data-testid="first-run-blocked">
            Fix {blocking.map((b) => b.title.toLowerCase()).join(' and ')} first.
          </p>
        )}
      </div>
    </div>
  );
}

/** Shown over the console while the first run is due, or when re-opened from Settings. */
export function FirstRunGate() {
  const on = useLive((s) => s.connection) === 'open';
  const reopened = useFirstRunUi((s) => s.reopened);
  const first = rpc['app.firstRun'].useQuery(undefined, { enabled: on });
  if (!on || (!first.data?.needed && !reopened)) return null;
  return (
    <div className="fr" role="dialog" aria-modal="true" aria-label="First run" data-testid="first-run">
      <div className="fr__card">
        <header className="fr__head">
          <h2>{reopened ? 'First-run setup' : 'Welcome — set up your node'}</h2>
          <p className="muted">Choose where the node keeps its data and which network it joins. Nothing starts until you say so.</p>
        </header>
        <FirstRunForm reopened={reopened && !first.data?.needed} />
      </div>
    </div>
  );
}
