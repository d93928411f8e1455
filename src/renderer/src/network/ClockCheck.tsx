/**
 * The preflight's clock check once the node follows a network with peers (`app.preflight`): this
 * machine's clock against the peers' newest block, with what to do when it is behind. Asked again
 * when the sync phase or the network changes.
 */
import { rpc } from '../api/hooks';
import { useLive } from '../store/live';

export function ClockCheck({ network, following }: { network: string | undefined; following: boolean }) {
  const on = useLive((s) => s.connection) === 'open';
  const pf = rpc['app.preflight'].useQuery(network ? { network } : undefined, { enabled: on && following && !!network && network !== 'dev', refetchOnMount: 'always' });
  const c = pf.data?.checks.find((x) => x.id === 'clock');
  if (!following || !network || network === 'dev' || !c) return null;
  return (
    <p className={`net__clock small ${c.status === 'fail' ? 'field__error' : 'muted'}`} data-testid="clock-check" data-status={c.status}>
      Clock: {c.detail}
      {c.status === 'fail' && c.fix ? ` — ${c.fix}` : ''}
    </p>
  );
}
