/** Settings card: the Grafana address the pages link their dashboards to (`npm run monitor` generates them). */
import { useState } from 'react';
import { Card } from '../components/Card';
import { useGrafana } from './grafana';

export function GrafanaSettings() {
  const url = useGrafana((s) => s.url);
  const setUrl = useGrafana((s) => s.setUrl);
  const [draft, setDraft] = useState(url);
  const [state, setState] = useState<'idle' | 'saved' | 'invalid'>('idle');
  const save = () => setState(setUrl(draft) ? 'saved' : 'invalid');
  return (
    <Card title="Monitoring" testId="grafana-card">
      <div className="form">
        <label className="field">
          <span>Grafana address (pages link to their dashboards; empty = no links)</span>
          <input
            className="input mono"
            placeholder="http://localhost:3000"
            value={draft}
            onChange={(e) => {
              setDraft(e.target.value);
              setState('idle');
            }}
            data-testid="grafana-url"
          />
        </label>
        {state === 'invalid' && (
          <div className="error-note" role="alert" data-testid="grafana-url-error">
            Give an http:// or https:// address without a user name or password.
          </div>
        )}
        <div className="row-actions">
          {state === 'saved' && (
            <span className="tone--ok small" data-testid="grafana-url-saved">
              Saved
            </span>
          )}
          <button className="btn btn--primary" onClick={save} data-testid="grafana-url-save">
            Save
          </button>
        </div>
      </div>
    </Card>
  );
}
