/** Sync as named phases (connecting → downloading → verifying → following) with blocks/s, ETA and a progress bar. */
import type { SyncPhase, SyncStatus } from '../../../shared/api/index';
import { fmtDuration, fmtInt } from '../format';

const STEPS: { phase: SyncPhase; label: string }[] = [
  { phase: 'connecting', label: 'Connecting' },
  { phase: 'downloading', label: 'Downloading blocks' },
  { phase: 'verifying', label: 'Verifying' },
  { phase: 'following', label: 'Following' },
];

export function SyncProgress({ s }: { s: SyncStatus | undefined }) {
  if (!s) return <p className="muted">Waiting for the node…</p>;
  const idle = s.phase === 'idle';
  const at = STEPS.findIndex((x) => x.phase === s.phase);
  const pct = Math.round(s.progress * 100);
  const left = Math.max(0, s.target_height - s.local_height);
  return (
    <div className="sync" data-testid="sync" data-phase={s.phase}>
      <ol className="sync__steps" aria-label="Sync phases">
        {STEPS.map((x, i) => (
          <li key={x.phase} className={`sync__step ${i < at ? 'sync__step--done' : ''} ${i === at ? 'sync__step--now' : ''}`} aria-current={i === at ? 'step' : undefined}>
            <span className="sync__dot" aria-hidden />
            {x.label}
          </li>
        ))}
      </ol>
      <div className="sync__bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct} data-testid="sync-progress">
        <div className={`sync__fill ${s.phase === 'following' ? 'sync__fill--done' : ''}`} style={{ width: `${idle ? 0 : pct}%` }} />
      </div>
      <dl className="sync__facts">
        <div>
          <dt>Phase</dt>
          <dd data-testid="sync-phase">{idle ? 'idle (no peers configured)' : s.phase}</dd>
        </div>
        <div>
          <dt>Height</dt>
          <dd className="mono" data-testid="sync-heights">
            {fmtInt(s.local_height)} / {fmtInt(s.target_height)}
          </dd>
        </div>
        <div>
          <dt>Blocks left</dt>
          <dd className="mono">{fmtInt(left)}</dd>
        </div>
        <div>
          <dt>Rate</dt>
          {/* The catch-up download rate: at the tip blocks come one per block time, not at a rate to show. */}
          <dd className="mono" data-testid="sync-rate" title="Blocks fetched per second while catching up">
            {idle || s.phase === 'following' ? 'at the tip' : `${s.blocks_per_s.toFixed(1)} blocks/s`}
          </dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd className="mono" data-testid="sync-eta">
            {s.phase === 'following' ? 'caught up' : s.eta_ms === null ? '—' : fmtDuration(s.eta_ms)}
          </dd>
        </div>
        <div>
          <dt>Progress</dt>
          <dd className="mono">{idle ? '—' : `${pct} %`}</dd>
        </div>
      </dl>
    </div>
  );
}
