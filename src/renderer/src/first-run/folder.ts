/**
 * The first-run "Where data lives" field: which values are a full path (POSIX `/…`, Windows
 * `C:\…`, or the home folder `~/…`, which the host expands as config/load.ts does for data_dir),
 * and what the preflight panel says while it has no checks to show. Pure (tested).
 */

/** A full path on the node's machine: `/…`, a Windows drive path `C:\…` / `C:/…`, or `~` / `~/…` (the host's home). */
export function isFullPath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || isHomePath(p);
}

/** `~` or `~/…`: only the host knows the home folder, so the path shown comes from its answer. */
export function isHomePath(p: string): boolean {
  return p === '~' || p.startsWith('~/');
}

/**
 * The data folder to show for the typed one: a `~/…` path as the host expanded it in its preflight
 * answer for that same typed path, else as typed.
 */
export function shownDataDir(typed: string, answer: { asked: string; data_dir: string } | undefined): string {
  return isHomePath(typed) && answer && answer.asked === typed ? answer.data_dir : typed;
}

/** The preflight panel's text before any checks came back for `parent` (the typed data folder). */
export function preflightWaitText(parent: string): string {
  if (parent.trim() === '') return 'Choose a folder first.';
  if (!isFullPath(parent)) return 'Give a full path (starting with / or ~/) to run the checks.';
  return 'Checking…';
}
