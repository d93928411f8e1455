/**
 * A destination folder: a path field checked by the node (`snapshots.free_space`: absolute,
 * outside the data directory, writable; free and total bytes), plus "Browse…" where the console
 * has a native folder dialog (Electron `app.pickFolder`). In console server mode the browser may
 * be on another machine, so the path is typed and checked instead.
 */
import { useEffect, useState } from 'react';
import { zSnapshotPath, type FreeSpace } from '../../../shared/api/snapshots';
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
  // Asked again whenever a field shows it: the disk changes under a cached answer (the Back up
  // tab's "will be created" for a folder its backup then created read "No such folder" on Restore).
  const q = rpc['snapshots.free_space'].useQuery({ path: settled }, { enabled: on && settled.trim() !== '', refetchOnMount: 'always' });
  const current = settled === path && q.isFetchedAfterMount;
  return { data: current ? q.data : undefined, checking: settled !== path || q.isFetching };
}

/** Why a typed snapshot path cannot be read (relative, NUL), or undefined when it can be asked for. */
export function snapshotPathProblem(p: string): string | undefined {
  const r = zSnapshotPath.safeParse(p.trim());
  return r.success ? undefined : r.error.issues[0]?.message;
}

/** What the field says under a folder to read snapshots from (`found`: how many are listed there, once known). */
function sourceCheck(value: string, data: FreeSpace | undefined, found: number | undefined): { problem?: string; text: string } {
  if (value.trim() === '') return { text: '' }; // nothing typed yet: nothing wrong
  const bad = snapshotPathProblem(value);
  if (bad) return { problem: bad, text: '' };
  if (!data) return { text: '' };
  if (!data.exists) return { problem: 'No such folder', text: '' };
  if (!data.is_dir) return { problem: 'This is a file, not a folder (give the folder that holds the snapshots)', text: '' };
  if (found === undefined) return { text: 'Folder exists · listing snapshots…' };
  return { text: found === 0 ? 'Folder exists · no snapshots found' : `${found} snapshot${found === 1 ? '' : 's'} found` };
}

/**
 * `purpose` destination (a backup goes there: may be created, must be writable and outside the data
 * directory) or source (snapshots are read from there: must exist; `found` = how many it lists).
 */
export function FolderField({
  value,
  onChange,
  label,
  testId,
  title,
  purpose = 'destination',
  found,
}: {
  value: string;
  onChange(v: string): void;
  label: string;
  testId: string;
  title?: string;
  purpose?: 'destination' | 'source';
  found?: number;
}) {
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
  const source = purpose === 'source' ? sourceCheck(value, data, found) : undefined;
  const problem = source ? source.problem : data?.problem;
  const text = source
    ? source.text
    : data
      ? `${data.exists ? 'Folder exists' : 'Folder will be created'} · ${fmtBytes(data.free_bytes)} free of ${fmtBytes(data.total_bytes)}`
      : '';
  const ready = source ? !!source.problem || (!!data && found !== undefined) : !!data;
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
          aria-invalid={!!problem}
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
        <div className={`small ${problem ? 'field__error' : 'muted'}`} data-testid={`${testId}-check`} data-ok={ready ? String(!problem) : undefined}>
          {problem ?? (checking && !data ? 'checking…' : text)}
        </div>
      )}
      {browseError && <div className="field__error">{browseError}</div>}
    </div>
  );
}
