/** What joining a network does, said before the operator confirms (the issue's "say what happens"). */
import type { NetworkChoice } from '../../../shared/api/app';

export function JoinText({ target, current, currentDir }: { target: NetworkChoice; current: string | null; currentDir: string | undefined }) {
  return (
    <>
      <p>
        The node stops and starts again on <b>{target.name}</b> (chain {target.chain_id}, {target.validators} validator{target.validators === 1 ? '' : 's'}, {target.bootstrap} bootstrap peer
        {target.bootstrap === 1 ? '' : 's'}), as a full node that verifies and follows.
      </p>
      <dl className="kv kv--compact">
        <div className="kv__row">
          <dt>{target.name}'s data</dt>
          <dd className="mono path" data-testid="confirm-target-dir">
            {target.data_dir ?? '—'}
          </dd>
        </div>
        {current && (
          <div className="kv__row">
            <dt>{current}'s data (not touched)</dt>
            <dd className="mono path" data-testid="confirm-current-dir">
              {currentDir ?? '—'}
            </dd>
          </div>
        )}
      </dl>
      <p className="muted small">Nothing of {current ?? 'the current network'} is changed or deleted: switch back here at any time. Sync progress shows on this page.</p>
    </>
  );
}
