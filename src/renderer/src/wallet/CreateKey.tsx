/** Create a local key from the console (`wallet.create`): a name, then the new address is selected. */
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { call } from '../api/client';
import { ErrorNote } from '../components/ErrorNote';

const NAME_RE = /^[a-z0-9_-]{1,32}$/;

export function CreateKey({ onCreated, existing }: { onCreated(name: string): void; existing: readonly string[] }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const problem = name === '' ? undefined : !NAME_RE.test(name) ? '1-32 of a-z, 0-9, _ and -' : existing.includes(name) ? 'a key of that name exists' : undefined;
  const create = async () => {
    setError(undefined);
    setBusy(true);
    try {
      const k = await call('wallet.create', { name });
      await qc.invalidateQueries({ queryKey: ['wallet.list'] });
      setName('');
      onCreated(k.name);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      className="wallet__create"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem && name) void create();
      }}
    >
      <input className="input" value={name} onChange={(e) => setName(e.target.value.trim())} placeholder="name of a new key, e.g. alice" aria-label="New key name" data-testid="wallet-new-name" />
      <button className="btn" type="submit" disabled={!name || !!problem || busy} data-testid="wallet-create">
        {busy ? 'Creating…' : 'Create key'}
      </button>
      {problem && <div className="field__error small">{problem}</div>}
      <ErrorNote error={error} testId="wallet-create-error" />
    </form>
  );
}
