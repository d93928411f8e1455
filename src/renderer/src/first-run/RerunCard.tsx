/** Settings entry: run the first-run setup again (data folder, network, background, RPC token, preflight). */
import { rpc } from '../api/hooks';
import { Card } from '../components/Card';
import { useFirstRunUi } from './store';

export function RerunFirstRunCard() {
  const reopen = useFirstRunUi((s) => s.reopen);
  const first = rpc['app.firstRun'].useQuery();
  const s = first.data?.settings;
  return (
    <Card
      title="First-run setup"
      testId="first-run-card"
      actions={
        <button className="btn" onClick={reopen} data-testid="rerun-first-run">
          Run first-run setup again
        </button>
      }
    >
      <p className="muted small">
        {s ? (
          <>
            Data folder <span className="mono">{s.data_parent}</span>, network <b>{s.network}</b>, {s.keep_running ? 'keeps running in the background' : 'stops with the window'}, RPC token {s.rpc_auth ? 'set' : 'none'}.
          </>
        ) : (
          'Not run yet on this machine (the data directory was given on the command line).'
        )}
      </p>
    </Card>
  );
}
