/** "Open in Grafana" for a page whose dashboard uid is known, shown only when a Grafana URL is set. */
import { useDashboardUrl } from './grafana';
import './monitoring.css';

export function GrafanaLink({ uid }: { uid: string | undefined }) {
  const href = useDashboardUrl(uid);
  if (!href) return null;
  return (
    <a className="btn grafana-link" href={href} target="_blank" rel="noopener noreferrer" data-testid="grafana-link" data-uid={uid} title={`Dashboard ${uid} in Grafana`}>
      Grafana ↗
    </a>
  );
}
