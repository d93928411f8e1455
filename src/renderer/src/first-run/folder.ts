/**
 * The first-run "Where data lives" field: which values are a full path (POSIX `/…` or Windows
 * `C:\…`), and what the preflight panel says while it has no checks to show. Pure (tested).
 */

/** A full path on the node's machine: `/…`, or a Windows drive path `C:\…` / `C:/…`. */
export function isFullPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

/** The preflight panel's text before any checks came back for `parent` (the typed data folder). */
export function preflightWaitText(parent: string): string {
  if (parent.trim() === '') return 'Choose a folder first.';
  if (!isFullPath(parent)) return 'Give a full path (starting with /) to run the checks.';
  return 'Checking…';
}
