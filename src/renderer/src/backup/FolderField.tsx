/**
 * A destination folder: a path field checked by the node (`snapshots.free_space`: absolute,
 * outside the data directory, writable; free and total bytes), plus "Browse…" where the console
 * has a native folder dialog (Electron `app.pickFolder`). In console server mode the browser may
 * be on another machine, so the path is typed and checked instead.
 */
import { useEffect, useState } from 'react';
import type { FreeSpace } from '../../../shared/api/snapshots';
import { call } from '../api/client';
import { rpc } from '../api/hooks';
import { fmtBytes } from '../format';
import { useLive } from '../store/live';

/** The check result of the current value (undefined while checking or empty). */
export function useFreeSpace(path: string): { data?: FreeSpace; checking: boolean } {
  const on = useLive((s) => s.connection) === 'open';
  // Ask once typing pauses, not on every key.
  const [settled, setSettled] = useState(path);
  useEffect(() => {
    const t = setTimeout(() => setSettled(path), 300);
    return () => clearTimeout(t);
  }, [path]);
  const q = rpc['snapshots.free_space'].useQuery({ path: settled }, { enabled: on && settled.trim() !== '' });
  return { data: settled === path ? q.data : undefined, checking: settled !== path || q.isFetching };
}

export function FolderField({ value, onChange, label, testId, title }: { value: string; onChange(v: string): void; label: string; testId: string; title?: string }) {
  const info = rpc['app.info'].useQuery();
  const { data, checking } = useFreeSpace(value);
  const [browseError, setBrowseError] = useState<string>();
  const browse = async () => {
    setBrowseError(undefined);
    try {
      const r = await call('app.pickFolder', { title: title ?? label });
      if (r.path) onChange(r.path);
    } catch (e) {
      setBrowseError((e as Error).message);
    }
  };
  const desktop = info.data?.mode === 'electron';
  return (
    <div className="field" data-testid={testId}>
      <span>{label}</span>
      <div className="bk-folder">
        <input
          className="input mono"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder={desktop ? 'Choose a folder…' : '/absolute/path/on/the/node/machine'}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={!!data?.problem}
          data-testid={`${testId}-input`}
        />
        {desktop && (
          <button type="button" className="btn" onClick={browse} data-testid={`${testId}-browse`}>
            Browse…
          </button>
        )}
      </div>
      {!desktop && <div className="muted small">Console server mode: type a path on the machine the node runs on.</div>}
      {value.trim() !== '' && (
        <div className={`small ${data?.problem ? 'field__error' : 'muted'}`} data-testid={`${testId}-check`} data-ok={data ? String(!data.problem) : undefined}>
          {checking && !data
            ? 'checking…'
            : data?.problem
              ? data.problem
              : data
                ? `${data.exists ? 'Folder exists' : 'Folder will be created'} · ${fmtBytes(data.free_bytes)} free of ${fmtBytes(data.total_bytes)}`
                : ''}
        </div>
      )}
      {browseError && <div className="field__error">{browseError}</div>}
    </div>
  );
}
