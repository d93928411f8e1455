/**
 * Node options (applied at the next node start): ports with a live "port free?" check,
 * telemetry, log level, the launch governor's options and the RPC auth token (write-only: the
 * console never shows a stored token; a generated one is shown once, to copy).
 */
import { Card } from '../components/Card';
import { FieldError, NumberField, PortField, SelectField, TriField } from './fields';
import { useSettingsForm } from './form';
import { SaveBar } from './SaveBar';

function newToken(): string {
  const b = new Uint8Array(24);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

export function NodeOptions() {
  const f = useSettingsForm();
  const cur = f.view?.current;
  const token = f.value('rpc_auth_token');
  const tokenSet = f.view?.rpc_auth_token_set;
  return (
    <Card title="Node" testId="settings-node">
      <div className="form">
        <div className="field-row">
          <PortField
            f={f}
            path="rpc_port"
            label="JSON-RPC port (127.0.0.1)"
            current={cur?.rpc_port ?? null}
          />
          <PortField
            f={f}
            path="metrics_port"
            label="Metrics port (127.0.0.1)"
            current={cur?.metrics_port ?? null}
          />
        </div>
        <div className="field-row">
          <PortField f={f} path="p2p_port" label="Peer-to-peer TCP port" current={null} />
          <TriField f={f} path="telemetry" label="Telemetry (/metrics for Prometheus)" />
        </div>
        <div className="field-row">
          <SelectField
            f={f}
            path="log_level"
            label="Log level"
            nullable
            options={['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => [l, l])}
          />
          <TriField f={f} path="governor.enabled" label="Launch governor" />
        </div>
        <div className="field-row">
          <TriField
            f={f}
            path="governor.shadow_only"
            label="Governor decisions"
            on="Shadow (record only)"
            off="Submit intents"
          />
          <NumberField
            f={f}
            path="governor.window_secs"
            label="Governor window (s)"
            placeholder="as launched"
            hint="120–86400 s: how long inputs are sampled before gates are evaluated"
          />
        </div>
        <div className="field">
          <span>RPC auth token (Bearer, required for writes over JSON-RPC)</span>
          <div className="token-row">
            <span className="small" data-testid="token-state">
              {token === null
                ? 'will be removed'
                : typeof token === 'string'
                  ? 'new token, not saved yet'
                  : tokenSet
                    ? 'set (hidden)'
                    : 'not set'}
            </span>
            <button
              className="btn btn--small"
              onClick={() => f.set('rpc_auth_token', newToken())}
              data-testid="token-generate"
            >
              Generate
            </button>
            {tokenSet && (
              <button
                className="btn btn--small"
                onClick={() => f.set('rpc_auth_token', null)}
                data-testid="token-remove"
              >
                Remove
              </button>
            )}
          </div>
          <input
            className="input mono"
            type="text"
            autoComplete="off"
            spellCheck={false}
            placeholder={tokenSet ? 'type a new token to replace it' : 'type or generate a token'}
            value={typeof token === 'string' ? token : ''}
            // An emptied field is no change (the token stays as it is; Remove clears it), not an empty token.
            onChange={(e) => f.set('rpc_auth_token', e.target.value === '' ? undefined : e.target.value)}
            onBlur={f.check}
            aria-invalid={!!f.issues.rpc_auth_token}
            data-testid="set-rpc_auth_token"
          />
          {typeof token === 'string' && token.length > 0 && (
            <small className="muted">
              Copy it now: after saving, the console only says that a token is set. Clients send{' '}
              <code>Authorization: Bearer &lt;token&gt;</code>.
            </small>
          )}
          <FieldError f={f} path="rpc_auth_token" />
        </div>
        <SaveBar f={f} testId="node-settings" restart />
      </div>
    </Card>
  );
}
