/**
 * Diagnostics bundle: one click writes a zip (logs, config with secrets redacted, node status,
 * metrics, versions, peers, recent crashes; never wallet or key files) into the data directory
 * and downloads it.
 */
import { useState } from 'react';
import { call } from '../api/client';
import { Card } from '../components/Card';
import { ErrorNote } from '../components/ErrorNote';
import { fmtBytes } from '../format';
import { download } from '../pages/Deadlines';

function bytesOf(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function Diagnostics() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<{ path: string; file_name: string; bytes: number; entries: string[] }>();
  const make = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await call('app.diagnostics', {});
      download(r.file_name, bytesOf(r.zip_base64), 'application/zip');
      setDone(r);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Diagnostics" testId="settings-diagnostics">
      <p className="muted small">
        A zip to attach to a bug report: node logs, configuration with every secret replaced by [redacted]
        (RPC tokens, keys, TB_NODE_KEY_HEX), node status, a metrics snapshot, versions, peers and recent
        crashes. Wallet and key files are never included.
      </p>
      <div className="row-actions">
        <button className="btn btn--primary" onClick={make} disabled={busy} data-testid="diagnostics-create">
          {busy ? 'Collecting…' : 'Create diagnostics bundle'}
        </button>
      </div>
      <ErrorNote error={error} testId="diagnostics-error" />
      {done && (
        <div className="bk-result bk-result--ok" data-testid="diagnostics-done">
          Saved {done.file_name} ({fmtBytes(done.bytes)}, {done.entries.length} files) — also kept at{' '}
          <code className="path-inline">{done.path}</code>
        </div>
      )}
    </Card>
  );
}
