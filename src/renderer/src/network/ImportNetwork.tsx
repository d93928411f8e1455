/**
 * Import a network another operator shared: paste an invite (tb-invite:…) or a network file's
 * JSON, or pick the file. The host checks it (schema, genesis hash) and keeps it; it then shows
 * in the list, selected, ready to join (with the usual confirmation).
 */
import { useState } from 'react';
import type { NetworkChoice } from '../../../shared/api/app';
import { call } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';

export function ImportNetwork({ onImported }: { onImported(n: NetworkChoice): void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const [done, setDone] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (t: string) => {
    setError(undefined);
    setDone(undefined);
    setBusy(true);
    try {
      const r = await call('app.importNetwork', { text: t });
      setDone(`${r.replaced ? 'Updated' : 'Imported'} ${r.network.name} (chain ${r.network.chain_id}, ${r.network.validators} validators, ${r.network.bootstrap} bootstrap peers)`);
      setText('');
      onImported(r.network);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const onFile = async (f: File | undefined) => {
    if (!f) return;
    if (f.size > 1_000_000) {
      setError(new Error(`${f.name} is ${f.size} bytes; a network file is far smaller`));
      return;
    }
    await submit(await f.text());
  };
  return (
    <details className="net__import" data-testid="import-network">
      <summary>Import a network file or invite</summary>
      <textarea className="input mono net__import-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} placeholder="tb-invite:… or the JSON of a network file" spellCheck={false} data-testid="import-text" />
      <div className="row-actions">
        <label className="btn btn--ghost">
          Choose a file…
          <input type="file" accept=".json,application/json,text/plain" hidden onChange={(e) => void onFile(e.target.files?.[0])} data-testid="import-file" />
        </label>
        <button className="btn" disabled={!text.trim() || busy} onClick={() => void submit(text)} data-testid="import-submit">
          Import
        </button>
      </div>
      {done && (
        <p className="net__note" data-testid="import-result">
          {done}
        </p>
      )}
      <ErrorNote error={error} testId="import-error" />
    </details>
  );
}
