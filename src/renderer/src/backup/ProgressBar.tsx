/** A progress bar with bytes, files and ETA (long work never shows a bare spinner). */
import type { Progress } from '../../../shared/api/snapshots';
import { fmtBytes, fmtDuration } from '../format';

const PHASES: Record<string, string> = {
  preparing: 'Preparing (consistent cut of the stores)',
  copying: 'Copying and hashing files',
  hashing: 'Hashing files',
  packing: 'Writing the .tar file',
  finishing: 'Writing the manifest',
  verifying: 'Verifying checksums',
  prechecks: 'Pre-checks',
  stopping_node: 'Stopping the node',
  staging: 'Restoring into a staging directory',
  swapping: 'Swapping the data directory',
  starting_node: 'Starting the node',
  ready: 'Node ready',
};

export function phaseLabel(p: string): string {
  return PHASES[p] ?? p;
}

export function ProgressBar({ p, testId }: { p: Progress; testId: string }) {
  const pct = p.bytes_total > 0 ? Math.min(100, (100 * p.bytes_done) / p.bytes_total) : 0;
  return (
    <div className="bk-progress" data-testid={testId}>
      <div className="bk-progress__head">
        <span data-testid={`${testId}-phase`}>{phaseLabel(p.phase)}</span>
        <span className="mono" data-testid={`${testId}-pct`}>
          {Math.floor(pct)}%
        </span>
      </div>
      <div className="bk-progress__track" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(pct)}>
        <div className="bk-progress__fill" style={{ width: `${pct}%` }} />
      </div>
      <div className="bk-progress__facts muted small">
        <span data-testid={`${testId}-bytes`}>
          {fmtBytes(p.bytes_done)} of {fmtBytes(p.bytes_total)}
        </span>
        {p.files_total > 0 && (
          <span data-testid={`${testId}-files`}>
            {p.files_done} of {p.files_total} files
          </span>
        )}
        <span data-testid={`${testId}-eta`}>{p.eta_ms === null ? 'ETA: measuring…' : `ETA ${fmtDuration(p.eta_ms)}`}</span>
      </div>
    </div>
  );
}

/** Numbered wizard steps; the current one highlighted, or marked ✗ (error tone) when it `failed`. */
export function Steps({ steps, current, testId, failed = false }: { steps: string[]; current: number; testId: string; failed?: boolean }) {
  return (
    <ol className="bk-steps" data-testid={testId}>
      {steps.map((s, i) => {
        const state = i === current ? (failed ? 'failed' : 'current') : i < current ? 'done' : 'todo';
        return (
          <li key={s} className={`bk-steps__item bk-steps__item--${state}`} aria-current={i === current ? 'step' : undefined} data-state={state} data-testid={`${testId}-${i}`} title={state === 'failed' ? `${s}: failed` : undefined}>
            <span className="bk-steps__num">{state === 'done' ? '✓' : state === 'failed' ? '✗' : i + 1}</span>
            {s}
          </li>
        );
      })}
    </ol>
  );
}
