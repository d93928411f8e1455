/** The verifier registry on the Energy page: keys in force, rotate (set), revoke, reload from the key file. */
import { useState } from 'react';
import { rpc } from '../api/hooks';
import { ErrorNote } from '../components/ErrorNote';
import { shortHash } from '../format';

export function KeyRegistry({ enabled }: { enabled: boolean }) {
  const keys = rpc['energy.provider_keys'].useQuery(undefined, { enabled });
  const set = rpc['energy.set_provider_key'].useMutation();
  const revoke = rpc['energy.revoke_provider_key'].useMutation();
  const reload = rpc['energy.reload_keys'].useMutation();
  const [provider, setProvider] = useState('');
  const [pub, setPub] = useState('');
  const err = !/^energy-0x[0-9a-f]{8,16}$/.test(provider) ? 'provider_id: like energy-0x00000000' : !/^[0-9a-fA-F]{64}$/.test(pub) ? 'public_key_hex: 64 hex digits (32-byte Ed25519 key)' : null;
  const k = keys.data;
  return (
    <div data-testid="energy-keys">
      <p className="muted" data-testid="energy-keys-source">
        {k ? `source ${k.source} · generation ${k.generation} · loaded ${new Date(k.loaded_at_ms).toLocaleTimeString()}` : '—'}
      </p>
      <table className="table">
        <thead>
          <tr>
            <th>Provider</th>
            <th>Ed25519 public key</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(k?.keys ?? []).map((x) => (
            <tr key={x.provider_id} data-testid={`energy-key-${x.provider_id}`}>
              <td>{x.provider_id}</td>
              <td className="mono" title={x.public_key_hex}>
                {shortHash(x.public_key_hex, 16)}
              </td>
              <td>
                <button className="btn btn--danger" disabled={revoke.isPending} onClick={() => void revoke.mutateAsync({ provider_id: x.provider_id }).catch(() => undefined)} data-testid={`energy-key-revoke-${x.provider_id}`}>
                  Revoke
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(k?.errors ?? []).map((e) => (
        <p key={e} className="field__error">
          {e}
        </p>
      ))}
      <div className="energy-form">
        <label className="field">
          <span>Provider</span>
          <input className="input" value={provider} placeholder="energy-0x00000000" onChange={(e) => setProvider(e.target.value.trim())} data-testid="energy-key-provider" />
        </label>
        <label className="field">
          <span>New public key (rotation)</span>
          <input className="input" value={pub} onChange={(e) => setPub(e.target.value.trim())} data-testid="energy-key-pub" aria-invalid={pub && err ? 'true' : undefined} />
        </label>
      </div>
      {(provider || pub) && err && (
        <p className="field__error" data-testid="energy-key-error">
          {err}
        </p>
      )}
      <div className="energy-actions">
        <button className="btn btn--primary" disabled={!!err || set.isPending} onClick={() => void set.mutateAsync({ provider_id: provider, public_key_hex: pub }).catch(() => undefined)} data-testid="energy-key-set">
          Set / rotate key
        </button>
        <button className="btn" disabled={reload.isPending} onClick={() => void reload.mutateAsync(undefined).catch(() => undefined)} data-testid="energy-key-reload">
          Reload key file
        </button>
      </div>
      <ErrorNote error={keys.error ?? set.error ?? revoke.error ?? reload.error} testId="energy-keys-error" />
    </div>
  );
}
